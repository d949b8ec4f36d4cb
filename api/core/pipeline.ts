/**
 * One pipeline for every trigger (architecture.md): load both sides → engine.plan → write Partner
 * Center (If-Match) → write Dataverse (one atomic change set with If-Match) → sync-event row.
 * A stale ETag on either side re-reads and re-plans, a bounded number of times.
 */
import type { CloseReasonCode, Referral } from "../../sync/schema/referral";
import { referralLink } from "../../sync/schema/referral";
import {
  OPPORTUNITY_COLUMNS as C,
  OPPORTUNITY_STATE,
  OPPORTUNITY_STATUS,
  type DynamicsDeal,
  type SyncResult,
  type SyncStatusName,
  type SyncTrigger,
} from "../../sync/schema/dynamics";
import { applyDataverseChanges, applyPatch, auditToSyncEventRow, parseSnapshot, plan, serializeSnapshot, type Mapping, type Plan } from "./engine";
import { classifyFailure, type ClassifiedFailure } from "./errors";
import type { Logger } from "./logger";
import type { Metrics } from "./metrics";
import type { KeyedMutex } from "./mutex";
import { OwnWrites } from "./own-writes";
import type { DataversePort, DataverseWrite, DealWithETag, PartnerCenterPort, PatchOp, ReferralWithETag } from "../ports";
import { changedColumns, problemsText, serviceEventRow, statusColumns, traceOf, type EventTrace } from "./status";

export interface SyncContext extends EventTrace {
  trigger: SyncTrigger;
  request?: { action: "accept" | "decline"; reason?: CloseReasonCode };
}

export interface PairOutcome {
  opportunityId: string | null;
  referralId: string | null;
  result: SyncResult | "skipped";
  syncStatus?: SyncStatusName;
  message?: string;
  failure?: ClassifiedFailure;
  /** An outcome (status and/or sync event) is on the opportunity, or nothing needed recording. */
  recorded: boolean;
  writes: { partnerCenter: number; dataverse: number };
}

export interface PipelineDeps {
  partnerCenter: PartnerCenterPort;
  dataverse: DataversePort;
  mapping: () => Promise<Mapping>;
  now: () => Date;
  logger: Logger;
  metrics: Metrics;
  mutex: KeyedMutex;
  /** Re-read and re-plan after a stale ETag at most this many times. */
  maxReplans?: number;
}

/** Triggers a person started: they always get a sync event, even when nothing changed. */
const USER_TRIGGERS: ReadonlySet<SyncTrigger> = new Set(["syncNow", "respond"]);

/** A prepared pair: Partner Center already written, the Dataverse change set still to send. */
export interface PreparedPair {
  outcome: PairOutcome;
  changeSet: DataverseWrite[];
}

export const oppKey = (id: string) => `opp:${id.toLowerCase()}`;
export const refKey = (id: string) => `ref:${id}`;

function isConcurrency(error: unknown): boolean {
  return classifyFailure(error).kind === "concurrency";
}

export class SyncPipeline {
  private readonly maxReplans: number;
  /** Our Partner Center writes whose snapshot is not stored yet: re-plans use them as the baseline. */
  private readonly ownWrites = new OwnWrites();

  constructor(private readonly deps: PipelineDeps) {
    this.maxReplans = deps.maxReplans ?? 3;
  }

  /** The pair's change set is stored (with its snapshot): nothing of ours is pending for it. */
  dataverseWritten(opportunityId: string): void {
    this.ownWrites.forget(opportunityId);
  }

  /** Dataverse-side trigger: the opportunity is known. */
  async syncOpportunity(opportunityId: string, ctx: SyncContext): Promise<PairOutcome> {
    return this.deps.mutex.run(oppKey(opportunityId), () =>
      this.withReplans(opportunityId, null, ctx, async (attempt) => {
        // Dataverse retries a Custom API call once after a gateway error: handle each OperationId once.
        if (attempt === 0 && ctx.operationId && USER_TRIGGERS.has(ctx.trigger) && (await this.deps.dataverse.hasSyncEventForOperation(ctx.operationId))) {
          return skipped(opportunityId, null, "This operation was already handled.");
        }
        const loaded = await this.deps.dataverse.getDeal(opportunityId);
        if (!loaded) return skipped(opportunityId, null, "The opportunity does not exist (deleted?).");
        return this.syncLoadedDeal(loaded, ctx, null);
      }),
    );
  }

