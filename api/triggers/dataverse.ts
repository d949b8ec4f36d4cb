/**
 * POST /api/dataverse: what Dataverse's webhook steps send (a RemoteExecutionContext) — the two
 * Custom APIs (Sync now, Accept/Decline) and opportunity Create/Update/Win/Lose. Each becomes one
 * pipeline run; the answer is 204 whenever the outcome is recorded on the opportunity, since
 * Dataverse reads only the status.
 */
import { CUSTOM_APIS, OPPORTUNITY_COLUMNS as C, closeReasonCode, fitText } from "../../sync/schema/dynamics";
import { CLOSE_REASONS, referralLink, type CloseReasonCode } from "../../sync/schema/referral";
import {
  RemoteExecutionContextError,
  contextTarget,
  parseRemoteExecutionContext,
  stringParameter,
  type RemoteExecutionContext,
} from "../../sync/dataverse/remote-execution-context";
import { opportunityImageOf } from "../../sync/dataverse/opportunity-image";
import { ServiceValidationError } from "../core/errors";
import type { Logger } from "../core/logger";
import type { PairOutcome, SyncContext, SyncPipeline } from "../core/pipeline";
import type { UserNames } from "../core/user-names";
import type { DataversePort } from "../ports";
import { isDataverseCallAuthorized } from "./dataverse-auth";
import type { ServiceHealth } from "./health";
import { noContent, problem, readJsonBody } from "./http";

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

/** Why a RespondToReferral request cannot be carried out, or undefined when it can. */
function respondRefusal(decision: string | undefined, reason: CloseReasonCode | undefined, reasonText: string | undefined): string | undefined {
  // What the caller sent is quoted short: it is shown back to the seller, not stored whole.
  const quote = (text: string) => JSON.stringify(fitText(text, 80));
  if (decision !== "accept" && decision !== "decline") return `Decision must be "accept" or "decline", not ${decision === undefined ? "missing" : quote(decision)}.`;
  if (decision === "decline" && reason === undefined) {
    return `Declining needs a reason: one of ${CLOSE_REASONS.map((r) => `${r.code} (${r.text})`).join(", ")}${reasonText ? `; ${quote(reasonText)} is not one of them` : ""}.`;
  }
  return undefined;
}

export interface DataverseTriggerDeps {
  dataverse: DataversePort;
  pipeline: SyncPipeline;
  userNames: UserNames;
  health: ServiceHealth;
  webhookKey: string;
  logger: Logger;
}

