/**
 * The sandbox page: a Dynamics 365 Opportunity form (main fields, the real ribbon web resource,
 * the real Co-sell panel bundle), a Partner Center view acting as the Microsoft seller, and a
 * sync-health view. Everything talks to the emulators and the service over HTTP, and polls once a
 * second so a change on one side shows on the other without reloading.
 */
import * as React from "react";
import * as ReactDOM from "react-dom";
import {
  HELP_TYPES, HELP_TYPE_LABELS, OPPORTUNITY_COLUMNS, OPPORTUNITY_STATE, OPPORTUNITY_STATUS, REFERRAL_VISIBILITY, REFERRAL_VISIBILITY_LABELS,
  SYNC_STATUS, SYNC_STATUS_LABELS, closeReasonValue, syncStatusName, type SyncStatusName,
} from "../../sync/schema/dynamics";
import { MONEY_RANGE } from "../../sync/contracts/money";
import { ASSISTANCE_REQUEST_CODES, CLOSE_REASONS, referralLink, type CloseReasonCode } from "../../sync/schema/referral";
import { createApi, HttpError, type Api, type SandboxConfig } from "./web-api";
import { loadControl, PcfHost, type BoundValue, type ControlPackage } from "./pcf-host";
import { createXrm, formContextOf, type DialogUi, type FormModel } from "./xrm";
import uPlot from "uplot";
import type { HealthReport, StuckRecord } from "../../api/service";

type Row = Record<string, unknown>;
type Ribbon = Record<string, (primaryControl: unknown) => unknown>;

const OPPORTUNITY_QUERY =
  "opportunities?$select=opportunityid,name,estimatedvalue,estimatedclosedate,description,statecode,statuscode,_customerid_value,_parentcontactid_value,_transactioncurrencyid_value," +
  Object.values(OPPORTUNITY_COLUMNS).join(",") +
  "&$orderby=createdon desc";

function useInterval(fn: () => void, ms: number) {
  const ref = React.useRef(fn);
  ref.current = fn;
  React.useEffect(() => {
    const t = setInterval(() => ref.current(), ms);
    return () => clearInterval(t);
  }, [ms]);
}

function errorText(e: unknown): string {
  return e instanceof HttpError ? `${e.message} (${e.status} ${e.code})` : e instanceof Error ? e.message : String(e);
}

// ---------- Partner Center links ----------
// A link to a referral (the panel's, or the ribbon's Open in Partner Center) shows it in the
// sandbox's own Partner Center view instead of leaving for the real site; production keeps the URL.
const REFERRAL_LINK_PREFIX = referralLink("");
let showReferral: (id: string) => void = () => undefined;

