/**
 * The companion Custom API service: web-standard `fetch(Request) → Response` handlers that run
 * unchanged in the Node server (serve.ts), Azure Functions (functions.ts) and tests (msw).
 *
 *   POST /api/dataverse                  RemoteExecutionContext from Dataverse (Custom APIs, Create/Update steps)
 *   POST /api/partner-center/webhook     signed Partner Center referral events
 *   GET  /health (or /api/health)        credential health, last reconcile, counters
 *
 * No state of its own beyond caches and counters: sync state lives in Dataverse.
 */
import { CUSTOM_APIS, OPPORTUNITY_COLUMNS as C, SETTING_NAMES, closeReasonCode } from "../sync/schema/dynamics";
import { CLOSE_REASONS, referralLink, type CloseReasonCode } from "../sync/schema/referral";
import {
  RemoteExecutionContextError,
  contextTarget,
  parseRemoteExecutionContext,
  stringParameter,
  type RemoteExecutionContext,
} from "../sync/dataverse/remote-execution-context";
import { verifyPartnerCenterWebhook, type VerifyOptions } from "../sync/partner-center/webhook-verify";
import { isDataverseCallAuthorized } from "./triggers/dataverse-auth";
import { defaultMapping, loadMapping, type Mapping } from "../sync/engine";
import { ServiceValidationError } from "./core/errors";
import { noContent, problem, readJsonBody, routeOf } from "./triggers/http";
import { Inbound } from "./core/inbound";
import { createLogger, type Logger } from "./core/logger";
import { Metrics, type MetricsSnapshot } from "./core/metrics";
import { KeyedMutex } from "./core/mutex";
import { SyncPipeline, type PairOutcome, type SyncContext } from "./core/pipeline";
import type { DataversePort, PartnerCenterPort } from "./ports";
import { reconcile as runReconcile, type ReconcileOptions, type ReconcileResult } from "./core/reconcile";
import { backfill as runBackfill, type BackfillOptions, type BackfillResult } from "./core/backfill";
import { UserNames } from "./core/user-names";

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
  /** How long the mapping read from Dataverse is reused. */
  mappingCacheMs?: number;
}

export interface HealthReport {
  status: "ok" | "degraded";
  partnerCenter: { credential: "ok" | "expired" | "unknown"; detail?: string };
  lastReconcile: MetricsSnapshot["lastReconcile"];
  counters: Omit<MetricsSnapshot, "lastReconcile">;
}

export interface CoSellService {
  fetch(request: Request): Promise<Response>;
  reconcile(options?: ReconcileOptions): Promise<ReconcileResult>;
  backfill(options?: BackfillOptions): Promise<BackfillResult>;
  health(): Promise<HealthReport>;
}

/** Partner Center retries a webhook up to 10 times; remembering recent keys answers duplicates cheaply. */
class RecentKeys {
  private keys = new Set<string>();
  constructor(private readonly limit = 10_000) {}
  has(key: string): boolean {
    return this.keys.has(key);
  }
  add(key: string): void {
    this.keys.add(key);
    if (this.keys.size > this.limit) this.keys.delete(this.keys.values().next().value as string);
  }
}

/** `Reason` may come as the code (1–8), the choice value, or the reason's text. */
export function parseCloseReason(value: string | undefined): CloseReasonCode | undefined {
  if (value === undefined || value.trim() === "") return undefined;
  const text = value.trim();
  const n = Number(text);
  if (Number.isInteger(n)) {
    if (n >= 1 && n <= 8) return n as CloseReasonCode;
    return closeReasonCode(n);
  }
  return CLOSE_REASONS.find((r) => r.text.toLowerCase() === text.toLowerCase())?.code;
}

const EMPTY_GUID = "00000000-0000-0000-0000-000000000000";

/**
 * The opportunity a Win/Lose message closed. Dataverse may leave PrimaryEntityId empty for these
 * messages (their input is an OpportunityClose activity), so its `opportunityid` lookup is the fallback.
 */
