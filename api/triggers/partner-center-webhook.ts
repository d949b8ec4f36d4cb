/**
 * POST /api/partner-center/webhook: a signed Partner Center referral event (D.7, D.8). Answered
 * 200 when handled (or already handled), 401 when the signature does not hold, and 503 with
 * Retry-After when it was not handled for a passing reason, so Partner Center delivers it again:
 * the sync failed so, another instance is still syncing the same event, or the instances' shared
 * state cannot be reached (nothing is synced then; the redelivery is).
 */
import { verifyPartnerCenterWebhook, type VerifyOptions } from "../../sync/partner-center/webhook-verify";
import { classifyFailure } from "../core/errors";
import type { Inbound } from "../core/inbound";
import type { Logger } from "../core/logger";
import type { SyncPipeline } from "../core/pipeline";
import type { WebhookDedupe } from "../shared-state/webhook-claims";
import type { ServiceHealth } from "./health";
import { problem, readLimitedBody } from "./http";

/** What every "deliver it again" answer asks Partner Center to wait. */
const RETRY_AFTER = { "Retry-After": "30" };

export interface PartnerCenterWebhookDeps {
  pipeline: SyncPipeline;
  inbound: Inbound;
  verifyOptions: VerifyOptions;
  health: ServiceHealth;
  logger: Logger;
  /** Which events are handled or being handled, across the instances (api/shared-state). */
  claims: WebhookDedupe;
}

export function partnerCenterWebhookTrigger(deps: PartnerCenterWebhookDeps): (request: Request) => Promise<Response> {
  /** The shared state failed us: a retryable answer, never a 500 — Partner Center keeps the event. */
  const stateFailure = (e: unknown, what: string): Response => {
    const failure = classifyFailure(e);
    if (!failure.retryable) throw e;
    deps.health.recordError(failure.code);
    deps.logger.warn({ err: e, code: failure.code }, `Partner Center webhook: ${what}`);
    return problem(503, failure.code, failure.message, RETRY_AFTER);
  };

  return async (request) => {
    // Bounded before the signature is checked: an unsigned caller cannot make the service hold a large body.
    const body = await readLimitedBody(request);
    if (!body.ok) return body.response;
    const verified = await verifyPartnerCenterWebhook(request.headers, body.raw, deps.verifyOptions);
    if (!verified.ok) {
      deps.logger.warn({ reason: verified.reason }, "Partner Center webhook refused");
      return problem(401, "invalidSignature", verified.reason);
    }
    const event = verified.event;
    if (!event.referralId) return Response.json({ ignored: `not a referral event (${event.resourceName})` }, { status: 202 });

    let claimed;
    try {
      claimed = await deps.claims.claim(event.dedupeKey);
    } catch (e) {
      return stateFailure(e, "not handled, the shared state cannot be reached");
    }
    if (claimed.state === "done") return Response.json({ duplicate: true }, { status: 200 });
    if (claimed.state === "busy") {
      return problem(503, "inProgress", `Another instance is handling this event (until ${claimed.until.toISOString()} at the latest); deliver it again.`, RETRY_AFTER);
    }
    const { claim } = claimed;
    // Not handled: the redelivery must find the event free. Should the release fail, the claim expires on its own.
    const release = () => deps.claims.release(claim).catch((e: unknown) => deps.logger.warn({ err: e, dedupeKey: event.dedupeKey }, "webhook claim not released; it expires"));

    const started = performance.now();
    const outcome = await deps.pipeline.syncReferral(event.referralId, { trigger: "partnerCenterWebhook", correlationId: event.dedupeKey }, deps.inbound).catch(async (e: unknown) => {
      await release();
      throw e;
    });
    deps.health.observe("partnerCenterWebhook", started, outcome);
    if (outcome.result === "error" && (outcome.failure?.retryable || !outcome.recorded)) {
      // An error answer makes Partner Center deliver it again (D.7).
      await release();
      return problem(503, outcome.failure?.code ?? "notHandled", outcome.message ?? "Sync failed; deliver again.", RETRY_AFTER);
    }
    // Handled. Should the mark fail, a redelivery after the claim expires syncs again and finds nothing to write.
    await deps.claims.complete(claim).catch((e: unknown) => deps.logger.warn({ err: e, dedupeKey: event.dedupeKey }, "webhook handled, but not marked so in the shared state"));
    return Response.json({ handled: true, result: outcome.result, opportunityId: outcome.opportunityId }, { status: 200 });
  };
}
