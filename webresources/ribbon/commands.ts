/**
 * The Opportunity form's co-sell commands and their enable rules. Each command saves a dirty form
 * first, shows progress while the Custom API runs, then refreshes the form so the panel shows the
 * outcome the co-sell service recorded. A failed call always ends in a dialog that says what happened.
 */
import { OPPORTUNITY_COLUMNS, SYNC_STATUS, type ReferralDecision, type SyncResult } from "../../sync/schema/dynamics";
import { recordedErrorLines, syncErrorCodeOf } from "../../sync/schema/sync-errors";
import { CLOSE_REASONS, isPartnerCenterLink } from "../../sync/schema/referral";
import { describeFailure } from "./failures";
import { textsFor, type Texts } from "../texts";
import type { RibbonHost } from "./host";
import { respondToReferralRequest, syncOpportunityRequest, type CustomApiRequest } from "./requests";

/** The slice of Xrm.FormContext the commands touch. */
export type FormContext = Pick<Xrm.FormContext, "data" | "getAttribute" | "ui">;

const FORM_TYPE_CREATE = 1;
/** Closed opportunities open as a read-only (3) or disabled (4) form. */
const FORM_TYPES_CLOSED = [3, 4];
const STATE_OPEN = 0;
/** One notification for Sync now's outcome: a new click replaces it instead of stacking another. */
export const SYNC_NOW_NOTIFICATION = "cosell_syncnow";
/** Statuses Partner Center no longer takes updates in: Sync now would send nothing. */
const FINISHED_IN_PARTNER_CENTER: readonly number[] = [SYNC_STATUS.ClosedInPartnerCenter, SYNC_STATUS.ExpiredInPartnerCenter];

function attributeValue(form: FormContext, column: string): unknown {
  return form.getAttribute(column)?.getValue() ?? null;
}

/** The record id without braces, or null while the record has never been saved. */
export function savedRecordId(form: FormContext): string | null {
  const id = form.data.entity.getId().replace(/[{}]/g, "").trim();
  return id === "" ? null : id.toLowerCase();
}

/** The decline dialog answers `{ reasonCode }`; anything else (closed, cancelled) means no decision. */
export function declineReasonFrom(dialogResult: unknown): string | null {
  const value = (dialogResult as { returnValue?: { reasonCode?: unknown } } | undefined)?.returnValue;
  const reason = CLOSE_REASONS.find((r) => r.code === value?.reasonCode);
  return reason ? reason.text : null;
}

export interface RibbonCommands {
  syncNow(form: FormContext): Promise<void>;
  acceptReferral(form: FormContext): Promise<void>;
  declineReferral(form: FormContext): Promise<void>;
  openInPartnerCenter(form: FormContext): Promise<void>;
  canSyncNow(form: FormContext): boolean;
  canRespond(form: FormContext): boolean;
  canOpenInPartnerCenter(form: FormContext): boolean;
}

const time = (value: unknown): number | null => (value instanceof Date ? value.getTime() : typeof value === "string" ? Date.parse(value) : null);

/**
 * What Sync now did, read off what the service recorded (the Custom API answers 204 either way):
 * an error status carries the first line of its text (the panel lists the fixes); otherwise the sync
 * events recorded since the click say whether anything was sent or taken — the save before the call
 * may have sent the seller's edit itself, and then the call finds nothing left to send, yet the deal
 * is synced. Should the events not be readable (`undefined`), a new "last synced" time says synced.
 */
export function syncNowOutcome(
  form: FormContext, lastSyncedBefore: unknown, since: ReadonlyArray<SyncResult | null> | undefined, t: Texts = textsFor(1033),
): { message: string; level: Xrm.FormNotificationLevel } {
  const status = attributeValue(form, OPPORTUNITY_COLUMNS.syncStatus);
  if (status === SYNC_STATUS.Error || status === SYNC_STATUS.SignInExpired) {
    const error = recordedErrorLines(attributeValue(form, OPPORTUNITY_COLUMNS.syncError));
    const fix = error.length > 1 ? t.fixesListed : "";
    // A known code is worded by the panel in the user's language; an unknown one (an older service) is quoted as recorded.
    const worded = !t.quotesRecordedErrors && syncErrorCodeOf(attributeValue(form, OPPORTUNITY_COLUMNS.syncErrorCode)) !== null;
    return { level: "ERROR", message: t.notSynced.replace("{0}", (!worded && error[0]) || t.seeSection) + (worded ? "" : fix) };
  }
  const synced = since === undefined || since.length === 0
    ? time(attributeValue(form, OPPORTUNITY_COLUMNS.lastSyncedOn)) !== time(lastSyncedBefore)
    : since.some((result) => result === "success");
  return { level: "INFO", message: synced ? t.synced : t.nothingToSend };
}

/** Events one Sync now looks back over for its outcome: its own, and the save's before it. */
const OUTCOME_EVENTS = 10;

