/** The Partner Center view: the referrals as Microsoft's seller sees them, their changes, and new incoming referrals. */
import * as React from "react";
import {
  CheckboxVisibility, DefaultButton, DetailsList, DetailsListLayoutMode, Dropdown, MessageBar, MessageBarType, PrimaryButton,
  Selection, SelectionMode, TextField, type IColumn, type IDetailsRowProps,
} from "@fluentui/react";
import { ASSISTANCE_REQUEST_CODES } from "../../sync/schema/referral";
import type { Api } from "./web-api";
import { errorText, useInterval, type Row } from "./shared";
import { onShowReferral } from "./links";

const INCOMING_FIELDS = [
  ["name", "Deal name"], ["customerName", "Customer name"], ["country", "Country (ISO-2)"], ["city", "City"],
  ["postalCode", "Postal code"], ["dealValue", "Deal value"], ["currency", "Currency (ISO 4217)"],
  ["solutionIds", "Solution IDs"], ["contactFirst", "Customer contact first name"], ["contactLast", "Customer contact last name"],
  ["contactEmail", "Customer contact email"],
] as const;
const ASSISTANCE_OPTIONS = ASSISTANCE_REQUEST_CODES.filter((c) => c !== "Unknown").map((c) => ({ key: c, text: c }));

const details = (r: Row) => (r.details ?? {}) as Row;
const ids = (text: string) => text.split(/[;,\s]+/).filter(Boolean);

const COLUMNS: IColumn[] = [
  { key: "name", name: "Referral", minWidth: 110, isMultiline: true, onRender: (r: Row) => String(r.name) },
  { key: "customer", name: "Customer", minWidth: 70, isMultiline: true, onRender: (r: Row) => String((r.customerProfile as Row | undefined)?.name ?? "") },
  { key: "direction", name: "Direction", minWidth: 55, maxWidth: 70, onRender: (r: Row) => String(r.direction ?? "") },
  { key: "status", name: "Status", minWidth: 90, isMultiline: true, onRender: (r: Row) => <span data-testid="referral-status">{`${r.status}/${r.substatus}`}</span> },
  { key: "value", name: "Deal value", minWidth: 80, onRender: (r: Row) => (details(r).dealValue == null ? "" : `${details(r).dealValue} ${details(r).currency ?? ""}`) },
];

