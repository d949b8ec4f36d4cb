/**
 * POST /api/partner-center/webhook: a signed Partner Center referral event (D.7, D.8). Answered
 * 200 when handled (or already handled), 401 when the signature does not hold, and 503 with
 * Retry-After when the sync failed for a passing reason, so Partner Center delivers it again.
 */
import { verifyPartnerCenterWebhook, type VerifyOptions } from "../../sync/partner-center/webhook-verify";
import type { Inbound } from "../core/inbound";
import type { Logger } from "../core/logger";
import type { SyncPipeline } from "../core/pipeline";
import type { ServiceHealth } from "./health";
import { problem, readLimitedBody } from "./http";

/** Partner Center retries a webhook up to 10 times; remembering recent keys answers duplicates cheaply. */
export class RecentKeys {
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

export interface PartnerCenterWebhookDeps {
  pipeline: SyncPipeline;
  inbound: Inbound;
  verifyOptions: VerifyOptions;
  health: ServiceHealth;
  logger: Logger;
}

export function partnerCenterWebhookTrigger(deps: PartnerCenterWebhookDeps): (request: Request) => Promise<Response> {
  const seen = new RecentKeys();
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
    if (seen.has(event.dedupeKey)) return Response.json({ duplicate: true }, { status: 200 });
    const started = performance.now();
    const outcome = await deps.pipeline.syncReferral(event.referralId, { trigger: "partnerCenterWebhook", correlationId: event.dedupeKey }, deps.inbound);
    deps.health.observe("partnerCenterWebhook", started, outcome);
    if (outcome.result === "error" && (outcome.failure?.retryable || !outcome.recorded)) {
      // Not handled: an error answer makes Partner Center deliver it again (D.7).
      return problem(503, outcome.failure?.code ?? "notHandled", outcome.message ?? "Sync failed; deliver again.", { "Retry-After": "30" });
    }
    seen.add(event.dedupeKey);
    return Response.json({ handled: true, result: outcome.result, opportunityId: outcome.opportunityId }, { status: 200 });
  };
}
