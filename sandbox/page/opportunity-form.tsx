/**
 * The Opportunity form: its main fields, the real ribbon web resource's commands (with the ribbon's
 * own enable rules), form notifications, and the real Co-sell panel hosted as a model-driven form
 * hosts it. Fluent 8 throughout, the panel's own copy.
 */
import * as React from "react";
import {
  CommandBarButton, DefaultButton, Dialog, DialogFooter, DialogType, Dropdown, FocusZone, FocusZoneDirection, MessageBar, MessageBarType,
  Overlay, PrimaryButton, Spinner, SpinnerSize, TextField,
} from "@fluentui/react";
import {
  HELP_TYPES, HELP_TYPE_LABELS, OPPORTUNITY_COLUMNS, OPPORTUNITY_STATE, OPPORTUNITY_STATUS, REFERRAL_VISIBILITY, REFERRAL_VISIBILITY_LABELS,
  SYNC_STATUS, SYNC_STATUS_LABELS, closeReasonValue, type SyncStatusName,
} from "../../sync/schema/dynamics";
import { CLOSE_REASONS, type CloseReasonCode } from "../../sync/schema/referral";
import type { Api } from "./web-api";
import { PcfHost, type BoundValue, type ControlPackage } from "./pcf-host";
import { formContextOf, type FormModel } from "./xrm";
import { errorText, useInterval, type Row } from "./shared";
import { LookupField, MoneyField } from "./fields";
import { USER_LANGUAGE } from "./language";

export type Ribbon = Record<string, (primaryControl: unknown) => unknown>;
export type LoadedControl = (ControlPackage & { ctor: never }) | null;

