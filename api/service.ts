/**
 * The companion service: web-standard `fetch(Request) → Response` handlers that run unchanged in
 * the Node server, Azure Functions, the sandbox and tests. It is put together from configuration
 * by compose.ts; here the triggers are mounted on their routes.
 *
 *   POST /api/dataverse                  RemoteExecutionContext from Dataverse (Custom APIs, Create/Update/Win/Lose steps)
 *   POST /api/partner-center/webhook     signed Partner Center referral events
 *   GET  /health (or /api/health)        credential health, last reconcile, counters, how many deals are stuck
 *   GET  /health/stuck                   the stuck deals with their fixes (needs the service's key)
 *
 * No state of its own beyond caches and counters: sync state lives in Dataverse, and what the
 * instances share (webhook claims, the call count, the reconcile lease) in `shared-state/`.
 */
import { NEEDS_ATTENTION } from "../sync/schema/dynamics";
import type { Mapping } from "../sync/engine";
import type { CallBudget, CallBudgetSnapshot } from "../sync/partner-center/call-budget";
import type { VerifyOptions } from "../sync/partner-center/webhook-verify";
import { backfill as runBackfill, type BackfillOptions, type BackfillResult } from "./core/backfill";
import { Inbound } from "./core/inbound";
import { createLogger, type Logger } from "./core/logger";
import { mappingSource } from "./core/mapping-source";
import { Metrics } from "./core/metrics";
import { KeyedMutex } from "./core/mutex";
import { SyncPipeline } from "./core/pipeline";
import { reconcile as runReconcile, type ReconcileOptions, type ReconcileResult } from "./core/reconcile";
import { UserNames } from "./core/user-names";
import type { DataversePort, PartnerCenterPort } from "./ports";
import { dataverseTrigger } from "./triggers/dataverse";
import { ServiceHealth, type HealthReport, type StuckRecord } from "./triggers/health";
import { DATAVERSE_KEY_HEADER, isDataverseCallAuthorized } from "./triggers/dataverse-auth";
import { problem, routeOf } from "./triggers/http";
import { partnerCenterWebhookTrigger } from "./triggers/partner-center-webhook";
import { classifyFailure } from "./core/errors";
import { holdWhile } from "./shared-state/reconcile-lease";
import { memorySharedState, type SharedState } from "./shared-state/shared-state";

export type { HealthReport, StuckRecord } from "./triggers/health";

export interface CoSellServiceDeps {
  partnerCenter: PartnerCenterPort;
  dataverse: DataversePort;
  /** Fixed mapping; otherwise the `mapping.document` setting in Dataverse, else the default. */
  mapping?: Mapping;
  now?: () => Date;
  logger?: Logger;
  /** The key Dataverse's service endpoint sends (header `x-cosell-key` or `?code=`). */
  webhookKey: string;
  verifyOptions: VerifyOptions;
  /** Checked by /health: a silent token refresh for Partner Center. */
  partnerCenterCredential?: () => Promise<unknown>;
  maxReplans?: number;
  /** How long a deal may stay Pending before /health counts it stuck (the reconcile interval; default 15 min). */
  stuckAfterMs?: number;
  /** How long the mapping read from Dataverse is reused. */
  mappingCacheMs?: number;
  /** What the instances share; default this process's memory (one instance). */
  sharedState?: SharedState;
  /** The Partner Center clients' call budget, for /health and to flush at close. */
  callBudget?: CallBudget;
}

/** A timer's pass: run under the reconcile lease, or skipped, saying why. */
export type ScheduledReconcile =
  | { ran: true; result: ReconcileResult }
  | { ran: false; reason: "leaseHeld" | "stateUnavailable"; message: string };

export interface CoSellService {
  fetch(request: Request): Promise<Response>;
  reconcile(options?: ReconcileOptions): Promise<ReconcileResult>;
  /** What the hosts' timers run: reconcile, by one instance at a time (the reconcile lease). */
  scheduledReconcile(): Promise<ScheduledReconcile>;
  /** Today's Partner Center calls, of every instance sharing the state. */
  callBudget(): Promise<CallBudgetSnapshot | undefined>;
  /** Flushes what is only counted here (the call budget); the hosts call it when they stop. */
  close(): Promise<void>;
  backfill(options?: BackfillOptions): Promise<BackfillResult>;
  health(): Promise<HealthReport>;
  /** The deals that need someone, with the fix (GET /health/stuck). */
  stuckRecords(): Promise<StuckRecord[]>;
}

type Handler = (request: Request) => Promise<Response>;