export function dataverseTrigger(deps: DataverseTriggerDeps): (request: Request) => Promise<Response> {
  const { pipeline, health } = deps;
  /**
   * Sync now clicked again while one runs for the same opportunity joins it: one sync, one timeline
   * row, the same outcome for every click. A save made meanwhile is synced by its own Update step.
   */
  const syncNowInFlight = new Map<string, Promise<PairOutcome>>();
  function syncNowOnce(opportunityId: string, ctx: SyncContext): Promise<PairOutcome> {
    let running = syncNowInFlight.get(opportunityId);
    if (!running) {
      running = pipeline.syncOpportunity(opportunityId, ctx).finally(() => syncNowInFlight.delete(opportunityId));
      syncNowInFlight.set(opportunityId, running);
    }
    return running;
  }

  /** An opportunity qualified from a co-sell lead takes over the lead's referral. */
  async function takeOverFromLead(rec: RemoteExecutionContext, opportunityId: string): Promise<void> {
    const target = rec.InputParameters.Target as { Attributes?: Record<string, unknown> } | undefined;
    const attrs = { ...(target?.Attributes ?? {}), ...postImageAttributes(rec) };
    if (attrs[C.referralId] && attrs[C.syncWithPartnerCenter] === true) return;
    const leadRef = attrs.originatingleadid as { Id?: string } | string | undefined;
    const leadId = typeof leadRef === "string" ? leadRef : leadRef?.Id;
    const referralId = (attrs[C.referralId] as string | undefined) ?? (leadId ? await deps.dataverse.getLeadReferralId(leadId) : null);
    if (!referralId) return;
    await deps.dataverse.write([
      {
        kind: "update",
        entitySet: "opportunities",
        id: opportunityId,
        changes: { [C.referralId]: referralId, [C.referralLink]: referralLink(referralId), [C.syncWithPartnerCenter]: true },
      },
    ]);
    deps.logger.info({ opportunityId, referralId, leadId }, "opportunity qualified from a co-sell lead takes over its referral");
  }

  const answer = (outcome: PairOutcome, fallback: string): Response =>
    outcome.recorded ? noContent() : problem(503, "notRecorded", outcome.message ?? fallback);

  async function sync(opportunityId: string, ctx: SyncContext, started: number): Promise<Response> {
    const outcome = ctx.trigger === "syncNow" ? await syncNowOnce(opportunityId, ctx) : await pipeline.syncOpportunity(opportunityId, ctx);
    health.observe(ctx.trigger, started, outcome);
    return answer(outcome, "Sync failed and could not be recorded.");
  }

  return async (request) => {
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
    const base = { operationId: rec.OperationId, correlationId, initiatedBy: await deps.userNames.nameOf(rec.InitiatingUserId, rec.UserId) };
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
      if (message === CUSTOM_APIS.syncOpportunity.uniqueName) return sync(opportunityId, { trigger: "syncNow", ...base }, started);
      let decision: string | undefined;
      let reasonText: string | undefined;
      try {
        decision = stringParameter(rec, "Decision")?.trim().toLowerCase();
        reasonText = stringParameter(rec, "Reason");
      } catch (e) {
        return problem(400, "malformedContext", (e as Error).message);
      }
      const reason = parseCloseReason(reasonText);
      const refusal = respondRefusal(decision, reason, reasonText);
      if (refusal) {
        // A wrong request is an outcome too: the seller sees why on the form.
        const outcome = await pipeline.recordFailure(opportunityId, null, { trigger: "respond", ...base }, new ServiceValidationError(refusal));
        return answer(outcome, "Could not record the outcome in Dataverse.");
      }
      return sync(opportunityId, { trigger: "respond", ...base, request: { action: decision as "accept" | "decline", reason } }, started);
    }

    if ((message === "Win" || message === "Lose") && rec.PrimaryEntityName === "opportunity") {
      // Closing in Dynamics runs WinOpportunity/LoseOpportunity, not Update: it syncs like any other change.
      const opportunityId = closedOpportunityId(rec);
      if (!opportunityId) {
        return problem(400, "malformedContext", `${message}: neither PrimaryEntityId nor InputParameters.OpportunityClose.opportunityid names the opportunity.`);
      }
      return sync(opportunityId, { trigger: "dataverseChange", ...base }, started);
    }

    if ((message === "Create" || message === "Update") && rec.PrimaryEntityName === "opportunity") {
      const opportunityId = rec.PrimaryEntityId.toLowerCase();
      if (message === "Create") await takeOverFromLead(rec, opportunityId);
      // An Update's post-image carries the whole opportunity (when the step registers it): a save is then planned without reading it again.
      const image = message === "Update" ? opportunityImageOf(rec) : undefined;
      return sync(opportunityId, { trigger: "dataverseChange", ...base, referralHint: linkedReferralOf(rec), ...(image ? { image } : {}) }, started);
    }
    return problem(400, "unsupportedMessage", `This endpoint handles ${CUSTOM_APIS.syncOpportunity.uniqueName}, ${CUSTOM_APIS.respondToReferral.uniqueName} and opportunity Create/Update/Win/Lose, not ${message} on ${rec.PrimaryEntityName}.`);
  };
}

/** The referral the step says the row is linked to: its post-image (registered by the solution), or the change itself. */
function linkedReferralOf(rec: RemoteExecutionContext): string | undefined {
  const target = (rec.InputParameters.Target as { Attributes?: Record<string, unknown> } | undefined)?.Attributes ?? {};
  const id = postImageAttributes(rec)[C.referralId] ?? target[C.referralId];
  return typeof id === "string" && id !== "" ? id : undefined;
}

/**
 * The columns of every post-image, merged: an async step gets the platform's own
 * "AsynchronousStepPrimaryName" image besides ours (Microsoft's webhook sample), in no promised order.
 */
function postImageAttributes(rec: RemoteExecutionContext): Record<string, unknown> {
  return Object.assign({}, ...Object.values(rec.PostEntityImages).map((image) => image.Attributes ?? {}));
}
