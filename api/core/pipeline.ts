/**
 * One pipeline for every trigger (docs/architecture.md): load both sides → the engine's
 * planEffects → execute its Partner Center write (If-Match) → execute the Dataverse change set it
 * decided from the answer (one atomic change set with If-Match: columns, bookkeeping, sync events).
 * It decides nothing; a stale ETag on either side re-reads and re-plans, a bounded number of times.
 */
import type { CloseReasonCode, Referral } from "../../sync/schema/referral";
import type { FieldChange } from "../../sync/engine/audit";
import {
  OPPORTUNITY_COLUMNS as C, SYNC_STATUS, type OpportunityRecord, type SyncResult, type SyncStatusName, type SyncTrigger,
} from "../../sync/schema/dynamics";
import {
  answerAsExpected, failureEffects, isSelfContainedPatch, isUserTrigger, linksOf, needsReferral, parseSnapshot, planEffects,
  referralAsLastSynced, referralIdOf, sameLinks, snapshotCovers, type EventTrace, type Mapping, type SyncSnapshot,
} from "../../sync/engine";
import { DEAL_IMAGE, type OpportunityImage } from "../../sync/dataverse/opportunity-image";
import { classifyFailure, type ClassifiedFailure } from "./errors";
import type { Logger } from "./logger";
import type { Metrics } from "./metrics";
import type { KeyedMutex } from "./mutex";
import { OwnWrites } from "./own-writes";
import type { DataversePort, DataverseWrite, DealWithETag, PartnerCenterPort, ReferralWithETag } from "../ports";

