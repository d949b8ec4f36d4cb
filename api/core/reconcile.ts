/**
 * The safety net for lost webhooks (D.3): every referral and every co-sell opportunity changed
 * since the watermark is planned again. Unchanged pairs cost no writes; the Dataverse writes of
 * all changed pairs go out in `$batch` change sets (one atomic change set per pair). The watermark
 * lives in Dataverse and only moves past work that is done.
 */
import { OPPORTUNITY_COLUMNS as C, SETTING_NAMES } from "../../sync/schema/dynamics";
import type { Referral } from "../../sync/schema/referral";
import { classifyFailure } from "./errors";
import type { Logger } from "./logger";
import type { Metrics, ReconcileSummary } from "./metrics";
import type { KeyedMutex } from "./mutex";
import { oppKey, refKey, type InboundCreator, type PairOutcome, type PreparedPair, type SyncPipeline } from "./pipeline";
import type { DataversePort, DealWithETag, PartnerCenterPort } from "../ports";
import { forEachLimited } from "../../sync/shared/for-each-limited";

/** D.3: read a few minutes before the watermark (clocks differ; writes land late) and de-duplicate. */
export const WATERMARK_OVERLAP_MS = 5 * 60_000;

export interface ReconcileOptions {
  /** Ignore the watermark and look at everything (first run, or after a long outage). */
  full?: boolean;
  onProgress?: (done: number, total: number) => void;
  /** Pairs planned at the same time. */
  concurrency?: number;
}

export interface ReconcileResult extends ReconcileSummary {
  unchanged: number;
  created: number;
  failures: Array<{ opportunityId: string | null; referralId: string | null; code: string; message: string }>;
}

export interface ReconcileDeps {
  partnerCenter: PartnerCenterPort;
  dataverse: DataversePort;
  pipeline: SyncPipeline;
  inbound: InboundCreator;
  mutex: KeyedMutex;
  metrics: Metrics;
  logger: Logger;
  now: () => Date;
}

interface Pair {
  loaded: DealWithETag | null;
  referral: Referral | null;
}

function parseWatermark(text: string | null): Date | null {
  if (!text) return null;
  const d = new Date(text);
  return Number.isNaN(d.getTime()) ? null : d;
}

export async function reconcile(deps: ReconcileDeps, options: ReconcileOptions = {}): Promise<ReconcileResult> {
  // A pair synced by a trigger after this point is read again under its lock, not planned from the listing.
  const readsFrom = deps.mutex.mark();
  try {
    return await reconcilePass(deps, options, readsFrom);
  } finally {
    deps.mutex.unmark(readsFrom);
  }
}