export function PartnerCenterView({ api }: { api: Api }) {
  const [referrals, setReferrals] = React.useState<Row[]>([]);
  const [selected, setSelected] = React.useState<string | null>(null);
  const [message, setMessage] = React.useState<string | null>(null);
  const [incomingOpen, setIncomingOpen] = React.useState(false);
  const [draft, setDraft] = React.useState({ name: "Fabrikam cloud migration", customerName: "Fabrikam Inc", country: "US", city: "Redmond", postalCode: "98052", dealValue: "80000", currency: "USD", assistanceRequestCode: "ProofOfConceptOrDemo", solutionIds: "SOL-15974-MQF", contactFirst: "Dana", contactLast: "Lee", contactEmail: "dana.lee@fabrikam.example" });
  const [change, setChange] = React.useState({ dealValue: "", notes: "", solutionIds: "", microsoftMsxId: "" });
  // The grid's selection, keyed by referral id so it survives each poll's new list.
  const selection = React.useMemo(() => {
    const s: Selection = new Selection({
      getKey: (r) => String((r as Row).id),
      selectionMode: SelectionMode.single,
      onSelectionChanged: () => {
        const picked = s.getSelection()[0] as Row | undefined;
        // A poll's new list can leave nothing selected for a moment; only the seller's pick changes the card.
        if (picked) setSelected(String(picked.id));
      },
    });
    return s;
  }, []);

  const load = React.useCallback(() => api.referrals().then(setReferrals).catch((e) => setMessage(errorText(e))), [api]);
  React.useEffect(() => void load(), [load]);
  React.useEffect(() => onShowReferral(setSelected), []);
  useInterval(() => void load(), 1000);

  // The card's referral is the grid's selected row, whoever chose it (a click, or a Partner Center link).
  const index = referrals.findIndex((r) => r.id === selected);
  React.useEffect(() => {
    if (index < 0 || selection.isIndexSelected(index)) return;
    selection.setKeySelected(String(selected), true, false);
    document.querySelector(`[data-referral-id="${CSS.escape(String(selected))}"]`)?.scrollIntoView({ block: "nearest" });
  }, [index, selected, referrals]);

  const act = (fn: () => Promise<unknown>) => async () => {
    setMessage(null);
    try {
      await fn();
      await load();
    } catch (e) {
      setMessage(errorText(e));
    }
  };
  const createIncoming = act(() =>
    api.seller("POST", "referrals", {
      name: draft.name, customerName: draft.customerName, country: draft.country, city: draft.city, postalCode: draft.postalCode,
      dealValue: Number(draft.dealValue), currency: draft.currency, assistanceRequestCode: draft.assistanceRequestCode,
      closingDateTime: new Date(Date.now() + 60 * 86400000).toISOString(),
      solutionIds: ids(draft.solutionIds),
      customerContact: { firstName: draft.contactFirst, lastName: draft.contactLast, email: draft.contactEmail },
    }),
  );
  const current = index >= 0 ? referrals[index] : undefined;
  const changeField = (key: keyof typeof change, label: string, extra: { type?: string; placeholder?: string; description?: string } = {}) => (
    <TextField label={label} value={change[key]} onChange={(_, v) => setChange({ ...change, [key]: v ?? "" })} {...extra} />
  );

  return (
    <section className="card pc" aria-label="Partner Center">
      <h2>Partner Center <small>acting as the Microsoft seller</small></h2>
      {message && <MessageBar messageBarType={MessageBarType.error}>{message}</MessageBar>}
      <DetailsList
        items={referrals}
        columns={COLUMNS}
        setKey="referrals"
        getKey={(r: Row) => String(r.id)}
        selection={selection}
        selectionMode={SelectionMode.single}
        selectionPreservedOnEmptyClick
        checkboxVisibility={CheckboxVisibility.hidden}
        layoutMode={DetailsListLayoutMode.justified}
        compact
        ariaLabelForGrid="Referrals"
        // Up to 100 rows: all rendered, so every referral is on the page (and findable by its id).
        onShouldVirtualize={() => false}
        // DetailsRow puts data-* props on its row element: a Partner Center link scrolls to the row by its id.
        onRenderRow={(props, render) => (props && render ? render({ ...props, "data-referral-id": String((props.item as Row).id) } as IDetailsRowProps) : null)}
      />
      {referrals.length === 0 && <p className="muted">No referrals yet.</p>}
      {current && (
        <div className="selected-referral" role="group" aria-label="Selected referral">
          <h3>{String(current.name)}</h3>
          <p className="muted">{String(current.id)} · notes: {String(details(current).notes ?? "—")} · closing {String(details(current).closingDateTime ?? "—").slice(0, 10)}</p>
          <p className="muted" data-testid="referral-sharing">
            {(current.consent as Row | undefined)?.consentToShareReferralWithMicrosoftSellers === false ? "Private: not shared with Microsoft sellers" : "Visible to Microsoft sellers"}
            {" · Microsoft CRM ID: "}{String((current.trackingInfo as Row | undefined)?.microsoftMsxId ?? "—")}
          </p>
          <div className="field-grid">
            {changeField("dealValue", "New deal value", { type: "number" })}
            {changeField("notes", "Microsoft notes")}
            {changeField("solutionIds", "Microsoft solution IDs", {
              description: "SOL-… or GUIDs, ; separated",
              placeholder: ((details(current).requirements as Row | undefined)?.solutions as Row[] | undefined ?? []).map((x) => String(x.id)).join("; "),
            })}
            {changeField("microsoftMsxId", "Microsoft CRM ID")}
          </div>
          <div className="actions">
            <PrimaryButton text="Update referral" onClick={act(() => api.seller("PATCH", `referrals/${current.id}`, {
              ...(change.dealValue !== "" ? { dealValue: Number(change.dealValue) } : {}),
              ...(change.notes !== "" ? { notes: change.notes } : {}),
              ...(change.solutionIds !== "" ? { solutionIds: ids(change.solutionIds) } : {}),
              ...(change.microsoftMsxId !== "" ? { microsoftMsxId: change.microsoftMsxId } : {}),
            }))} />
            <DefaultButton text="Close as Won" onClick={act(() => api.seller("POST", `referrals/${current.id}/close`, { outcome: "Won" }))} />
            <DefaultButton text="Close as Lost" onClick={act(() => api.seller("POST", `referrals/${current.id}/close`, { outcome: "Lost", reason: "Customer chose another vendor" }))} />
          </div>
        </div>
      )}
      <DefaultButton
        className="incoming-toggle"
        text="New incoming co-sell referral"
        iconProps={{ iconName: incomingOpen ? "ChevronUp" : "ChevronDown" }}
        aria-expanded={incomingOpen}
        aria-controls="incoming-referral"
        onClick={() => setIncomingOpen(!incomingOpen)}
      />
      {incomingOpen && (
        <div id="incoming-referral" className="incoming" role="group" aria-label="New incoming co-sell referral">
          <div className="field-grid">
            {INCOMING_FIELDS.map(([k, label]) => (
              <TextField key={k} label={label} value={draft[k]} onChange={(_, v) => setDraft({ ...draft, [k]: v ?? "" })} />
            ))}
            <Dropdown label="How can the partner help?" selectedKey={draft.assistanceRequestCode} options={ASSISTANCE_OPTIONS}
              onChange={(_, o) => o && setDraft({ ...draft, assistanceRequestCode: String(o.key) })} />
          </div>
          <div className="actions">
            <PrimaryButton text="Send referral to partner" onClick={createIncoming} />
          </div>
        </div>
      )}
    </section>
  );
}