export function createRibbonCommands(host: RibbonHost): RibbonCommands {
  /** The user's language is read at each command: it is a setting the user can change. */
  const words = (): Texts => textsFor(host.languageId());
  /** Sync now runs per opportunity: a click while one runs joins it (one call, one timeline row). */
  const syncing = new Map<string, Promise<void>>();

  /** Saves if needed, then runs one Custom API call. Resolves in every case; failures end in a dialog. */
  async function run(form: FormContext, progress: string, request: (id: string) => CustomApiRequest, outcome?: (id: string, before: unknown) => Promise<void>): Promise<void> {
    try {
      if (form.data.entity.getIsDirty()) await form.data.save();
    } catch (error) {
      await host.showError(words().failures.saveFailed, describeFailure(error).details);
      return;
    }
    const id = savedRecordId(form);
    if (!id) {
      await host.showAlert(words().saveFirstTitle, words().saveFirst);
      return;
    }
    let failure: unknown;
    let failed = false;
    const before = attributeValue(form, OPPORTUNITY_COLUMNS.lastSyncedOn);
    form.ui.clearFormNotification?.(SYNC_NOW_NOTIFICATION);
    host.showProgress(progress);
    try {
      const response = await host.execute(request(id));
      if (!response.ok) {
        failed = true;
        failure = response;
      }
    } catch (error) {
      failed = true;
      failure = error;
    } finally {
      host.hideProgress();
    }
    // Refresh either way: the service may have recorded an outcome (status, error, history) before failing.
    try {
      await form.data.refresh(false);
    } catch {
      // A failed refresh leaves the old values on screen; the dialog below still tells what happened.
    }
    if (failed) {
      const { message, details } = describeFailure(failure, words().failures);
      await host.showError(message, details);
    } else {
      await outcome?.(id, before);
    }
  }

  const syncOn = (form: FormContext): boolean => attributeValue(form, OPPORTUNITY_COLUMNS.syncWithPartnerCenter) === true;
  const link = (form: FormContext): unknown => attributeValue(form, OPPORTUNITY_COLUMNS.referralLink);
  const isSaved = (form: FormContext): boolean => savedRecordId(form) !== null && form.ui.getFormType() !== FORM_TYPE_CREATE;
  // The state column is on most opportunity forms; where it is not, a closed record's form type says so.
  const isOpen = (form: FormContext): boolean => {
    const state = attributeValue(form, "statecode");
    return (state === null || state === STATE_OPEN) && !FORM_TYPES_CLOSED.includes(form.ui.getFormType());
  };

  const respond = (form: FormContext, decision: ReferralDecision, reason: string): Promise<void> =>
    run(form, decision === "accept" ? words().accepting : words().declining, (id) =>
      respondToReferralRequest(id, decision, reason),
    );

  return {
    syncNow(form) {
      const key = savedRecordId(form) ?? "";
      const running = syncing.get(key);
      if (running) return running;
      // The newest event before the click (read before the save, which may sync on its own): the outcome counts those after it.
      const seen = key ? host.newestSyncEvents(key, 1).then((events) => events[0]?.id ?? null, () => undefined) : Promise.resolve(null);
      const done = run(form, words().syncing, syncOpportunityRequest, async (id, before) => {
        const last = await seen;
        const since = last === undefined ? undefined : await host.newestSyncEvents(id, OUTCOME_EVENTS).then(
          (events) => {
            const at = last === null ? -1 : events.findIndex((e) => e.id === last);
            return events.slice(0, at < 0 ? events.length : at).map((e) => e.result);
          },
          () => undefined,
        );
        const { message, level } = syncNowOutcome(form, before, since, words());
        form.ui.setFormNotification(message, level, SYNC_NOW_NOTIFICATION);
      }).finally(() => syncing.delete(key));
      syncing.set(key, done);
      return done;
    },

    acceptReferral: (form) => respond(form, "accept", ""),

    async declineReferral(form) {
      let reason: string | null;
      try {
        reason = declineReasonFrom(await host.openDeclineDialog());
      } catch (error) {
        await host.showError(words().dialogFailed, describeFailure(error).details);
        return;
      }
      if (reason === null) return; // Cancelled: nothing is sent.
      await respond(form, "decline", reason);
    },

    async openInPartnerCenter(form) {
      const url = link(form);
      if (typeof url === "string" && isPartnerCenterLink(url)) {
        host.openUrl(url);
        return;
      }
      await host.showAlert(words().noLinkTitle, words().noLink);
    },

    // Not on a Won or Lost deal, nor one Partner Center has closed: there it would do nothing.
    canSyncNow: (form) =>
      isSaved(form) && syncOn(form) && isOpen(form) &&
      !FINISHED_IN_PARTNER_CENTER.includes(attributeValue(form, OPPORTUNITY_COLUMNS.syncStatus) as number),
    canRespond: (form) => isSaved(form) && attributeValue(form, OPPORTUNITY_COLUMNS.syncStatus) === SYNC_STATUS.AwaitingResponse,
    canOpenInPartnerCenter: (form) => {
      const url = link(form);
      return typeof url === "string" && isPartnerCenterLink(url);
    },
  };
}