  /**
   * Partner Center-side trigger: the referral is known. Resolves the opportunity first so the pair
   * is locked as one, whichever side's trigger came in.
   */
  async syncReferral(referralId: string, ctx: SyncContext, inbound: InboundCreator): Promise<PairOutcome> {
    const first = await this.deps.partnerCenter.get(referralId);
    if (!first) return skipped(null, referralId, "Partner Center has no such referral.");
    const opportunityId =
      (await this.deps.dataverse.findOpportunityIdByReferralId(referralId)) ?? ownOpportunityId(first.referral);
    const keys = opportunityId ? [refKey(referralId), oppKey(opportunityId)] : [refKey(referralId)];
    return this.deps.mutex.run(keys, (waited) =>
      this.withReplans(opportunityId, referralId, ctx, async (attempt) => {
        // Reuse the read from before the lock unless someone else ran in between.
        const current = attempt === 0 && !waited ? first : await this.deps.partnerCenter.get(referralId);
        if (!current) return skipped(opportunityId, referralId, "Partner Center has no such referral.");
        const loaded = opportunityId ? await this.deps.dataverse.getDeal(opportunityId) : null;
        if (!loaded) return inbound.createFromReferral(current, ctx);
        return this.syncLoadedDeal(loaded, ctx, current);
      }),
    );
  }

  /** Plans one loaded pair and writes it through (Partner Center, then one Dataverse change set). */
  async syncLoadedDeal(loaded: DealWithETag, ctx: SyncContext, knownReferral: ReferralWithETag | null): Promise<PairOutcome> {
    const prepared = await this.preparePair(loaded, ctx, knownReferral);
    const deal = loaded.deal;
    if (prepared.changeSet.length > 0) {
      await this.deps.dataverse.write(prepared.changeSet);
      prepared.outcome.writes.dataverse += prepared.changeSet.length;
      this.dataverseWritten(deal.opportunity.opportunityid);
    }
    return prepared.outcome;
  }

