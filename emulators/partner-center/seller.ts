/**
 * The Microsoft seller's side of co-sell in the emulator: sends the partner an incoming referral,
 * changes a shared one, closes it. State operations, also served under `${baseUrl}/_sandbox/…`
 * for the sandbox page. Writes go through the same store, so they raise the same webhooks.
 */
import { ERROR_CODES } from "../../sync/contracts/partner-center-referrals";
import { http, HttpResponse, type HttpHandler } from "msw";
import type { AssistanceRequestCode, Member, Referral } from "../../sync/schema/referral";
import type { Random } from "../kit/random";
import { answer, readJsonBody, responseHeaders } from "./http-util";
import { ApiError } from "./rules";
import type { PartnerCenterState } from "./state";

export const MICROSOFT_ORG = { organizationId: "msft", organizationName: "Microsoft" } as const;
/** §2.3: an unanswered inbound referral expires after 14 days. */
export const INCOMING_EXPIRY_DAYS = 14;

export interface IncomingReferralInput {
  name: string;
  customerName: string;
  country: string;
  city?: string;
  postalCode?: string;
  dealValue?: number;
  currency?: string;
  closingDateTime?: string;
  assistanceRequestCode?: AssistanceRequestCode;
  solutionIds?: string[];
  notes?: string;
  customerContact?: Member;
  /** The Microsoft seller on the deal. */
  seller?: Member;
}

export interface SellerChange {
  dealValue?: number;
  currency?: string;
  notes?: string;
  closingDateTime?: string;
  /** Replaces the solutions (type "Name", as real referrals carry SOL- codes and GUIDs). */
  solutionIds?: string[];
  /** Microsoft's CRM id, set when Microsoft takes the co-sell up. */
  microsoftMsxId?: string;
}

export interface MicrosoftSeller {
  createIncoming(input: IncomingReferralInput): Referral;
  update(id: string, change: SellerChange): Referral;
  close(id: string, outcome: "Won" | "Lost", reason?: string): Referral;
  /** Runs the 14-day clock: every unanswered New referral past its expiry becomes Closed/Expired. */
  expireOverdue(): Referral[];
}

export function createSeller(state: PartnerCenterState): MicrosoftSeller {
  return {
    createIncoming(input) {
      const body: Record<string, unknown> = {
        name: input.name,
        type: "Shared",
        qualification: "SalesQualified",
        status: "New",
        substatus: "Pending",
        customerProfile: {
          name: input.customerName,
          address: { country: input.country, city: input.city ?? null, postalCode: input.postalCode ?? null },
          team: input.customerContact ? [input.customerContact] : [],
        },
        consent: { consentToShareReferralWithMicrosoftSellers: true, consentToContact: true },
        details: {
          notes: input.notes ?? null,
          dealValue: input.dealValue ?? null,
          currency: input.currency ?? null,
          closingDateTime: input.closingDateTime ?? null,
          requirements: { solutions: (input.solutionIds ?? []).map((id) => ({ id, type: "Name" })) },
        },
        team: input.seller ? [input.seller] : [],
        inviteContext: { notes: input.notes ?? null, invitedBy: { ...MICROSOFT_ORG }, assistanceRequestCode: input.assistanceRequestCode ?? null },
        target: [{ type: "BusinessProfileLocation", id: "partner" }],
      };
      return state.insert(body, { direction: "Incoming", expiresInDays: INCOMING_EXPIRY_DAYS });
    },

    update(id, change) {
      const r = state.get(id);
      const details = { ...r.details };
      if (change.dealValue !== undefined) details.dealValue = change.dealValue;
      if (change.currency !== undefined) details.currency = change.currency;
      if (change.notes !== undefined) details.notes = change.notes;
      if (change.closingDateTime !== undefined) details.closingDateTime = change.closingDateTime;
      if (change.solutionIds !== undefined) details.requirements = { ...details.requirements, solutions: change.solutionIds.map((sid) => ({ id: sid, type: "Name" as const })) };
      const trackingInfo = change.microsoftMsxId !== undefined ? { ...r.trackingInfo, microsoftMsxId: change.microsoftMsxId } : r.trackingInfo;
      return state.replace(id, { ...r, details, trackingInfo } as unknown as Record<string, unknown>);
    },

    close(id, outcome, reason) {
      const r = state.get(id);
      return state.replace(id, { ...r, status: "Closed", substatus: outcome, statusReason: reason ?? (outcome === "Lost" ? "Others" : null) } as unknown as Record<string, unknown>);
    },

    expireOverdue: () => state.expireOverdue(),
  };
}

/** `${baseUrl}/_sandbox/seller/…` routes for the sandbox page (no bearer: it is the seller's own console). */
export function sellerHandlers(baseUrl: string, seller: MicrosoftSeller, random: Random): HttpHandler[] {
  const root = `${baseUrl}/_sandbox/seller/referrals`;
  const json = (request: Request, value: unknown, status = 200) => HttpResponse.json(value as Record<string, unknown>, { status, headers: responseHeaders(request, random) });
  return [
    http.post(root, ({ request }) =>
      answer(request, random, async () => json(request, seller.createIncoming((await readJsonBody(request)) as IncomingReferralInput), 201)),
    ),
    http.patch(`${root}/:id`, ({ request, params }) =>
      answer(request, random, async () => json(request, seller.update(String(params.id), (await readJsonBody(request)) as SellerChange))),
    ),
    http.post(`${root}/:id/close`, ({ request, params }) =>
      answer(request, random, async () => {
        const body = (await readJsonBody(request)) as { outcome?: unknown; reason?: unknown };
        if (body.outcome !== "Won" && body.outcome !== "Lost") throw new ApiError(400, ERROR_CODES.invalidRequest, "outcome must be Won or Lost", "outcome");
        return json(request, seller.close(String(params.id), body.outcome, typeof body.reason === "string" ? body.reason : undefined));
      }),
    ),
    http.post(`${baseUrl}/_sandbox/seller/expire-overdue`, ({ request }) => answer(request, random, () => json(request, { expired: seller.expireOverdue() }))),
  ];
}
