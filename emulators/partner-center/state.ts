/**
 * The emulated partner tenant's referrals: one store with the service's rules (ids, ETags that
 * change on every write, server-assigned fields, status transitions). The REST handlers and the
 * Microsoft-seller side both write through it, so both raise the same webhook events.
 */
import { ERROR_CODES } from "../../sync/contracts/partner-center-referrals";
import { REFERRAL_CREATED, REFERRAL_EVENTS, REFERRAL_UPDATED } from "../../sync/contracts/partner-center-webhooks";
import { isTerminal, type Referral } from "../../sync/schema/referral";
import type { Random } from "../kit/random";
import { ApiError, SERVER_FIELDS, checkTransition, validateReferral } from "./rules";

export type ReferralEventName = (typeof REFERRAL_EVENTS)[number];
type Obj = Record<string, unknown>;

export interface StateOptions {
  random: Random;
  now: () => Date;
  referralsBaseUrl: string;
  partnerOrgId: string;
  partnerOrgName: string;
}

/** A GUID from the seeded PRNG, so a seeded run gives the same ids. */
export function seededGuid(random: Random): string {
  const hex = Array.from({ length: 32 }, () => Math.floor(random() * 16).toString(16));
  hex[12] = "4";
  hex[16] = ((parseInt(hex[16], 16) & 0x3) | 0x8).toString(16);
  const h = hex.join("");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

const clone = <T>(v: T): T => structuredClone(v);

export class PartnerCenterState {
  readonly referrals = new Map<string, Referral>();
  /** Bearer tokens the emulator refuses (a revoked or expired token): 401. */
  readonly rejectedTokens = new Set<string>();
  private listeners: ((event: ReferralEventName, referral: Referral) => void)[] = [];

  constructor(private readonly options: StateOptions) {}

  get now(): Date {
    return this.options.now();
  }

  /** The partner's own organization id (the tenant this emulator serves). */
  get partnerOrgId(): string {
    return this.options.partnerOrgId;
  }

  guid(): string {
    return seededGuid(this.options.random);
  }

  onChange(listener: (event: ReferralEventName, referral: Referral) => void): void {
    this.listeners.push(listener);
  }

  clear(): void {
    this.referrals.clear();
    this.rejectedTokens.clear();
  }

  get(id: string): Referral {
    const r = this.referrals.get(id);
    if (!r) throw new ApiError(404, ERROR_CODES.itemNotFound, `Referral ${id} was not found`, "id");
    return clone(r);
  }

  all(): Referral[] {
    return [...this.referrals.values()].map(clone);
  }

  /** If-Match: absent passes (PATCH: no concurrency check), `*` matches any, otherwise exact. */
  checkIfMatch(id: string, ifMatch: string | null): void {
    const current = this.get(id);
    if (ifMatch === null || ifMatch.trim() === "*") return;
    const tags = ifMatch.split(",").map((t) => t.trim());
    if (!tags.includes(current.eTag ?? "")) {
      throw new ApiError(412, ERROR_CODES.preconditionFailed, `The referral ${id} was modified by someone else (ETag mismatch)`, "If-Match");
    }
  }

  /**
   * Inserts a new referral; the server assigns ids, timestamps, links and the ETag. The body is
   * validated as sent; `finalize` then applies what the service changes on its own (e.g. an
   * outgoing create answered Active/Accepted).
   */
  insert(
    body: Obj,
    server: { direction: "Incoming" | "Outgoing"; organizationId?: string; organizationName?: string; expiresInDays?: number },
    finalize: (r: Referral) => Referral = (r) => r,
  ): Referral {
    const nowIso = this.now.toISOString();
    const id = this.guid();
    const engagementId = typeof body.engagementId === "string" && body.engagementId ? body.engagementId : this.guid();
    const stored = {
      ...clone(body),
      id,
      engagementId,
      organizationId: server.organizationId ?? this.options.partnerOrgId,
      organizationName: server.organizationName ?? this.options.partnerOrgName,
      direction: server.direction,
      createdDateTime: nowIso,
      updatedDateTime: nowIso,
      expirationDateTime: server.expiresInDays ? new Date(this.now.getTime() + server.expiresInDays * 86_400_000).toISOString() : null,
      links: this.links(id, engagementId),
      eTag: this.newETag(),
    } as Referral;
    validateReferral(stored as unknown as Obj);
    const final = finalize(stored);
    final.acceptedDateTime = final.status === "Active" ? nowIso : null;
    this.referrals.set(id, final);
    this.emit(REFERRAL_CREATED, final);
    return clone(final);
  }

  /** Replaces the writable part of a referral (PUT, or a PATCH already applied to a copy). */
  replace(id: string, next: Obj): Referral {
    const before = this.get(id);
    checkTransition(before, next);
    const stored = { ...clone(next) } as Obj;
    for (const f of SERVER_FIELDS) stored[f] = (before as unknown as Obj)[f];
    stored.updatedDateTime = this.laterThan(before.updatedDateTime);
    if (before.status !== "Active" && stored.status === "Active") stored.acceptedDateTime = stored.updatedDateTime;
    stored.eTag = this.newETag();
    validateReferral(stored);
    this.referrals.set(id, stored as unknown as Referral);
    this.emit(REFERRAL_UPDATED, stored as unknown as Referral);
    return clone(stored as unknown as Referral);
  }

  /** Expires New referrals past their 14-day clock (§2.3); the seller side can call it after moving the clock. */
  expireOverdue(): Referral[] {
    const now = this.now.getTime();
    const expired: Referral[] = [];
    for (const r of this.referrals.values()) {
      if (!isTerminal(r) && r.status === "New" && r.expirationDateTime && Date.parse(r.expirationDateTime) <= now) {
        expired.push(this.replace(r.id, { ...r, status: "Closed", substatus: "Expired", statusReason: "Not answered within 14 days" }));
      }
    }
    return expired;
  }

  private links(id: string, engagementId: string): Referral["links"] {
    const base = this.options.referralsBaseUrl;
    return {
      self: { uri: `${base}/${id}`, method: "GET" },
      relatedReferrals: { uri: `${base}?$filter=engagementId eq '${engagementId}'`, method: "GET" },
    };
  }

  /** Cosmos-style ETag: a quoted GUID, new on every write. */
  private newETag(): string {
    return `"${this.guid()}"`;
  }

  /** Strictly after the previous write, even under a frozen test clock, so delta reads see the change. */
  private laterThan(previous: string | undefined): string {
    const now = this.now.getTime();
    const prev = previous ? Date.parse(previous) : 0;
    return new Date(Math.max(now, prev + 1)).toISOString();
  }

  private emit(event: ReferralEventName, referral: Referral): void {
    for (const l of this.listeners) l(event, clone(referral));
  }
}