function referralIdOfLink(url: string): string | null {
  if (!url.startsWith(REFERRAL_LINK_PREFIX)) return null;
  return decodeURIComponent(url.slice(REFERRAL_LINK_PREFIX.length).split(/[/?#]/)[0]) || null;
}

function openUrl(url: string): void {
  const id = referralIdOfLink(url);
  if (id) showReferral(id);
  else window.open(url, "_blank", "noopener,noreferrer");
}

document.addEventListener("click", (event) => {
  const anchor = (event.target as Element | null)?.closest?.("a[href]") as HTMLAnchorElement | null;
  const id = anchor && referralIdOfLink(anchor.href);
  if (!id) return;
  event.preventDefault();
  showReferral(id);
}, true);

// ---------- dialogs (the page's Xrm.Navigation / Xrm.Utility) ----------
interface DialogState {
  progress: string | null;
  alert: { title: string; text: string; done: () => void } | null;
  webResource: { src: string; title: string; done: (value: unknown) => void } | null;
}
let setDialogs: React.Dispatch<React.SetStateAction<DialogState>> = () => undefined;

const dialogUi: DialogUi = {
  progress: (message) => setDialogs((d) => ({ ...d, progress: message })),
  alert: (title, text) => new Promise<void>((done) => setDialogs((d) => ({ ...d, alert: { title, text, done } }))),
  webResourceDialog: (name, title, query) =>
    new Promise((done) => setDialogs((d) => ({ ...d, webResource: { src: `/webresources/${name}?${query}`, title, done } }))),
  openUrl,
};

function Dialogs() {
  const [state, set] = React.useState<DialogState>({ progress: null, alert: null, webResource: null });
  setDialogs = set;
  const close = (key: "alert" | "webResource") => set((d) => ({ ...d, [key]: null }));
  return (
    <>
      {state.progress && (
        <div className="overlay" role="status" aria-live="polite" data-testid="progress">
          <div className="dialog">{state.progress}</div>
        </div>
      )}
      {state.alert && (
        <div className="overlay" role="alertdialog" aria-label={state.alert.title}>
          <div className="dialog">
            <h3>{state.alert.title}</h3>
            <p className="pre">{state.alert.text}</p>
            <button onClick={() => { state.alert!.done(); close("alert"); }}>OK</button>
          </div>
        </div>
      )}
      {state.webResource && (
        <div className="overlay" role="dialog" aria-label={state.webResource.title}>
          <div className="dialog frame">
            <h3>{state.webResource.title}</h3>
            <iframe
              title={state.webResource.title}
              src={state.webResource.src}
              onLoad={(e) => {
                // The dialog returns through window.returnValue + window.close(), as in Dataverse.
                const win = (e.target as HTMLIFrameElement).contentWindow as (Window & { returnValue?: unknown }) | null;
                if (!win) return;
                const done = state.webResource!.done;
                win.close = () => { done(win.returnValue); close("webResource"); };
              }}
            />
          </div>
        </div>
      )}
    </>
  );
}

// ---------- the Opportunity form ----------
const plain = (n: number): string => n.toLocaleString("en-US", { maximumFractionDigits: 20 });

/**
 * A money field like Dynamics' own: the seller's text stays as typed (99999999999999999 is not shown
 * back as 100000000000000000), and a value outside the column's range is named with the range.
 */
function MoneyInput(props: { value: number | null | undefined; disabled: boolean; onChange(value: number | null, problem: string | null): void }) {
  const shown = props.value == null ? "" : String(props.value);
  const [text, setText] = React.useState(shown);
  const [problem, setProblem] = React.useState<string | null>(null);
  // A value from elsewhere (the record read again, Partner Center's change) replaces the text.
  React.useEffect(() => {
    if (problem === null && Number(text) !== props.value) setText(shown);
  }, [shown]);
  const change = (next: string) => {
    setText(next);
    const value = next.trim() === "" ? null : Number(next);
    const wrong =
      value !== null && (!Number.isFinite(value) || value < MONEY_RANGE.min || value > MONEY_RANGE.max)
        ? `Enter a value from ${plain(MONEY_RANGE.min)} to ${plain(MONEY_RANGE.max)}.`
        : null;
    setProblem(wrong);
    props.onChange(value, wrong);
  };
  return (
    <>
      <input type="text" inputMode="decimal" value={text} disabled={props.disabled} aria-invalid={problem !== null || undefined}
        aria-describedby={problem ? "revenue-problem" : undefined} onChange={(e) => change(e.target.value)} />
      {problem && <span id="revenue-problem" className="field-error" role="alert">{problem}</span>}
    </>
  );
}

interface FormProps {
  api: Api;
  ribbon: Ribbon;
  control: (ControlPackage & { ctor: never }) | null;
  recordId: string | null;
  accounts: Row[];
  contacts: Row[];
  currencies: Row[];
  onSaved(id: string): void;
}

function boundValues(record: Row): Record<string, BoundValue> {
  const values: Record<string, BoundValue> = {};
  for (const [prop, column] of Object.entries(OPPORTUNITY_COLUMNS)) {
    let raw = record[column] ?? null;
    if (prop === "lastSyncedOn" && typeof raw === "string") raw = new Date(raw);
    values[prop] = { raw };
  }
  values.howCanMicrosoftHelp.options = HELP_TYPES.map((h) => ({ Value: h.value, Label: HELP_TYPE_LABELS[h.code] }));
  values.referralVisibility.options = (Object.keys(REFERRAL_VISIBILITY) as Array<keyof typeof REFERRAL_VISIBILITY>)
    .map((k) => ({ Value: REFERRAL_VISIBILITY[k], Label: REFERRAL_VISIBILITY_LABELS[k] }));
  values.syncStatus.options = (Object.keys(SYNC_STATUS) as SyncStatusName[]).map((k) => ({ Value: SYNC_STATUS[k], Label: SYNC_STATUS_LABELS[k] }));
  return values;
}

function OpportunityForm(props: FormProps) {
  const { api, ribbon, recordId } = props;
  const [record, setRecord] = React.useState<Row>({});
  const [edits, setEdits] = React.useState<Row>({});
  const [message, setMessage] = React.useState<string | null>(null);
  const [enabled, setEnabled] = React.useState<Record<string, boolean>>({});
  // Form notifications by id (Xrm's formContext.ui.setFormNotification), newest last.
  const [notifications, setNotifications] = React.useState<Array<{ id: string; message: string; level: string }>>([]);
  // A save in flight: Save is disabled and any other save (the ribbon's) joins it, as in Dynamics.
  const [saving, setSaving] = React.useState(false);
  const inFlight = React.useRef<Promise<void> | null>(null);
  // Fields whose text is not a value the column can hold: the form refuses to save, as Dynamics does.
  const fieldProblems = React.useRef<Record<string, string | null>>({});
  const panelRef = React.useRef<HTMLDivElement>(null);
  const hostRef = React.useRef<PcfHost | null>(null);
  const state = React.useRef({ record, edits });
  state.current = { record, edits };

  const load = React.useCallback(async () => {
    if (!recordId) return;
    const row = await api.dvGet<Row>(`opportunities(${recordId})`);
    if (row["@odata.etag"] !== state.current.record["@odata.etag"]) setRecord(row);
  }, [api, recordId]);

  React.useEffect(() => {
    replaceEdits({});
    setMessage(null);
    setNotifications([]);
    fieldProblems.current = {};
    setRecord(recordId ? {} : { statecode: OPPORTUNITY_STATE.Open, [OPPORTUNITY_COLUMNS.syncWithPartnerCenter]: false });
    void load().catch((e) => setMessage(errorText(e)));
  }, [recordId, load]);
  // Live: another side's change shows within a second, unless the seller is editing.
  useInterval(() => {
    if (Object.keys(state.current.edits).length === 0) void load().catch(() => undefined);
  }, 1000);

  const current: Row = { ...record, ...edits };
  // The record is being opened (a saved new record reopens as itself): the form waits, as Dynamics' does.
  const opening = recordId !== null && record.opportunityid !== recordId;
  const readOnly = recordId !== null && record.statecode !== undefined && record.statecode !== OPPORTUNITY_STATE.Open;
  // Save can run before React re-renders (a click right after typing): the ref is the form's truth.
  const replaceEdits = (next: Row) => {
    state.current = { ...state.current, edits: next };
    setEdits(next);
  };
  const set = (column: string, value: unknown) => replaceEdits({ ...state.current.edits, [column]: value });
  /** What was saved leaves the edits; a change made while the save was in flight stays to be saved. */
  const keepUnsaved = (saved: Row) =>
    replaceEdits(Object.fromEntries(Object.entries(state.current.edits).filter(([column, value]) => !(column in saved) || saved[column] !== value)));

  /** One save: the changed columns, then the record read back (or the new record opened). */
  async function saveNow(): Promise<void> {
    const changes = { ...state.current.edits };
    const body: Row = {};
    for (const [column, value] of Object.entries(changes)) {
      const lookup = /^_(.+)_value$/.exec(column);
      if (!lookup) body[column] = value;
      else {
        const nav = { customerid: "customerid_account", parentcontactid: "parentcontactid", transactioncurrencyid: "transactioncurrencyid" }[lookup[1]];
        const set = { customerid: "accounts", parentcontactid: "contacts", transactioncurrencyid: "transactioncurrencies" }[lookup[1]];
        if (nav && value) body[`${nav}@odata.bind`] = `/${set}(${value})`;
      }
    }
    if (recordId) {
      // Like a model-driven form: only the changed columns, no If-Match (the service may have written
      // status columns since the form loaded; those are not the seller's to overwrite or to conflict with).
      if (Object.keys(body).length > 0) await api.dvPatch(`opportunities(${recordId})`, body);
      keepUnsaved(changes);
      await load();
    } else {
      const created = await api.dvPost<Row>("opportunities", body, true);
      replaceEdits({});
      props.onSaved(String(created.opportunityid));
    }
  }

  const form: FormModel = {
    entityName: "opportunity",
    id: () => recordId,
    isDirty: () => Object.keys(state.current.edits).length > 0,
    value: (column) => ({ ...state.current.record, ...state.current.edits })[column],
    readOnly: () => readOnly,
    notify: (id, note) => setNotifications((list) => [...list.filter((n) => n.id !== id), ...(note ? [{ id, ...note }] : [])]),
    save: () => {
      const problems = Object.values(fieldProblems.current).filter(Boolean);
      if (problems.length > 0) return Promise.reject(new Error(problems.join("\n")));
      if (!inFlight.current) {
        setSaving(true);
        inFlight.current = saveNow().finally(() => {
          inFlight.current = null;
          setSaving(false);
        });
      }
      return inFlight.current;
    },
    refresh: async () => {
      replaceEdits({});
      await load();
    },
  };
  const formContext = formContextOf(form);

  // Enable rules come from the real ribbon script, evaluated against the live form.
  React.useEffect(() => {
    let cancelled = false;
    const rules = { syncNow: "canSyncNow", acceptReferral: "canRespond", declineReferral: "canRespond", openInPartnerCenter: "canOpenInPartnerCenter" };
    void Promise.all(
      Object.entries(rules).map(async ([command, rule]) => [command, Boolean(await ribbon[rule]?.(formContext))] as const),
    ).then((pairs) => {
      const next = Object.fromEntries(pairs);
      // Only a real change re-renders: this effect runs after every render.
      if (!cancelled) setEnabled((prev) => (JSON.stringify(prev) === JSON.stringify(next) ? prev : next));
    });
    return () => { cancelled = true; };
  });

  // The Co-sell panel, hosted like a model-driven form hosts it. Layout effects, so the panel is
  // re-rendered within the commit: a re-render left pending until the next event (a passive effect)
  // is flushed by React as that event starts, and writes the old text over what was just typed.
  React.useLayoutEffect(() => {
    if (!props.control || !panelRef.current) return;
    const host = new PcfHost(props.control as never, {
      api,
      container: panelRef.current,
      recordId,
      languageId: USER_LANGUAGE,
      disabled: readOnly,
      values: () => boundValues({ ...state.current.record, ...state.current.edits }),
      onOutputs: (outputs) => {
        for (const [prop, value] of Object.entries(outputs)) {
          const column = OPPORTUNITY_COLUMNS[prop as keyof typeof OPPORTUNITY_COLUMNS];
          if (column) set(column, value ?? null);
        }
      },
    });
    hostRef.current = host;
    return () => { host.destroy(); hostRef.current = null; };
  }, [props.control, recordId]);
  React.useLayoutEffect(() => hostRef.current?.update({ disabled: readOnly, recordId }));

  const run = (command: string) => async () => {
    setMessage(null);
    try {
      await ribbon[command](formContext);
    } catch (e) {
      setMessage(errorText(e));
    }
  };
  const saveClick = async () => {
    setMessage(null);
    try {
      await form.save();
    } catch (e) {
      setMessage(`Not saved: ${errorText(e)}`);
    }
  };
  const close = async (won: boolean, reason?: CloseReasonCode) => {
    if (!recordId) return;
    setMessage(null);
    try {
      if (!won && reason) await api.dvPatch(`opportunities(${recordId})`, { [OPPORTUNITY_COLUMNS.closeReason]: closeReasonValue(reason) });
      await api.dvPost(won ? "WinOpportunity" : "LoseOpportunity", {
        OpportunityClose: { subject: won ? "Won" : "Lost", "opportunityid@odata.bind": `/opportunities(${recordId})` },
        Status: won ? OPPORTUNITY_STATUS.Won : OPPORTUNITY_STATUS.OutSold,
      });
      await load();
    } catch (e) {
      setMessage(errorText(e));
    }
  };
  const [lostReason, setLostReason] = React.useState<CloseReasonCode>(3);
  const stateLabel = ["Open", "Won", "Lost"][Number(current.statecode ?? 0)];

  return (
    <section className="form" aria-label="Opportunity form" aria-busy={saving || opening || undefined}>
      {/* As in Dynamics, the form is covered while it saves: what is typed meanwhile would be lost when a new record reopens. */}
      {(saving || opening) && <div className="saving-overlay" role="status">{saving ? "Saving…" : "Loading…"}</div>}
      <div className="ribbon" role="toolbar" aria-label="Command bar">
        <button onClick={saveClick} disabled={readOnly || saving} aria-busy={saving || undefined}>{saving ? "Saving…" : "Save"}</button>
        {enabled.syncNow && <button onClick={run("syncNow")}>Sync now</button>}
        {enabled.openInPartnerCenter && <button onClick={run("openInPartnerCenter")}>Open in Partner Center</button>}
        {enabled.acceptReferral && <button onClick={run("acceptReferral")}>Accept referral</button>}
        {enabled.declineReferral && <button onClick={run("declineReferral")}>Decline referral</button>}
        {recordId && !readOnly && <button onClick={() => close(true)}>Close as won</button>}
        {recordId && !readOnly && (
          <span className="lost">
            <button onClick={() => close(false, lostReason)}>Close as lost</button>
            <select aria-label="Lost reason" value={lostReason} onChange={(e) => setLostReason(Number(e.target.value) as CloseReasonCode)}>
              {CLOSE_REASONS.map((r) => <option key={r.code} value={r.code}>{r.text}</option>)}
            </select>
          </span>
        )}
      </div>
      {message && <div className="error" role="alert">{message}</div>}
      {notifications.map((n) => (
        <div key={n.id} className={`notification ${n.level.toLowerCase()}`} role={n.level === "ERROR" ? "alert" : "status"} data-testid="form-notification">
          {n.message}
        </div>
      ))}
      <h2>{String(current.name ?? "New opportunity")} <small data-testid="opportunity-state">{stateLabel}</small></h2>
      <div className="fields">
        <label>Topic<input value={String(current.name ?? "")} disabled={readOnly} onChange={(e) => set("name", e.target.value)} /></label>
        <label>Customer (account)
          <select value={String(current._customerid_value ?? "")} disabled={readOnly} onChange={(e) => set("_customerid_value", e.target.value || null)}>
            <option value="">—</option>
            {props.accounts.map((a) => <option key={String(a.accountid)} value={String(a.accountid)}>{String(a.name)}</option>)}
          </select>
        </label>
        <label>Contact
          <select value={String(current._parentcontactid_value ?? "")} disabled={readOnly} onChange={(e) => set("_parentcontactid_value", e.target.value || null)}>
            <option value="">—</option>
            {props.contacts.map((c) => <option key={String(c.contactid)} value={String(c.contactid)}>{`${c.firstname ?? ""} ${c.lastname ?? ""}`}</option>)}
          </select>
        </label>
        <label>Est. revenue
          <MoneyInput value={current.estimatedvalue as number | null | undefined} disabled={readOnly}
            onChange={(value, problem) => {
              fieldProblems.current = { ...fieldProblems.current, estimatedvalue: problem && `Est. revenue: ${problem}` };
              if (!problem) set("estimatedvalue", value);
              else setMessage(null);
            }} />
        </label>
        <label>Currency
          <select value={String(current._transactioncurrencyid_value ?? "")} disabled={readOnly} onChange={(e) => set("_transactioncurrencyid_value", e.target.value || null)}>
            <option value="">—</option>
            {props.currencies.map((c) => <option key={String(c.transactioncurrencyid)} value={String(c.transactioncurrencyid)}>{String(c.isocurrencycode)}</option>)}
          </select>
        </label>
        <label>Est. close date
          <input type="date" value={String(current.estimatedclosedate ?? "")} disabled={readOnly} onChange={(e) => set("estimatedclosedate", e.target.value || null)} />
        </label>
        <label className="wide">Description
          <textarea value={String(current.description ?? "")} disabled={readOnly} onChange={(e) => set("description", e.target.value)} />
        </label>
      </div>
      <h3>Microsoft Co-sell</h3>
      <div ref={panelRef} className="panel-host" data-testid="cosell-panel" />
      {!props.control && <p className="muted">The Co-sell panel bundle is not built: run <code>npm run build</code>.</p>}
    </section>
  );
}

// ---------- the Partner Center view (the Microsoft seller) ----------
const INCOMING_FIELDS = [
  ["name", "Deal name"], ["customerName", "Customer name"], ["country", "Country (ISO-2)"], ["city", "City"],
  ["postalCode", "Postal code"], ["dealValue", "Deal value"], ["currency", "Currency (ISO 4217)"],
  ["solutionIds", "Solution IDs"], ["contactFirst", "Customer contact first name"], ["contactLast", "Customer contact last name"],
  ["contactEmail", "Customer contact email"],
] as const;
function PartnerCenterView({ api }: { api: Api }) {
  const [referrals, setReferrals] = React.useState<Row[]>([]);
  const [selected, setSelected] = React.useState<string | null>(null);
  const [message, setMessage] = React.useState<string | null>(null);
  const [draft, setDraft] = React.useState({ name: "Fabrikam cloud migration", customerName: "Fabrikam Inc", country: "US", city: "Redmond", postalCode: "98052", dealValue: 80000, currency: "USD", assistanceRequestCode: "ProofOfConceptOrDemo", solutionIds: "SOL-15974-MQF", contactFirst: "Dana", contactLast: "Lee", contactEmail: "dana.lee@fabrikam.example" });
  const [change, setChange] = React.useState({ dealValue: "", notes: "", solutionIds: "", microsoftMsxId: "" });

  const load = React.useCallback(() => api.referrals().then(setReferrals).catch((e) => setMessage(errorText(e))), [api]);
  React.useEffect(() => void load(), [load]);
  React.useEffect(() => {
    showReferral = (id) => {
      setSelected(id);
      requestAnimationFrame(() => document.querySelector(`[data-referral-id="${CSS.escape(id)}"]`)?.scrollIntoView({ block: "nearest" }));
    };
    return () => { showReferral = () => undefined; };
  }, []);
  useInterval(() => void load(), 1000);

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
      solutionIds: draft.solutionIds.split(/[;,\s]+/).filter(Boolean),
      customerContact: { firstName: draft.contactFirst, lastName: draft.contactLast, email: draft.contactEmail },
    }),
  );
  const current = referrals.find((r) => r.id === selected);
  const details = (r: Row) => (r.details ?? {}) as Row;

  return (
    <section className="pc" aria-label="Partner Center">
      <h2>Partner Center <small>acting as the Microsoft seller</small></h2>
      {message && <div className="error" role="alert">{message}</div>}
      <table aria-label="Referrals">
        <thead><tr><th>Referral</th><th>Customer</th><th>Direction</th><th>Status</th><th>Deal value</th></tr></thead>
        <tbody>
          {referrals.map((r) => (
            <tr key={String(r.id)} className={r.id === selected ? "selected" : ""} onClick={() => setSelected(String(r.id))} data-referral-id={String(r.id)}>
              <td>{String(r.name)}</td>
              <td>{String((r.customerProfile as Row | undefined)?.name ?? "")}</td>
              <td>{String(r.direction ?? "")}</td>
              <td data-testid="referral-status">{`${r.status}/${r.substatus}`}</td>
              <td>{details(r).dealValue == null ? "" : `${details(r).dealValue} ${details(r).currency ?? ""}`}</td>
            </tr>
          ))}
          {referrals.length === 0 && <tr><td colSpan={5} className="muted">No referrals yet.</td></tr>}
        </tbody>
      </table>
      {current && (
        <div className="card" aria-label="Selected referral">
          <h3>{String(current.name)}</h3>
          <p className="muted">{String(current.id)} · notes: {String(details(current).notes ?? "—")} · closing {String(details(current).closingDateTime ?? "—").slice(0, 10)}</p>
          <p className="muted" data-testid="referral-sharing">
            {(current.consent as Row | undefined)?.consentToShareReferralWithMicrosoftSellers === false ? "Private: not shared with Microsoft sellers" : "Visible to Microsoft sellers"}
            {" · Microsoft CRM ID: "}{String((current.trackingInfo as Row | undefined)?.microsoftMsxId ?? "—")}
          </p>
          <label>New deal value<input aria-label="New deal value" type="number" value={change.dealValue} onChange={(e) => setChange({ ...change, dealValue: e.target.value })} /></label>
          <label>Notes<input aria-label="Microsoft notes" value={change.notes} onChange={(e) => setChange({ ...change, notes: e.target.value })} /></label>
          <label>Solution IDs (SOL-… or GUIDs, ; separated)<input aria-label="Microsoft solution IDs" placeholder={((details(current).requirements as Row | undefined)?.solutions as Row[] | undefined ?? []).map((x) => String(x.id)).join("; ")} value={change.solutionIds} onChange={(e) => setChange({ ...change, solutionIds: e.target.value })} /></label>
          <label>Microsoft CRM ID<input aria-label="Microsoft CRM ID" value={change.microsoftMsxId} onChange={(e) => setChange({ ...change, microsoftMsxId: e.target.value })} /></label>
          <button onClick={act(() => api.seller("PATCH", `referrals/${current.id}`, {
            ...(change.dealValue !== "" ? { dealValue: Number(change.dealValue) } : {}),
            ...(change.notes !== "" ? { notes: change.notes } : {}),
            ...(change.solutionIds !== "" ? { solutionIds: change.solutionIds.split(/[;,\s]+/).filter(Boolean) } : {}),
            ...(change.microsoftMsxId !== "" ? { microsoftMsxId: change.microsoftMsxId } : {}),
          }))}>Update referral</button>
          <button onClick={act(() => api.seller("POST", `referrals/${current.id}/close`, { outcome: "Won" }))}>Close as Won</button>
          <button onClick={act(() => api.seller("POST", `referrals/${current.id}/close`, { outcome: "Lost", reason: "Customer chose another vendor" }))}>Close as Lost</button>
        </div>
      )}
      <details className="card">
        <summary>New incoming co-sell referral</summary>
        {INCOMING_FIELDS.map(([k, label]) => (
          <label key={k}>{label}<input aria-label={`Incoming ${k}`} value={String(draft[k])} onChange={(e) => setDraft({ ...draft, [k]: e.target.value })} /></label>
        ))}
        <label>How can the partner help?
          <select value={draft.assistanceRequestCode} onChange={(e) => setDraft({ ...draft, assistanceRequestCode: e.target.value })}>
            {ASSISTANCE_REQUEST_CODES.filter((c) => c !== "Unknown").map((c) => <option key={c}>{c}</option>)}
          </select>
        </label>
        <button onClick={createIncoming}>Send referral to partner</button>
      </details>
    </section>
  );
}