export interface SyncContext extends EventTrace {
  trigger: SyncTrigger;
  request?: { action: "accept" | "decline"; reason?: CloseReasonCode };
  /** The first sync of an opportunity just made from its referral: what it was made with (SyncInput.created). */
  created?: FieldChange[];
  /**
   * The referral the trigger says the opportunity is linked to (the step's post-image): read at the
   * same time as the opportunity, and used only when the opportunity read names the same one.
   */
  referralHint?: string;
  /**
   * The opportunity as the Update step's post-image carries it (the row as the save left it, and
   * its ETag): a save is planned from it and the last sync's snapshot, without reading (syncFromImage).
   */
  image?: OpportunityImage;
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

/** A prepared pair: Partner Center already written, the Dataverse change set still to send. */
export interface PreparedPair {
  outcome: PairOutcome;
  changeSet: DataverseWrite[];
}

/**
 * Partner Center's answer to a PATCH planned from the snapshot did not hold what the snapshot
 * said (the referral was not as last synced): the pair is read and planned again. A concurrency
 * failure, so withReplans re-reads both sides.
 */
export class StaleBaselineError extends Error {
  readonly kind = "concurrency";
  constructor(referralId: string) {
    super(`Partner Center's referral ${referralId} did not hold what the last sync stored; reading it again.`);
    this.name = "PartnerCenterStaleBaselineError";
  }
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
        const first = attempt === 0;
        // A save whose post-image and snapshot tell everything: no reads (a 412 on either write comes back here as a re-read).
        const fromImage = first && ctx.image ? await this.syncFromImage(ctx.image, ctx) : null;
        if (fromImage) return fromImage;
        // One round trip for what the trigger lets us read at once: the operation check, the opportunity, its referral.
        const [handled, loaded, hinted] = await Promise.all([
          // Dataverse retries a Custom API call once after a gateway error: handle each OperationId once.
          first && ctx.operationId && isUserTrigger(ctx.trigger) ? this.deps.dataverse.hasSyncEventForOperation(ctx.operationId) : false,
          this.deps.dataverse.getDeal(opportunityId),
          // A hint that turns out wrong costs nothing but the read: the referral is then read as usual.
          first && ctx.referralHint ? this.deps.partnerCenter.get(ctx.referralHint).catch(() => null) : null,
        ]);
        if (handled) return skipped(opportunityId, null, "This operation was already handled.");
        if (!loaded) return skipped(opportunityId, null, "The opportunity does not exist (deleted?).");
        const linked = referralIdOf(loaded.deal, null);
        const known = hinted && linked && hinted.referral.id.toLowerCase() === linked.toLowerCase() ? hinted : null;
        return this.syncLoadedDeal(loaded, ctx, known);
      }),
    );
  }

  /**
   * Partner Center-side trigger: the referral is known. Resolves the opportunity first so the pair
   * is locked as one, whichever side's trigger came in.
   */
  async syncReferral(referralId: string, ctx: SyncContext, inbound: InboundCreator): Promise<PairOutcome> {
    // A sync of this pair that starts and ends while these reads are in flight leaves them stale without our waiting.
    const readsFrom = this.deps.mutex.mark();
    try {
      return await this.syncReferralReadFrom(readsFrom, referralId, ctx, inbound);
    } finally {
      this.deps.mutex.unmark(readsFrom);
    }
  }

  private async syncReferralReadFrom(readsFrom: number, referralId: string, ctx: SyncContext, inbound: InboundCreator): Promise<PairOutcome> {
    let first: ReferralWithETag | null;
    let linked: DealWithETag | null;
    let opportunityId: string | null;
    try {
      // One round trip for both reads: the referral, and the deal linked to it by its key.
      [first, linked] = await Promise.all([this.deps.partnerCenter.get(referralId), this.deps.dataverse.getDealByReferralId(referralId)]);
      if (!first) return skipped(null, referralId, "Partner Center has no such referral.");
      opportunityId = linked?.deal.opportunity.opportunityid.toLowerCase() ?? ownOpportunityId(first.referral);
    } catch (error) {
      // Before the pair is known a failure has nowhere to be recorded: the trigger answers it (a webhook: 503, deliver again).
      return this.recordFailure(null, referralId, ctx, error);
    }
    const keys = opportunityId ? [refKey(referralId), oppKey(opportunityId)] : [refKey(referralId)];
    return this.deps.mutex.run(
      keys,
      (waited) =>
        this.withReplans(opportunityId, referralId, ctx, async (attempt) => {
          // Reuse the reads from before the lock unless someone else ran in between (waited or not).
          const fresh = attempt === 0 && !waited;
          const current = fresh ? first : await this.deps.partnerCenter.get(referralId);
          if (!current) return skipped(opportunityId, referralId, "Partner Center has no such referral.");
          const loaded = fresh && linked ? linked : opportunityId ? await this.deps.dataverse.getDeal(opportunityId) : null;
          if (!loaded) return inbound.createFromReferral(current, ctx);
          return this.syncLoadedDeal(loaded, ctx, current);
        }),
      readsFrom,
    );
  }

  /**
   * A seller's save planned from the step's post-image and what the last sync stored, then written
   * through: PATCH Partner Center with If-Match on the stored ETag, one Dataverse change set with
   * If-Match on the image's row version. Two round trips, no reads. null, having written nothing,
   * when the image and the snapshot do not tell enough (lastSyncedBasis): the caller reads instead.
   *
   * Why this loses nothing:
   * - Partner Center changed since the last sync: the PATCH fails (412), the pair is read and
   *   merged three ways; the same if its answer shows the referral was not as stored.
   * - The row changed after the image (an async step runs later): the change set fails (412) and
   *   the pair is read again; our PATCH is remembered (OwnWrites) so its values are not taken for
   *   Microsoft's, and the newer row is planned against them.
   * - The account, contact and currency are not in the image: they are taken as last synced while
   *   the opportunity's lookups still name the rows the snapshot was read from (a new customer or
   *   contact is read). Their values in the snapshot stay as they were, so an edit made on those
   *   rows themselves (it does not fire this step) is still a difference at the next full read
   *   (reconcile re-reads every opportunity changed since its watermark, and this save is one).
   */
  private async syncFromImage(image: OpportunityImage, ctx: SyncContext): Promise<PairOutcome | null> {
    const opportunity = image.opportunity;
    const opportunityId = opportunity.opportunityid;
    const mapping = await this.deps.mapping();
    const storedSnapshot = (opportunity[C.syncSnapshot] as string | null | undefined) ?? null;
    const basis = this.ownWrites.has(opportunityId) ? null : lastSyncedBasis(opportunity, ctx, mapping);
    if (!basis) return null;
    const loaded: DealWithETag = { deal: { opportunity, account: null, contact: null, currency: null }, etag: image.etag };
    const effects = planEffects({ loaded, referral: basis.referral, snapshot: basis.snapshot, mapping, now: this.deps.now(), trace: ctx, related: "lastSynced" });
    const write = effects.partnerCenter;
    if (write && !isSelfContainedPatch(write, mapping)) return null;

    let answer: ReferralWithETag | null = null;
    if (write) {
      // `written` is what we sent on top of the referral as last synced, never the answer: a field
      // the answer holds otherwise is not ours, and a re-plan must see it as Microsoft's.
      this.ownWrites.remember(opportunityId, { stored: storedSnapshot, used: basis.snapshot, before: basis.referral.referral, deal: loaded.deal, written: write.expected });
      answer = await this.deps.partnerCenter.patch(write.id, write.ops, write.eTag);
      if (!answerAsExpected(answer.referral, write.expected, mapping)) throw new StaleBaselineError(write.id);
    }
    const { dataverse, outcome } = effects.complete(answer);
    if (dataverse.length > 0) await this.deps.dataverse.write(dataverse);
    this.dataverseWritten(opportunityId);
    this.deps.logger.debug({ opportunityId, referralId: basis.referral.referral.id }, "save synced from the step's post-image");
    return { opportunityId, ...outcome, recorded: true, writes: { partnerCenter: write ? 1 : 0, dataverse: dataverse.length } };
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
   * pairs into few `$batch` requests. Loads what the engine needs, executes its Partner Center
   * write, and hands back the change set it decided.
   */
  async preparePair(loaded: DealWithETag, ctx: SyncContext, knownReferral: ReferralWithETag | null): Promise<PreparedPair> {
    const opportunityId = loaded.deal.opportunity.opportunityid;
    const log = this.deps.logger.child({ opportunityId, correlationId: ctx.correlationId, operationId: ctx.operationId, trigger: ctx.trigger });
    const referral = await this.loadReferral(loaded, ctx, knownReferral, log);
    const mapping = await this.deps.mapping();
    const storedSnapshot = (loaded.deal.opportunity[C.syncSnapshot] as string | null | undefined) ?? null;
    const snapshot = this.ownWrites.baselineFor(opportunityId, storedSnapshot, referral?.referral ?? null, mapping) ?? parseSnapshot(storedSnapshot);
    const effects = planEffects({ loaded, referral, snapshot, mapping, now: this.deps.now(), trace: ctx, request: ctx.request, created: ctx.created });

    let answer: ReferralWithETag | null = null;
    const write = effects.partnerCenter;
    if (write) {
      // Until the change set stores the new snapshot, a re-plan must know which values are ours,
      // also when a write's answer is lost (it may still land): remembered before the write, and after.
      const ownWrite = (written: unknown) =>
        this.ownWrites.remember(opportunityId, { stored: storedSnapshot, used: snapshot, before: referral?.referral ?? null, deal: loaded.deal, written });
      ownWrite(write.expected);
      const pc = this.deps.partnerCenter;
      answer =
        write.kind === "create" ? await pc.create(write.referral) :
        write.kind === "put" ? await pc.put(write.referral, write.eTag) :
        await pc.patch(write.id, write.ops, write.eTag);
      ownWrite(answer.referral);
      if (write.kind === "create") log.info({ referralId: answer.referral.id }, "referral created");
    }
    const { dataverse, outcome } = effects.complete(answer);
    return {
      outcome: { opportunityId, ...outcome, recorded: true, writes: { partnerCenter: write ? 1 : 0, dataverse: 0 } },
      changeSet: dataverse,
    };
  }

  /** The pair's referral: the one given, the one linked, or one a crash left unlinked (idempotent create). */
  private async loadReferral(loaded: DealWithETag, ctx: SyncContext, known: ReferralWithETag | null, log: Logger): Promise<ReferralWithETag | null> {
    if (known || !needsReferral(loaded.deal, ctx.trigger)) return known;
    const opp = loaded.deal.opportunity;
    const linked = referralIdOf(loaded.deal, null);
    if (linked) return this.deps.partnerCenter.get(linked);
    const existing = await this.deps.partnerCenter.findByExternalReferenceId(opp.opportunityid);
    const found = existing ? await this.deps.partnerCenter.get(existing.id) : null;
    if (found) log.info({ referralId: found.referral.id, trigger: ctx.trigger }, "linking the referral created earlier for this opportunity");
    return found;
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
    const effects = failureEffects({ opportunityId, referralId, failure, now: this.deps.now(), trace: ctx });
    try {
      await this.deps.dataverse.write(effects.dataverse);
      outcome.recorded = true;
      outcome.syncStatus = effects.syncStatus;
    } catch (recordError) {
      log.error({ err: recordError }, "could not record the failure on the opportunity");
    }
    return outcome;
  }
}