  /**
   * Everything up to the Dataverse write: reconcile batches the returned change sets of many
   * pairs into few `$batch` requests.
   */
  async preparePair(loaded: DealWithETag, ctx: SyncContext, knownReferral: ReferralWithETag | null): Promise<PreparedPair> {
    const { deal, etag } = loaded;
    const opp = deal.opportunity;
    const opportunityId = opp.opportunityid;
    const log = this.deps.logger.child({ opportunityId, correlationId: ctx.correlationId, operationId: ctx.operationId, trigger: ctx.trigger });
    const referralId = (opp[C.referralId] as string | null | undefined) || knownReferral?.referral.id || null;
    const syncOn = opp[C.syncWithPartnerCenter] === true;
    const outcome: PairOutcome = { opportunityId, referralId, result: "noChange", recorded: true, writes: { partnerCenter: 0, dataverse: 0 } };

    if (!syncOn && !referralId) {
      // Not a co-sell deal. Only a person asking gets an answer recorded.
      if (!USER_TRIGGERS.has(ctx.trigger)) return { outcome: { ...outcome, result: "skipped" }, changeSet: [] };
      const message = "Turn on “Sync with Partner Center” first, then sync again.";
      return this.refusal(deal, etag, ctx, "NotSynced", message, "SYNC_OFF", outcome);
    }
    if (!syncOn && !USER_TRIGGERS.has(ctx.trigger)) {
      // Linked but switched off: keep the link, stop syncing, say so once.
      const cols = changedColumns(opp, statusColumns("NotSynced", null));
      const changeSet: DataverseWrite[] = Object.keys(cols).length ? [{ kind: "update", entitySet: "opportunities", id: opportunityId, changes: cols, etag }] : [];
      return { outcome: { ...outcome, result: "skipped", syncStatus: "NotSynced" }, changeSet };
    }

    let referral = knownReferral;
    if (!referral && referralId) referral = await this.deps.partnerCenter.get(referralId);
    if (!referral && !referralId) {
      // Idempotent create: a crash after the POST but before the write-back left a referral behind.
      const existing = await this.deps.partnerCenter.findByExternalReferenceId(opportunityId);
      if (existing) referral = await this.deps.partnerCenter.get(existing.id);
      if (referral) log.info({ referralId: referral.referral.id }, "linking the referral created earlier for this opportunity");
    }
    if (!referral && referralId) {
      const message = `Partner Center has no referral ${referralId}; it may have been deleted. Clear the referral id to share the deal again.`;
      return this.refusal(deal, etag, ctx, "Error", message, "PC_NOT_FOUND", outcome);
    }

    const mapping = await this.deps.mapping();
    const now = this.deps.now();
    const storedSnapshot = (opp[C.syncSnapshot] as string | null | undefined) ?? null;
    const snapshot = this.ownWrites.baselineFor(opportunityId, storedSnapshot, referral?.referral ?? null, mapping) ?? parseSnapshot(storedSnapshot);
    let thePlan = plan({ snapshot, deal, referral: referral?.referral ?? null, mapping, now, trigger: ctx.trigger, request: ctx.request });
    outcome.syncStatus = thePlan.syncStatus;

    if (thePlan.outcome === "invalid") {
      outcome.result = "validationFailed";
      return this.recordPlanOutcome(deal, etag, referral, thePlan, ctx, problemsText(thePlan.problems), outcome, "VALIDATION_FAILED");
    }
    if (thePlan.outcome === "rejected") {
      outcome.result = "rejected";
      const prepared = this.recordPlanOutcome(deal, etag, referral, thePlan, ctx, thePlan.reason ?? "Change not sent.", outcome, "REJECTED");
      if (mapping.status && referral) prepared.changeSet.push(...closeActions({ statusActions: closingFollows(deal, referral.referral) }, opportunityId));
      return prepared;
    }

    // Partner Center first: its answer (id, ETag, service-assigned values) goes into the write-back.
    let current = referral;
    if (thePlan.outcome === "write") {
      // Until the change set below stores the new snapshot, a re-plan must know which values are ours,
      // also when a write's answer is lost (it may still land): remembered before each write, and after.
      const ownWrite = (written: unknown) =>
        this.ownWrites.remember(opportunityId, { stored: storedSnapshot, used: snapshot, before: referral?.referral ?? null, written });
      if (thePlan.createReferral) {
        ownWrite(thePlan.createReferral);
        current = await this.deps.partnerCenter.create(thePlan.createReferral);
        ownWrite(current.referral);
        outcome.writes.partnerCenter++;
        log.info({ referralId: current.referral.id }, "referral created");
      }
      const ops = [...(thePlan.referralPatch as PatchOp[]), ...partnerCenterStatusOps(thePlan)];
      if (ops.length > 0 && current) {
        // PATCH cannot clear a value (no `remove`): then the whole referral goes back with PUT (D.1).
        const patched = applyPatch(current.referral, ops);
        ownWrite(patched);
        current = thePlan.needsPut
          ? await this.deps.partnerCenter.put(patched, current.eTag)
          : await this.deps.partnerCenter.patch(current.referral.id, ops, current.eTag);
        ownWrite(current.referral);
        outcome.writes.partnerCenter++;
      }
      if (current && current !== referral) thePlan = this.settle(thePlan, deal, current.referral, mapping, now, ctx);
    }

    outcome.referralId = current?.referral.id ?? null;
    outcome.result = thePlan.outcome === "write" ? "success" : "noChange";
    const changeSet = this.dataverseWrites(deal, etag, current, thePlan, ctx, now, outcome);
    return { outcome, changeSet };
  }