// ---------- the sync-health view ----------
type Health = HealthReport;
type MinuteFigures = HealthReport["counters"]["perMinute"][number];

/** Events and errors (left axis) and p50 / p99 latency (right axis) per minute, with uPlot. */
function MinuteChart({ rows }: { rows: MinuteFigures[] }) {
  const box = React.useRef<HTMLDivElement>(null);
  const chart = React.useRef<uPlot | null>(null);
  React.useEffect(() => {
    const data: uPlot.AlignedData = [
      rows.map((r) => Date.parse(r.minute) / 1000), rows.map((r) => r.events), rows.map((r) => r.errors), rows.map((r) => r.p50), rows.map((r) => r.p99),
    ];
    if (chart.current) chart.current.setData(data);
    else if (box.current) {
      chart.current = new uPlot({
        width: 340, height: 170,
        series: [
          {},
          { label: "events", stroke: "#0078d4", scale: "n" },
          { label: "errors", stroke: "#a80000", scale: "n" },
          { label: "p50 ms", stroke: "#107c10", scale: "ms" },
          { label: "p99 ms", stroke: "#8a6d00", scale: "ms" },
        ],
        axes: [{}, { scale: "n" }, { scale: "ms", side: 1, grid: { show: false } }],
      }, data, box.current);
    }
  }, [rows]);
  React.useEffect(() => () => chart.current?.destroy(), []);
  return <div ref={box} className="chart" role="img" aria-label="Events, errors and latency per minute" data-testid="health-chart" />;
}