export function closedOpportunityId(rec: RemoteExecutionContext): string | null {
  if (rec.PrimaryEntityId && rec.PrimaryEntityId !== EMPTY_GUID) return rec.PrimaryEntityId.toLowerCase();
  const close = rec.InputParameters.OpportunityClose as { Attributes?: Record<string, unknown> } | undefined;
  const ref = close?.Attributes?.opportunityid as { Id?: unknown; LogicalName?: unknown } | undefined;
  if (ref && typeof ref.Id === "string" && ref.LogicalName === "opportunity" && ref.Id !== EMPTY_GUID) return ref.Id.toLowerCase();
  return null;
}

export function createCoSellService(deps: CoSellServiceDeps): CoSellService {
  const now = deps.now ?? (() => new Date());
  const logger = deps.logger ?? createLogger();
  const metrics = new Metrics();
  const mutex = new KeyedMutex();
  const dv = deps.dataverse;
  const pc = deps.partnerCenter;
  const seenWebhooks = new RecentKeys();
  const userNames = new UserNames((id) => dv.getUserFullName(id), logger);
  let credentialProblem: string | undefined;

  let cachedMapping: { mapping: Mapping; at: number } | undefined;
  const mapping = async (): Promise<Mapping> => {
    if (deps.mapping) return deps.mapping;
    const age = cachedMapping ? now().getTime() - cachedMapping.at : Infinity;
    if (cachedMapping && age < (deps.mappingCacheMs ?? 60_000)) return cachedMapping.mapping;
    const text = await dv.getSetting(SETTING_NAMES.mappingDocument);
    let loaded: Mapping;
    if (!text) loaded = defaultMapping();
    else {
      try {
        loaded = loadMapping(JSON.parse(text));
      } catch (e) {
        throw new ServiceValidationError(`The mapping document (setting "${SETTING_NAMES.mappingDocument}") cannot be used: ${(e as Error).message}`);
      }
    }
    cachedMapping = { mapping: loaded, at: now().getTime() };
    return loaded;
  };

  const pipeline = new SyncPipeline({ partnerCenter: pc, dataverse: dv, mapping, now, logger, metrics, mutex, maxReplans: deps.maxReplans });
  const inbound = new Inbound({ dataverse: dv, pipeline, mapping, logger });

  const observe = (trigger: string, started: number, outcome: PairOutcome) => {
    metrics.recordEvent(trigger, performance.now() - started);
    if (outcome.failure?.kind === "credential") credentialProblem = outcome.failure.message;
    else if (outcome.result !== "error") credentialProblem = undefined;
  };

  /** An opportunity qualified from a co-sell lead takes over the lead's referral. */
  async function takeOverFromLead(rec: RemoteExecutionContext, opportunityId: string): Promise<void> {
    const target = rec.InputParameters.Target as { Attributes?: Record<string, unknown> } | undefined;
    const image = Object.values(rec.PostEntityImages)[0]?.Attributes ?? {};
    const attrs = { ...(target?.Attributes ?? {}), ...image };
    if (attrs[C.referralId]) {
      if (attrs[C.syncWithPartnerCenter] === true) return;
    }
    const leadRef = attrs.originatingleadid as { Id?: string } | string | undefined;
    const leadId = typeof leadRef === "string" ? leadRef : leadRef?.Id;
    const referralId = (attrs[C.referralId] as string | undefined) ?? (leadId ? await dv.getLeadReferralId(leadId) : null);
    if (!referralId) return;
    await dv.write([
      {
        kind: "update",
        entitySet: "opportunities",
        id: opportunityId,
        changes: { [C.referralId]: referralId, [C.referralLink]: referralLink(referralId), [C.syncWithPartnerCenter]: true },
      },
    ]);
    logger.info({ opportunityId, referralId, leadId }, "opportunity qualified from a co-sell lead takes over its referral");
  }

  async function handleDataverse(request: Request): Promise<Response> {
    if (!isDataverseCallAuthorized(request, deps.webhookKey)) {
      return problem(401, "unauthorized", "Missing or wrong service key (x-cosell-key header or code query parameter).");
    }
    const body = await readJsonBody(request);
    if (!body.ok) return body.response;
    let rec: RemoteExecutionContext;
    try {
      rec = parseRemoteExecutionContext(body.json);
    } catch (e) {
      if (e instanceof RemoteExecutionContextError) return problem(400, "malformedContext", e.message);
      throw e;
    }
    const correlationId = rec.CorrelationId || request.headers.get("x-ms-correlation-request-id") || undefined;
    const base = { operationId: rec.OperationId, correlationId, initiatedBy: await userNames.nameOf(rec.InitiatingUserId, rec.UserId) };
    const started = performance.now();
    const message = rec.MessageName;

    if (message === CUSTOM_APIS.syncOpportunity.uniqueName || message === CUSTOM_APIS.respondToReferral.uniqueName) {
      let target;
      try {
        target = contextTarget(rec);
      } catch (e) {
        return problem(400, "malformedContext", (e as Error).message);
      }
      if (target.LogicalName !== "opportunity") {
        return problem(400, "wrongTarget", `${message} is bound to opportunity; the target is a ${target.LogicalName}.`);
      }
      const opportunityId = target.Id.toLowerCase();
      let ctx: SyncContext;
      if (message === CUSTOM_APIS.syncOpportunity.uniqueName) ctx = { trigger: "syncNow", ...base };
      else {
        let decision: string | undefined;
        let reasonText: string | undefined;
        try {
          decision = stringParameter(rec, "Decision")?.trim().toLowerCase();
          reasonText = stringParameter(rec, "Reason");
        } catch (e) {
          return problem(400, "malformedContext", (e as Error).message);
        }
        const reason = parseCloseReason(reasonText);
        const refusal =
          decision !== "accept" && decision !== "decline"
            ? `Decision must be "accept" or "decline", not ${JSON.stringify(decision ?? null)}.`
            : decision === "decline" && reason === undefined
              ? `Declining needs a reason: one of ${CLOSE_REASONS.map((r) => `${r.code} (${r.text})`).join(", ")}${reasonText ? `; "${reasonText}" is not one of them` : ""}.`
              : undefined;
        ctx = { trigger: "respond", ...base, request: refusal ? undefined : { action: decision as "accept" | "decline", reason } };
        if (refusal) {
          // A wrong request is an outcome too: the seller sees why on the form.
          const outcome = await pipeline.recordFailure(opportunityId, null, ctx, new ServiceValidationError(refusal));
          return outcome.recorded ? noContent() : problem(503, "notRecorded", "Could not record the outcome in Dataverse.");
        }
      }
      const outcome = await pipeline.syncOpportunity(opportunityId, ctx);
      observe(ctx.trigger, started, outcome);
      // Dataverse reads only the status: 2xx whenever the outcome is on the opportunity.
      return outcome.recorded ? noContent() : problem(503, "notRecorded", `Nothing could be recorded: ${outcome.message ?? "unknown error"}`);
    }

    if ((message === "Win" || message === "Lose") && rec.PrimaryEntityName === "opportunity") {
      // Closing in Dynamics runs WinOpportunity/LoseOpportunity, not Update: it syncs like any other change.
      const opportunityId = closedOpportunityId(rec);
      if (!opportunityId) {
        return problem(400, "malformedContext", `${message}: neither PrimaryEntityId nor InputParameters.OpportunityClose.opportunityid names the opportunity.`);
      }
      const outcome = await pipeline.syncOpportunity(opportunityId, { trigger: "dataverseChange", ...base });
      observe("dataverseChange", started, outcome);
      return outcome.recorded ? noContent() : problem(503, "notRecorded", outcome.message ?? "Sync failed and could not be recorded.");
    }

    if ((message === "Create" || message === "Update") && rec.PrimaryEntityName === "opportunity") {
      const opportunityId = rec.PrimaryEntityId.toLowerCase();
      if (message === "Create") await takeOverFromLead(rec, opportunityId);
      const outcome = await pipeline.syncOpportunity(opportunityId, { trigger: "dataverseChange", ...base });
      observe("dataverseChange", started, outcome);
      return outcome.recorded ? noContent() : problem(503, "notRecorded", outcome.message ?? "Sync failed and could not be recorded.");
    }
    return problem(400, "unsupportedMessage", `This endpoint handles ${CUSTOM_APIS.syncOpportunity.uniqueName}, ${CUSTOM_APIS.respondToReferral.uniqueName} and opportunity Create/Update/Win/Lose, not ${message} on ${rec.PrimaryEntityName}.`);
  }

  async function handlePartnerCenter(request: Request): Promise<Response> {
    const raw = new Uint8Array(await request.arrayBuffer());
    const verified = await verifyPartnerCenterWebhook(request.headers, raw, deps.verifyOptions);
    if (!verified.ok) {
      logger.warn({ reason: verified.reason }, "Partner Center webhook refused");
      return problem(401, "invalidSignature", verified.reason);
    }
    const event = verified.event;
    if (!event.referralId) return Response.json({ ignored: `not a referral event (${event.resourceName})` }, { status: 202 });
    if (seenWebhooks.has(event.dedupeKey)) return Response.json({ duplicate: true }, { status: 200 });
    const started = performance.now();
    const outcome = await pipeline.syncReferral(event.referralId, { trigger: "partnerCenterWebhook", correlationId: event.dedupeKey }, inbound);
    observe("partnerCenterWebhook", started, outcome);
    if (outcome.result === "error" && (outcome.failure?.retryable || !outcome.recorded)) {
      // Not handled: an error answer makes Partner Center deliver it again (D.7).
      return problem(503, outcome.failure?.code ?? "notHandled", outcome.message ?? "Sync failed; deliver again.", { "Retry-After": "30" });
    }
    seenWebhooks.add(event.dedupeKey);
    return Response.json({ handled: true, result: outcome.result, opportunityId: outcome.opportunityId }, { status: 200 });
  }

  async function health(): Promise<HealthReport> {
    let credential: HealthReport["partnerCenter"] = credentialProblem ? { credential: "expired", detail: credentialProblem } : { credential: "unknown" };
    if (deps.partnerCenterCredential) {
      try {
        await deps.partnerCenterCredential();
        credential = { credential: "ok" };
      } catch (e) {
        credential = { credential: "expired", detail: (e as Error).message };
      }
    } else if (!credentialProblem && metrics.snapshot().eventsProcessed > 0) credential = { credential: "ok" };
    const { lastReconcile, ...counters } = metrics.snapshot();
    return { status: credential.credential === "expired" ? "degraded" : "ok", partnerCenter: credential, lastReconcile, counters };
  }

  async function fetchHandler(request: Request): Promise<Response> {
    const route = routeOf(request);
    try {
      if (route === "/dataverse") {
        return request.method === "POST" ? await handleDataverse(request) : problem(405, "methodNotAllowed", "Use POST.", { Allow: "POST" });
      }
      if (route === "/partner-center/webhook") {
        return request.method === "POST" ? await handlePartnerCenter(request) : problem(405, "methodNotAllowed", "Use POST.", { Allow: "POST" });
      }
      if (route === "/health") {
        return request.method === "GET" ? Response.json(await health()) : problem(405, "methodNotAllowed", "Use GET.", { Allow: "GET" });
      }
      return problem(404, "notFound", `No route ${request.method} ${new URL(request.url).pathname}.`);
    } catch (e) {
      metrics.recordError("BUG");
      logger.error({ err: e, route }, "unhandled error");
      return problem(500, "internalError", "The service failed unexpectedly; see its logs.");
    }
  }

  return {
    fetch: fetchHandler,
    reconcile: (options) => runReconcile({ partnerCenter: pc, dataverse: dv, pipeline, inbound, mutex, metrics, logger, now }, options),
    backfill: (options) => runBackfill({ partnerCenter: pc, dataverse: dv, pipeline, logger, now }, options),
    health,
  };
}