  /**
   * After writing Partner Center, plan once more against what it answered (it assigns values, e.g.
   * an outgoing referral comes back Active/Accepted), so the snapshot we store matches both sides
   * and the next trigger plans nothing. Only the Dataverse side of that second plan is used.
   */
  private settle(first: Plan, deal: DynamicsDeal, referral: Referral, mapping: Mapping, now: Date, ctx: SyncContext): Plan {
    const after = applyDataverseChanges(deal, first.dataverse, first.statusActions);
    const second = plan({ snapshot: first.nextSnapshot, deal: after, referral, mapping, now, trigger: ctx.trigger });
    if (second.outcome !== "write" || second.referralPatch.length > 0 || second.createReferral) {
      return first;
    }
    return {
      ...first,
      dataverse: {
        opportunity: { ...first.dataverse.opportunity, ...second.dataverse.opportunity },
        account: { ...first.dataverse.account, ...second.dataverse.account },
        contact: { ...first.dataverse.contact, ...second.dataverse.contact },
      },
      statusActions: [...first.statusActions, ...second.statusActions.filter((a) => a.side === "dynamics")],
      syncStatus: second.syncStatus,
      nextSnapshot: second.nextSnapshot,
      audit: [...first.audit, ...second.audit],
    };
  }

  /** The Dataverse change set for a planned pair: columns, bookkeeping, close action, sync event. */
  private dataverseWrites(
    deal: DynamicsDeal,
    etag: string,
    referral: ReferralWithETag | null,
    thePlan: Plan,
    ctx: SyncContext,
    now: Date,
    outcome: PairOutcome,
  ): DataverseWrite[] {
    const opp = deal.opportunity;
    const id = opp.opportunityid;
    const wrote = thePlan.outcome === "write";
    const bookkeeping: Record<string, unknown> = {
      ...statusColumns(thePlan.syncStatus, null),
      [C.syncSnapshot]: serializeSnapshot(thePlan.nextSnapshot),
    };
    if (referral) {
      bookkeeping[C.referralId] = referral.referral.id;
      bookkeeping[C.referralLink] = referralLink(referral.referral.id);
      bookkeeping[C.referralETag] = referral.eTag;
    }
    const columns = changedColumns(opp, { ...thePlan.dataverse.opportunity, ...bookkeeping });
    const anyChange = Object.keys(columns).length > 0 || wrote;
    if (anyChange) columns[C.lastSyncedOn] = now.toISOString();

    const writes: DataverseWrite[] = [];
    if (Object.keys(columns).length > 0) writes.push({ kind: "update", entitySet: "opportunities", id, changes: columns, etag });
    const accountChanges = thePlan.dataverse.account ?? {};
    if (deal.account && Object.keys(accountChanges).length > 0) {
      writes.push({ kind: "update", entitySet: "accounts", id: deal.account.accountid, changes: accountChanges });
    }
    const contactChanges = thePlan.dataverse.contact ?? {};
    if (deal.contact && Object.keys(contactChanges).length > 0) {
      writes.push({ kind: "update", entitySet: "contacts", id: deal.contact.contactid, changes: contactChanges });
    }
    writes.push(...closeActions(thePlan, id));

    const recordEvent = wrote || USER_TRIGGERS.has(ctx.trigger);
    if (recordEvent) {
      for (const entry of eventEntries(thePlan, now, ctx)) {
        writes.push({
          kind: "create",
          entitySet: "cosell_syncevents",
          record: auditToSyncEventRow(entry, id, { referralId: referral?.referral.id, ...traceOf(ctx) }),
        });
      }
    }
    outcome.recorded = true;
    return writes;
  }

  /** Invalid or rejected plan: status and error on the opportunity, an event when it is news. */
  private recordPlanOutcome(
    deal: DynamicsDeal,
    etag: string,
    referral: ReferralWithETag | null,
    thePlan: Plan,
    ctx: SyncContext,
    message: string,
    outcome: PairOutcome,
    code: string,
  ): PreparedPair {
    const opp = deal.opportunity;
    const wanted: Record<string, unknown> = { ...statusColumns(thePlan.syncStatus, message) };
    // Rejected plans may still carry bookkeeping (e.g. the referral expired: keep the snapshot current).
    if (thePlan.outcome === "rejected") wanted[C.syncSnapshot] = serializeSnapshot(thePlan.nextSnapshot);
    if (referral) wanted[C.referralETag] = referral.eTag;
    const columns = changedColumns(opp, wanted);
    const news = columns[C.syncStatus] !== undefined || columns[C.syncError] !== undefined;
    const writes: DataverseWrite[] = [];
    if (Object.keys(columns).length > 0) writes.push({ kind: "update", entitySet: "opportunities", id: opp.opportunityid, changes: columns, etag });
    if (news || USER_TRIGGERS.has(ctx.trigger)) {
      const now = this.deps.now();
      const entries = eventEntries(thePlan, now, ctx);
      for (const entry of entries) {
        writes.push({
          kind: "create",
          entitySet: "cosell_syncevents",
          record: auditToSyncEventRow(entry, opp.opportunityid, { referralId: referral?.referral.id, errorCode: code, errorMessage: message, ...traceOf(ctx) }),
        });
      }
    }
    outcome.message = message;
    return { outcome, changeSet: writes };
  }