export interface FormProps {
  api: Api;
  ribbon: Ribbon;
  control: LoadedControl;
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

/** Lookup navigation properties and entity sets of the form's lookup columns (`_x_value`). */
const LOOKUPS: Record<string, { nav: string; set: string }> = {
  customerid: { nav: "customerid_account", set: "accounts" },
  parentcontactid: { nav: "parentcontactid", set: "contacts" },
  transactioncurrencyid: { nav: "transactioncurrencyid", set: "transactioncurrencies" },
};

/** The Web API body of the changed columns: lookups as @odata.bind, the rest as they are. */
function changeBody(changes: Row): Row {
  const body: Row = {};
  for (const [column, value] of Object.entries(changes)) {
    const lookup = /^_(.+)_value$/.exec(column);
    if (!lookup) body[column] = value;
    else {
      const target = LOOKUPS[lookup[1]];
      if (target && value) body[`${target.nav}@odata.bind`] = `/${target.set}(${value})`;
    }
  }
  return body;
}

const NOTIFICATION_TYPES: Record<string, MessageBarType> = { INFO: MessageBarType.info, WARNING: MessageBarType.warning, ERROR: MessageBarType.error };

/** Dynamics' Close Opportunity dialog for a lost deal: the reason, then close. */
function CloseAsLostDialog(props: { open: boolean; onClose(reason: CloseReasonCode | null): void }) {
  const [reason, setReason] = React.useState<CloseReasonCode>(3);
  return (
    <Dialog
      hidden={!props.open}
      onDismiss={() => props.onClose(null)}
      dialogContentProps={{ type: DialogType.normal, title: "Close opportunity as lost" }}
      modalProps={{ isBlocking: true, isAlert: false }}
      minWidth={360}
    >
      <Dropdown label="Lost reason" selectedKey={reason} options={CLOSE_REASONS.map((r) => ({ key: r.code, text: r.text }))}
        onChange={(_, o) => o && setReason(Number(o.key) as CloseReasonCode)} />
      <DialogFooter>
        <PrimaryButton text="Close as lost" onClick={() => props.onClose(reason)} />
        <DefaultButton text="Cancel" onClick={() => props.onClose(null)} />
      </DialogFooter>
    </Dialog>
  );
}

export function OpportunityForm(props: FormProps) {
  const { api, ribbon, recordId } = props;
  const [record, setRecord] = React.useState<Row>({});
  const [edits, setEdits] = React.useState<Row>({});
  const [message, setMessage] = React.useState<string | null>(null);
  const [enabled, setEnabled] = React.useState<Record<string, boolean>>({});
  const [losing, setLosing] = React.useState(false);
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
    const body = changeBody(changes);
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
  const stateLabel = ["Open", "Won", "Lost"][Number(current.statecode ?? 0)];
  const lookup = (label: string, column: string, options: Array<{ key: string; text: string }>) => (
    <LookupField label={label} value={current[column]} options={options} disabled={readOnly} onChange={(id) => set(column, id)} />
  );
  const command = (text: string, onClick: () => unknown) => <CommandBarButton className="command" text={text} onClick={() => void onClick()} />;

  return (
    <section className="card form" aria-label="Opportunity form" aria-busy={saving || opening || undefined}>
      {/* As in Dynamics, the form is covered while it saves: what is typed meanwhile would be lost when a new record reopens. */}
      {(saving || opening) && (
        <Overlay className="saving-overlay">
          <div role="status"><Spinner size={SpinnerSize.large} label={saving ? "Saving…" : "Loading…"} /></div>
        </Overlay>
      )}
      <FocusZone as="div" direction={FocusZoneDirection.horizontal} className="ribbon" role="toolbar" aria-label="Command bar">
        <CommandBarButton className="command" text={saving ? "Saving…" : "Save"} onClick={() => void saveClick()} disabled={readOnly || saving} aria-busy={saving || undefined} />
        {enabled.syncNow && command("Sync now", run("syncNow"))}
        {enabled.openInPartnerCenter && command("Open in Partner Center", run("openInPartnerCenter"))}
        {enabled.acceptReferral && command("Accept referral", run("acceptReferral"))}
        {enabled.declineReferral && command("Decline referral", run("declineReferral"))}
        {recordId && !readOnly && command("Close as won", () => close(true))}
        {recordId && !readOnly && command("Close as lost", () => setLosing(true))}
      </FocusZone>
      <CloseAsLostDialog open={losing} onClose={(reason) => { setLosing(false); if (reason !== null) void close(false, reason); }} />
      {message && <MessageBar messageBarType={MessageBarType.error} className="pre">{message}</MessageBar>}
      {notifications.map((n) => (
        <div key={n.id} data-testid="form-notification">
          <MessageBar messageBarType={NOTIFICATION_TYPES[n.level] ?? MessageBarType.info}>{n.message}</MessageBar>
        </div>
      ))}
      <h2>{String(current.name ?? "New opportunity")} <small data-testid="opportunity-state">{stateLabel}</small></h2>
      <div className="fields">
        <TextField label="Topic" value={String(current.name ?? "")} disabled={readOnly} onChange={(_, v) => set("name", v ?? "")} />
        {lookup("Customer (account)", "_customerid_value", props.accounts.map((a) => ({ key: String(a.accountid), text: String(a.name) })))}
        {lookup("Contact", "_parentcontactid_value", props.contacts.map((c) => ({ key: String(c.contactid), text: `${c.firstname ?? ""} ${c.lastname ?? ""}`.trim() })))}
        <MoneyField label="Est. revenue" value={current.estimatedvalue as number | null | undefined} disabled={readOnly}
          onChange={(value, problem) => {
            fieldProblems.current = { ...fieldProblems.current, estimatedvalue: problem && `Est. revenue: ${problem}` };
            if (!problem) set("estimatedvalue", value);
            else setMessage(null);
          }} />
        {lookup("Currency", "_transactioncurrencyid_value", props.currencies.map((c) => ({ key: String(c.transactioncurrencyid), text: String(c.isocurrencycode) })))}
        <TextField label="Est. close date" type="date" value={String(current.estimatedclosedate ?? "")} disabled={readOnly}
          onChange={(_, v) => set("estimatedclosedate", v || null)} />
        <TextField className="wide" label="Description" multiline rows={3} value={String(current.description ?? "")} disabled={readOnly}
          onChange={(_, v) => set("description", v ?? "")} />
      </div>
      <h3>Microsoft Co-sell</h3>
      <div ref={panelRef} className="panel-host" data-testid="cosell-panel" />
      {!props.control && <p className="muted">The Co-sell panel bundle is not built: run <code>npm run build</code>.</p>}
    </section>
  );
}