const ms = (v: number | null | undefined) => (v == null ? "—" : `${Math.round(v)} ms`);

function HealthView({ api, onOpen }: { api: Api; onOpen(opportunityId: string): void }) {
  const [health, setHealth] = React.useState<Health | null>(null);
  const [stuck, setStuck] = React.useState<StuckRecord[]>([]);
  const [error, setError] = React.useState<string | null>(null);
  useInterval(() => void Promise.all([api.health(), api.stuckRecords()])
    .then(([h, records]) => { setHealth(h as unknown as Health); setStuck(records as StuckRecord[]); setError(null); })
    .catch((e) => setError(errorText(e))), 1000);
  const c = health?.counters;
  const errors = Object.entries(c?.errorsByCode ?? {});
  const r = health?.lastReconcile;
  return (
    <section className="health" aria-label="Sync health">
      <h2>Sync health</h2>
      {error && <div className="error">The service did not answer: {error}</div>}
      {!health && !error && <p className="muted">Waiting for the service…</p>}
      {health && c && (
        <dl className="metrics" data-testid="health">
          <dt>Partner Center sign-in</dt>
          <dd className={health.partnerCenter.credential === "ok" ? "ok" : "bad"}>{health.partnerCenter.credential === "ok" ? "✔ healthy" : `✘ ${health.partnerCenter.credential}${health.partnerCenter.detail ? `: ${health.partnerCenter.detail}` : ""}`}</dd>
          <dt>Events processed</dt>
          <dd>{c.eventsProcessed} <small className="muted">{Object.entries(c.eventsByTrigger).map(([t, n]) => `${t} ${n}`).join(" · ")}</small></dd>
          <dt>Latency p50 / p99</dt>
          <dd>{ms(c.latencyMs.p50)} / {ms(c.latencyMs.p99)} <small className="muted">over {c.latencyMs.samples} syncs</small></dd>
          <dt>Needing attention</dt>
          <dd>{health.stuck == null ? "unknown (Dataverse did not answer)" : health.stuck === 0 ? "none" : `${health.stuck} deal${health.stuck === 1 ? "" : "s"}`}</dd>
          <dt>Errors by code</dt>
          <dd>{errors.length === 0 ? "none" : errors.map(([code, n]) => <span key={code} className="code">{code} × {n}</span>)}</dd>
          <dt>Try it</dt>
          <dd>
            <button onClick={() => void api.setSignInExpired(health.partnerCenter.credential === "ok").catch((e) => setError(errorText(e)))}>
              {health.partnerCenter.credential === "ok" ? "Make the Partner Center sign-in expire" : "Sign in to Partner Center again"}
            </button>
          </dd>
          <dt>Last reconcile</dt>
          <dd>{r ? `${new Date(r.finishedAt ?? r.startedAt).toLocaleTimeString()} · ${r.pairs} pairs, ${r.written} written, ${r.failed} failed` : "not yet"}</dd>
        </dl>
      )}
      {health && c && c.perMinute.length > 0 && <MinuteChart rows={c.perMinute} />}
      {stuck.length > 0 && (
        <>
          <h3 id="stuck-heading">Deals needing attention</h3>
          <ul className="stuck" aria-labelledby="stuck-heading" data-testid="stuck">
            {stuck.map((s) => (
              <li key={s.opportunityId} data-opportunity-id={s.opportunityId}>
                <button className="link" onClick={() => onOpen(s.opportunityId)}>{s.topic ?? "(no topic)"}</button>{" "}
                <small className="muted">{SYNC_STATUS_LABELS[s.status] ?? s.status} since {new Date(s.since).toLocaleString()}</small>
                <div className="pre fix">{s.fix}</div>
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}

// ---------- the user's language ----------
/** As in Dynamics' personal options: the user's language, kept across visits; changing it reloads the app. */
const LANGUAGE_KEY = "cosell-sandbox.userlcid";
const LANGUAGES = [{ lcid: 1033, name: "English" }, { lcid: 1042, name: "한국어" }];
const USER_LANGUAGE = ((): number => {
  const saved = Number(localStorage.getItem(LANGUAGE_KEY));
  return LANGUAGES.some((l) => l.lcid === saved) ? saved : 1033;
})();

function LanguageSwitch() {
  return (
    <label className="language">
      Language{" "}
      <select value={USER_LANGUAGE} onChange={(e) => { localStorage.setItem(LANGUAGE_KEY, e.target.value); location.reload(); }}>
        {LANGUAGES.map((l) => <option key={l.lcid} value={l.lcid}>{l.name}</option>)}
      </select>
    </label>
  );
}

// ---------- the page ----------
function App({ api, ribbon, control }: { api: Api; ribbon: Ribbon; control: FormProps["control"] }) {
  const [opportunities, setOpportunities] = React.useState<Row[]>([]);
  const [lookups, setLookups] = React.useState<{ accounts: Row[]; contacts: Row[]; currencies: Row[] }>({ accounts: [], contacts: [], currencies: [] });
  const [recordId, setRecordId] = React.useState<string | null>(null);
  const [creating, setCreating] = React.useState(false);

  const load = React.useCallback(async () => {
    const [o, a, c, cur] = await Promise.all([
      api.dvGet<{ value: Row[] }>(OPPORTUNITY_QUERY),
      api.dvGet<{ value: Row[] }>("accounts?$select=accountid,name&$orderby=name asc"),
      api.dvGet<{ value: Row[] }>("contacts?$select=contactid,firstname,lastname&$orderby=lastname asc"),
      api.dvGet<{ value: Row[] }>("transactioncurrencies?$select=transactioncurrencyid,isocurrencycode"),
    ]);
    setOpportunities(o.value);
    setLookups({ accounts: a.value, contacts: c.value, currencies: cur.value });
    setRecordId((id) => id ?? (creating ? null : (o.value[0]?.opportunityid as string | undefined) ?? null));
  }, [api, creating]);
  React.useEffect(() => void load().catch(() => undefined), [load]);
  useInterval(() => void load().catch(() => undefined), 1000);

  return (
    <>
      <header>
        <h1>Co-sell Connector sandbox</h1><span className="muted">Dynamics 365 ⇄ companion service ⇄ Partner Center, all on this machine</span>
        <LanguageSwitch />
      </header>
      <main>
        <nav aria-label="Opportunities">
          <h2>Opportunities</h2>
          <button onClick={() => { setCreating(true); setRecordId(null); }}>+ New opportunity</button>
          <ul>
            {opportunities.map((o) => {
              const status = syncStatusName(o[OPPORTUNITY_COLUMNS.syncStatus] as number | null);
              return (
                <li key={String(o.opportunityid)}>
                  <button className={o.opportunityid === recordId ? "selected" : ""} onClick={() => { setCreating(false); setRecordId(String(o.opportunityid)); }}>
                    {o.name ? String(o.name) : <em>(no topic)</em>}<br /><small>{status ? SYNC_STATUS_LABELS[status] : "Not synced"}</small>
                  </button>
                </li>
              );
            })}
          </ul>
        </nav>
        <OpportunityForm api={api} ribbon={ribbon} control={control} recordId={recordId} {...lookups}
          onSaved={(id) => { setCreating(false); setRecordId(id); void load(); }} />
        <div className="side">
          <PartnerCenterView api={api} />
          <HealthView api={api} onOpen={(id) => { setCreating(false); setRecordId(id); }} />
        </div>
      </main>
      <Dialogs />
    </>
  );
}

async function boot() {
  const config = (await (await fetch("/config.json")).json()) as SandboxConfig;
  const api = createApi(config);
  (window as unknown as { Xrm: unknown }).Xrm = createXrm(api, dialogUi, USER_LANGUAGE);
  await new Promise<void>((resolve, reject) => {
    const s = document.createElement("script");
    s.src = "/webresources/cosell_/ribbon.js";
    s.onload = () => resolve();
    s.onerror = () => reject(new Error("ribbon.js is not built: run npm run build"));
    document.head.appendChild(s);
  });
  const ribbon = (window as unknown as { CoSell: { Ribbon: Ribbon } }).CoSell.Ribbon;
  const control = await loadControl("/controls/CoSellPanel", USER_LANGUAGE).catch((e) => {
    console.error(e);
    return null;
  });
  ReactDOM.render(<App api={api} ribbon={ribbon} control={control as FormProps["control"]} />, document.getElementById("root"));
}

void boot().catch((e) => {
  document.getElementById("root")!.textContent = `The sandbox page could not start: ${errorText(e)}`;
});