  /** A request the service refuses before planning (sync off, referral gone). */
  private refusal(
    deal: DynamicsDeal,
    etag: string,
    ctx: SyncContext,
    status: SyncStatusName,
    message: string,
    code: string,
    outcome: PairOutcome,
  ): PreparedPair {
    const opp = deal.opportunity;
    const columns = changedColumns(opp, statusColumns(status, message));
    const writes: DataverseWrite[] = [];
    if (Object.keys(columns).length > 0) writes.push({ kind: "update", entitySet: "opportunities", id: opp.opportunityid, changes: columns, etag });
    if (Object.keys(columns).length > 0 || USER_TRIGGERS.has(ctx.trigger)) {
      writes.push({
        kind: "create",
        entitySet: "cosell_syncevents",
        record: serviceEventRow({
          opportunityId: opp.opportunityid,
          referralId: opp[C.referralId] as string | null,
          at: this.deps.now(),
          result: "rejected",
          message,
          errorCode: code,
          trace: ctx,
        }),
      });
    }
    return { outcome: { ...outcome, result: "rejected", syncStatus: status, message }, changeSet: writes };
  }

  /** Runs `work`, re-reading and re-planning after a stale ETag; a failure that remains is recorded. */
  async withReplans(
    opportunityId: string | null,
    referralId: string | null,
    ctx: SyncContext,
    work: (attempt: number) => Promise<PairOutcome>,
  ): Promise<PairOutcome> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await work(attempt);
      } catch (error) {
        if (isConcurrency(error) && attempt + 1 < this.maxReplans) {
          this.deps.logger.info({ opportunityId, referralId, attempt }, "stale ETag: re-reading and re-planning");
          continue;
        }
        return this.recordFailure(opportunityId, referralId, ctx, error);
      }
    }
  }

  /** Writes the failure's status, message and code on the opportunity (last writer wins: no ETag). */
  async recordFailure(opportunityId: string | null, referralId: string | null, ctx: SyncContext, error: unknown): Promise<PairOutcome> {
    const failure = classifyFailure(error);
    this.deps.metrics.recordError(failure.code);
    const log = this.deps.logger.child({ opportunityId, referralId, correlationId: ctx.correlationId, operationId: ctx.operationId });
    if (failure.kind === "bug") log.error({ err: error, code: failure.code }, "sync failed");
    // The error's own text stays in the log when the recorded message is a fixed one (sign-in expired).
    else log.warn({ code: failure.code, kind: failure.kind, message: failure.message, detail: error instanceof Error ? error.message : String(error) }, "sync failed");
    const outcome: PairOutcome = {
      opportunityId,
      referralId,
      result: "error",
      failure,
      message: failure.message,
      recorded: false,
      writes: { partnerCenter: 0, dataverse: 0 },
    };
    if (!opportunityId) return outcome;
    const status: SyncStatusName = failure.code === "SIGN_IN_EXPIRED" ? "SignInExpired" : "Error";
    const text = failure.retryable ? `${failure.message} (it will be retried automatically)` : failure.message;
    try {
      await this.deps.dataverse.write([
        { kind: "update", entitySet: "opportunities", id: opportunityId, changes: statusColumns(status, text) },
        {
          kind: "create",
          entitySet: "cosell_syncevents",
          record: serviceEventRow({ opportunityId, referralId, at: this.deps.now(), result: "error", message: text, errorCode: failure.code, trace: ctx }),
        },
      ]);
      outcome.recorded = true;
      outcome.syncStatus = status;
    } catch (recordError) {
      log.error({ err: recordError }, "could not record the failure on the opportunity");
    }
    return outcome;
  }
}