/** The columns the Update step's image carries. */
const IMAGED_COLUMNS: ReadonlySet<string> = new Set(DEAL_IMAGE.attributes);

/** Sync statuses after which the stored snapshot and ETag describe a completed sync whose checks all passed. */
const SETTLED: ReadonlySet<unknown> = new Set([SYNC_STATUS.Synced, SYNC_STATUS.ClosedInPartnerCenter, SYNC_STATUS.ExpiredInPartnerCenter]);

/**
 * What a save can be planned against without reading, or null when the image and the stored
 * snapshot do not tell enough: only a seller's change (not Sync now, not an answer to a referral),
 * a linked co-sell deal whose last sync completed (an error may name a row not read here), a
 * snapshot that has every mapped field and names the same customer, contact and currency as the
 * image, a mapping whose opportunity columns the image carries, and a referral status the snapshot
 * can stand in for (referralAsLastSynced).
 */
function lastSyncedBasis(
  opportunity: OpportunityRecord,
  ctx: SyncContext,
  mapping: Mapping,
): { snapshot: SyncSnapshot; referral: ReferralWithETag } | null {
  if (ctx.trigger !== "dataverseChange" || ctx.request || ctx.created) return null;
  const referralId = opportunity[C.referralId];
  const eTag = opportunity[C.referralETag];
  if (opportunity[C.syncWithPartnerCenter] !== true || typeof referralId !== "string" || !referralId || typeof eTag !== "string" || !eTag) return null;
  if (!SETTLED.has(opportunity[C.syncStatus])) return null;
  const columns = mapping.fields.filter((f) => f.columnRef.table === "opportunity").map((f) => f.columnRef.column);
  if (!columns.every((c) => IMAGED_COLUMNS.has(c))) return null;
  const snapshot = parseSnapshot(opportunity[C.syncSnapshot] as string | null | undefined);
  if (!snapshot || !snapshot.links || !sameLinks(snapshot.links, linksOf(opportunity)) || !snapshotCovers(snapshot, mapping)) return null;
  const referral = referralAsLastSynced(snapshot, mapping, referralId);
  return referral ? { snapshot, referral: { referral, eTag } } : null;
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