export function createCoSellService(deps: CoSellServiceDeps): CoSellService {
  const now = deps.now ?? (() => new Date());
  const logger = deps.logger ?? createLogger();
  const metrics = new Metrics();
  const mutex = new KeyedMutex();
  const { dataverse, partnerCenter } = deps;
  const mapping = mappingSource({ fixed: deps.mapping, readSetting: (name) => dataverse.getSetting(name), now, cacheMs: deps.mappingCacheMs });
  const pipeline = new SyncPipeline({ partnerCenter, dataverse, mapping, now, logger, metrics, mutex, maxReplans: deps.maxReplans });
  const inbound = new Inbound({ dataverse, pipeline, mapping, logger });
  const state = deps.sharedState ?? memorySharedState({ now });
  const health = new ServiceHealth(metrics, deps.partnerCenterCredential, {
    list: (pendingBefore) => dataverse.listStuckDeals(pendingBefore), pendingMs: deps.stuckAfterMs ?? NEEDS_ATTENTION.defaultPendingMinutes * 60_000, now,
  }, deps.callBudget);

  const userNames = new UserNames((id) => dataverse.getUserFullName(id), logger);
  const routes = new Map<string, { method: string; handle: Handler }>([
    ["/dataverse", { method: "POST", handle: dataverseTrigger({ dataverse, pipeline, health, logger, userNames, webhookKey: deps.webhookKey }) }],
    ["/partner-center/webhook", { method: "POST", handle: partnerCenterWebhookTrigger({ pipeline, inbound, health, logger, verifyOptions: deps.verifyOptions, claims: state.webhooks }) }],
    ["/health", { method: "GET", handle: async () => Response.json(await health.report()) }],
    // The list names deals and their errors: only for a caller with the service's key (an admin, the sandbox).
    ["/health/stuck", {
      method: "GET",
      handle: async (request) => {
        if (!isDataverseCallAuthorized(request, deps.webhookKey)) return problem(401, "unauthorized", `Send the service's key in the ${DATAVERSE_KEY_HEADER} header.`);
        return Response.json({ records: (await health.stuckRecords()) ?? [] });
      },
    }],
  ]);

  async function fetchHandler(request: Request): Promise<Response> {
    const route = routeOf(request);
    const entry = routes.get(route);
    if (!entry) return problem(404, "notFound", `No route ${request.method} ${new URL(request.url).pathname}.`);
    if (request.method !== entry.method) return problem(405, "methodNotAllowed", `Use ${entry.method}.`, { Allow: entry.method });
    try {
      return await entry.handle(request);
    } catch (e) {
      metrics.recordError("BUG");
      logger.error({ err: e, route }, "unhandled error");
      return problem(500, "internalError", "The service failed unexpectedly; see its logs.");
    }
  }

  const reconcile = (options?: ReconcileOptions) => runReconcile({ partnerCenter, dataverse, pipeline, inbound, mutex, metrics, logger, now }, options);

  async function scheduledReconcile(): Promise<ScheduledReconcile> {
    const log = logger.child({ job: "reconcile" });
    let acquired;
    try {
      acquired = await state.reconcileLease.acquire();
    } catch (e) {
      const failure = classifyFailure(e);
      if (!failure.retryable) throw e;
      metrics.recordError(failure.code);
      log.warn({ err: e }, "reconcile skipped: the shared state cannot be reached to take the reconcile lease; the next tick tries again");
      return { ran: false, reason: "stateUnavailable", message: failure.message };
    }
    if (!acquired.held) {
      const message = `another instance (${acquired.holder}) is reconciling; its lease runs until ${acquired.until.toISOString()}`;
      log.info({ holder: acquired.holder, until: acquired.until.toISOString() }, `reconcile skipped: ${message}`);
      return { ran: false, reason: "leaseHeld", message };
    }
    const result = await holdWhile(state.reconcileLease, acquired.lease, async () => {
      const passed = await reconcile();
      // The lease holder tidies the shared state: Table storage deletes nothing by itself.
      await state.prune().catch((e: unknown) => log.warn({ err: e }, "expired shared-state entities not pruned; the next pass tries again"));
      return passed;
    }, {
      onLost: () => log.warn("the reconcile lease expired during the pass and another instance took it; this pass finishes, its writes guarded by ETags"),
      onRenewError: (e) => log.warn({ err: e }, "reconcile lease not renewed; tried again shortly"),
      onReleaseError: (e) => log.warn({ err: e }, "reconcile lease not released; it expires on its own"),
    });
    return { ran: true, result };
  }

  return {
    fetch: fetchHandler,
    reconcile,
    scheduledReconcile,
    callBudget: () => health.callBudget(),
    close: async () => {
      await deps.callBudget?.close();
    },
    backfill: (options) => runBackfill({ partnerCenter, dataverse, pipeline, logger, now }, options),
    health: () => health.report(),
    stuckRecords: async () => (await health.stuckRecords()) ?? [],
  };
}