/** Creates the Dynamics side of a referral nobody has linked yet (see inbound.ts). */
export interface InboundCreator {
  createFromReferral(referral: ReferralWithETag, ctx: SyncContext): Promise<PairOutcome>;
}

function skipped(opportunityId: string | null, referralId: string | null, message: string): PairOutcome {
  return { opportunityId, referralId, result: "skipped", message, recorded: true, writes: { partnerCenter: 0, dataverse: 0 } };
}

/** An outgoing referral we created names its opportunity in externalReferenceId. */
export function ownOpportunityId(referral: Referral): string | null {
  const id = referral.externalReferenceId ?? "";
  return referral.direction !== "Incoming" && /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id) ? id.toLowerCase() : null;
}

/** D.6: status actions on the Partner Center side, unless the plan's patch already carries them. */
export function partnerCenterStatusOps(thePlan: Plan): PatchOp[] {
  if (thePlan.referralPatch.some((op) => op.path === "/status")) return [];
  const ops: PatchOp[] = [];
  for (const action of thePlan.statusActions) {
    if (action.side !== "partnerCenter") continue;
    const [status, substatus] =
      action.action === "accept" ? ["Active", "Accepted"] :
      action.action === "decline" ? ["Closed", "Declined"] :
      action.action === "win" ? ["Closed", "Won"] : ["Closed", "Lost"];
    ops.push({ op: "replace", path: "/status", value: status }, { op: "replace", path: "/substatus", value: substatus });
    if (action.reason) ops.push({ op: "replace", path: "/statusReason", value: action.reason });
  }
  return ops;
}

/**
 * Works around the engine: when a referral closed in Partner Center while the seller edited the
 * opportunity, plan() rejects the edits and stores the closed status in the snapshot, but plans no
 * Win/Lose, so the opportunity would stay open for good. D.6's close follows here instead.
 */
export function closingFollows(deal: DynamicsDeal, referral: Referral): Plan["statusActions"] {
  if ((deal.opportunity.statecode ?? OPPORTUNITY_STATE.Open) !== OPPORTUNITY_STATE.Open || referral.status !== "Closed") return [];
  const reason = referral.statusReason ?? undefined;
  if (referral.substatus === "Won") return [{ side: "dynamics", action: "win", reason }];
  if (referral.substatus === "Lost") return [{ side: "dynamics", action: "lose", reason, statuscode: OPPORTUNITY_STATUS.OutSold }];
  if (referral.substatus === "Declined") return [{ side: "dynamics", action: "decline", reason, statuscode: OPPORTUNITY_STATUS.Canceled }];
  return [];
}

/** D.6: closing the opportunity goes through WinOpportunity / LoseOpportunity, never a PATCH of statecode. */
function closeActions(thePlan: Pick<Plan, "statusActions">, opportunityId: string): DataverseWrite[] {
  const out: DataverseWrite[] = [];
  for (const action of thePlan.statusActions) {
    if (action.side !== "dynamics") continue;
    if (action.action === "win") out.push({ kind: "win", opportunityId, description: action.reason });
    if (action.action === "lose" || action.action === "decline") {
      // A declined referral is Canceled (D.6); one Microsoft reports lost is Out-Sold.
      const statuscode = action.statuscode ?? (action.action === "decline" ? OPPORTUNITY_STATUS.Canceled : OPPORTUNITY_STATUS.OutSold);
      out.push({ kind: "lose", opportunityId, statuscode, description: action.reason });
    }
  }
  return out;
}

/** One sync-event row per plan: the plan's audit entries, or a plain one when it has none. */
function eventEntries(thePlan: Plan, now: Date, ctx: SyncContext): Plan["audit"] {
  if (thePlan.audit.length > 0) return thePlan.audit;
  const result: SyncResult =
    thePlan.outcome === "write" ? "success" : thePlan.outcome === "noChange" ? "noChange" : thePlan.outcome === "invalid" ? "validationFailed" : "rejected";
  return [
    {
      at: now.toISOString(),
      direction: "none",
      trigger: ctx.trigger,
      fields: [],
      conflicts: [],
      result,
      message: thePlan.reason ?? (result === "noChange" ? "Already in sync; nothing to send." : "Synced."),
      level: result === "success" || result === "noChange" ? "info" : "warning",
    },
  ];
}