async function reconcilePass(deps: ReconcileDeps, options: ReconcileOptions, readsFrom: number): Promise<ReconcileResult> {
  const startedAt = deps.now();
  const log = deps.logger.child({ job: "reconcile" });
  const stored = options.full ? null : parseWatermark(await deps.dataverse.getSetting(SETTING_NAMES.reconcileWatermark));
  const since = stored ? new Date(stored.getTime() - WATERMARK_OVERLAP_MS) : null;

  // Both sides' changes, de-duplicated into pairs keyed by opportunity (or referral when unlinked).
  const pairs = new Map<string, Pair>();
  const byReferral = new Map<string, string>();
  for await (const loaded of deps.dataverse.listSyncedDealsChangedSince(since)) {
    const id = loaded.deal.opportunity.opportunityid;
    pairs.set(oppKey(id), { loaded, referral: null });
    const rid = loaded.deal.opportunity[C.referralId] as string | null | undefined;
    if (rid) byReferral.set(rid, oppKey(id));
  }
  const unlinked: Referral[] = [];
  const seenReferrals = new Set<string>();
  for await (const referral of deps.partnerCenter.listUpdatedSince(since)) {
    if (seenReferrals.has(referral.id)) continue;
    seenReferrals.add(referral.id);
    const key = byReferral.get(referral.id);
    if (key) pairs.get(key)!.referral = referral;
    else unlinked.push(referral);
  }
  // Referrals changed on Partner Center only: find their opportunities in bulk, not one by one.
  // Should the bulk lookup fail, each referral is looked up on its own below (syncReferral does),
  // so one refused query costs time, not the pass.
  let found = new Map<string, DealWithETag>();
  try {
    found = await deps.dataverse.getDealsByReferralIds(unlinked.map((r) => r.id));
  } catch (error) {
    log.warn({ referrals: unlinked.length, error: error instanceof Error ? error.message : String(error) }, "bulk lookup by referral id failed; looking each referral up on its own");
  }
  const orphans: Referral[] = [];
  for (const referral of unlinked) {
    const loaded = found.get(referral.id);
    if (loaded) pairs.set(oppKey(loaded.deal.opportunity.opportunityid), { loaded, referral });
    else orphans.push(referral);
  }

  const total = pairs.size + orphans.length;
  let done = 0;
  const progress = () => options.onProgress?.(++done, total);
  options.onProgress?.(0, total);

  const result: ReconcileResult = {
    startedAt: startedAt.toISOString(),
    finishedAt: "",
    watermark: stored?.toISOString() ?? null,
    pairs: total,
    written: 0,
    unchanged: 0,
    created: 0,
    failed: 0,
    failures: [],
  };
  /** The oldest change we could not finish: the watermark must not pass it. */
  let oldestUnfinished: Date | null = null;
  const unfinished = (outcome: PairOutcome, changedAt: string | undefined | null) => {
    result.failed++;
    result.failures.push({
      opportunityId: outcome.opportunityId,
      referralId: outcome.referralId,
      code: outcome.failure?.code ?? "UNKNOWN",
      message: outcome.message ?? "",
    });
    const at = changedAt ? new Date(changedAt) : startedAt;
    if (!Number.isNaN(at.getTime()) && (!oldestUnfinished || at < oldestUnfinished)) oldestUnfinished = at;
  };
  const count = (outcome: PairOutcome, changedAt?: string | null) => {
    if (outcome.result === "error") unfinished(outcome, changedAt);
    else if (outcome.writes.partnerCenter + outcome.writes.dataverse > 0) result.written++;
    else result.unchanged++;
  };

  // Plan every pair (Partner Center writes happen here), collecting the Dataverse change sets.
  const prepared: Array<{ pair: Pair; prepared: PreparedPair; changedAt: string | null }> = [];
  await forEachLimited([...pairs.values()], options.concurrency ?? 8, async (pair) => {
    const loaded = pair.loaded!;
    const opportunityId = loaded.deal.opportunity.opportunityid;
    const changedAt = earliest(loaded.deal.opportunity.modifiedon, pair.referral?.updatedDateTime);
    const keys = [oppKey(opportunityId), ...(pair.referral ? [refKey(pair.referral.id)] : [])];
    const referralId = pair.referral?.id ?? (loaded.deal.opportunity[C.referralId] as string | null) ?? null;
    const outcome = await deps.mutex.run(keys, (waited) =>
      deps.pipeline.withReplans(opportunityId, referralId, { trigger: "reconcile" }, async (attempt) => {
        // Fresh reads when someone else ran in between, or after a stale ETag.
        const fresh = attempt > 0 || waited ? await deps.dataverse.getDeal(opportunityId) : loaded;
        if (!fresh) return { opportunityId, referralId, result: "skipped", recorded: true, writes: { partnerCenter: 0, dataverse: 0 } };
        const known = attempt === 0 && !waited && pair.referral?.eTag ? { referral: pair.referral, eTag: pair.referral.eTag } : null;
        const p = await deps.pipeline.preparePair(fresh, { trigger: "reconcile" }, known);
        if (p.changeSet.length === 0) return p.outcome;
        prepared.push({ pair, prepared: p, changedAt });
        return { ...p.outcome, result: "deferred" as PairOutcome["result"] };
      }),
      readsFrom,
    );
    if ((outcome.result as string) !== "deferred") {
      count(outcome, changedAt);
      progress();
    }
  });

  // All Dataverse writes in as few $batch requests as possible; a stale pair is re-run on its own.
  const errors = await deps.dataverse.writeMany(prepared.map((p) => p.prepared.changeSet));
  await forEachLimited(prepared.map((p, i) => ({ ...p, error: errors[i] })), options.concurrency ?? 8, async (item) => {
    const outcome = item.prepared.outcome;
    if (item.error == null) {
      outcome.writes.dataverse += item.prepared.changeSet.length;
      if (outcome.opportunityId) deps.pipeline.dataverseWritten(outcome.opportunityId);
      count(outcome);
    } else if (classifyFailure(item.error).kind === "concurrency" && outcome.opportunityId) {
      count(await deps.pipeline.syncOpportunity(outcome.opportunityId, { trigger: "reconcile" }), item.changedAt);
    } else {
      count(await deps.pipeline.recordFailure(outcome.opportunityId, outcome.referralId, { trigger: "reconcile" }, item.error), item.changedAt);
    }
    progress();
  });

  // Referrals nobody has linked: new incoming ones become deals here when their webhook was lost.
  for (const referral of orphans) {
    const outcome = await deps.pipeline.syncReferral(referral.id, { trigger: "reconcile" }, deps.inbound);
    if (outcome.result === "success") result.created++;
    count(outcome, referral.updatedDateTime);
    progress();
  }

  const finishedAt = deps.now();
  const next: Date = oldestUnfinished ?? startedAt;
  if (!stored || next > stored) {
    await deps.dataverse.setSetting(SETTING_NAMES.reconcileWatermark, next.toISOString());
    result.watermark = next.toISOString();
  }
  result.finishedAt = finishedAt.toISOString();
  deps.metrics.lastReconcile = {
    startedAt: result.startedAt,
    finishedAt: result.finishedAt,
    watermark: result.watermark,
    pairs: result.pairs,
    written: result.written,
    failed: result.failed,
  };
  log.info({ pairs: total, written: result.written, unchanged: result.unchanged, failed: result.failed, watermark: result.watermark }, "reconcile done");
  return result;
}

function earliest(...values: Array<string | null | undefined>): string | null {
  const times = values.filter((v): v is string => !!v).map((v) => new Date(v)).filter((d) => !Number.isNaN(d.getTime()));
  if (times.length === 0) return null;
  return new Date(Math.min(...times.map((d) => d.getTime()))).toISOString();
}
