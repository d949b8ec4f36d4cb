/**
 * What the service needs from each system, in the words of the pipeline. The real clients
 * (sync/partner-center, sync/dataverse) are adapted to these in `partner-center.ts` and
 * `dataverse.ts`; keeping the pipeline on this narrow surface makes each call it makes visible in one place.
 */
import type { NewReferral, Referral } from "../../sync/schema/referral";
import type { JsonPatchOp } from "../../sync/engine/patch";
import type { DataverseWrite, DealWithETag, ReferralWithETag } from "../../sync/engine/effects";
import type { StuckDeal } from "../../sync/dataverse/client";

// The engine decides the writes; the ports carry them out.
export type { DataverseWrite, DealWithETag, ReferralWithETag, StuckDeal };
export type PatchOp = JsonPatchOp;

export interface PartnerCenterPort {
  /** null when Partner Center has no such referral. */
  get(id: string): Promise<ReferralWithETag | null>;
  /** The referral we created for this opportunity (externalReferenceId = opportunity id), if any. */
  findByExternalReferenceId(opportunityId: string): Promise<Referral | null>;
  create(referral: NewReferral): Promise<ReferralWithETag>;
  patch(id: string, ops: PatchOp[], eTag: string): Promise<ReferralWithETag>;
  /** Full replace (If-Match), only where a value must be cleared. */
  put(referral: Referral, eTag: string): Promise<ReferralWithETag>;
  /** Every referral updated at or after `since` (all when null), oldest first. */
  listUpdatedSince(since: Date | null): AsyncIterable<Referral>;
}

export interface NewInboundRecords {
  account: Record<string, unknown>;
  contact: Record<string, unknown> | null;
  opportunity: Record<string, unknown>;
}

export interface DataversePort {
  /** null when the opportunity does not exist. */
  getDeal(opportunityId: string): Promise<DealWithETag | null>;
  findOpportunityIdByReferralId(referralId: string): Promise<string | null>;
  /** The deal linked to a referral, in one request; null when none is. */
  getDealByReferralId(referralId: string): Promise<DealWithETag | null>;
  /** The deals linked to these referrals, in as few requests as possible (reconcile). */
  getDealsByReferralIds(referralIds: string[]): Promise<Map<string, DealWithETag>>;
  findLeadIdByReferralId(referralId: string): Promise<string | null>;
  /** The referral id a lead carries (for an opportunity qualified from it), or null. */
  getLeadReferralId(leadId: string): Promise<string | null>;
  /** A systemuser's full name (for "who" on sync events), or null. */
  getUserFullName(systemUserId: string): Promise<string | null>;
  findAccountIdByNameAndPostalCode(name: string, postalCode: string | null): Promise<string | null>;
  /** The transactioncurrency row for an ISO 4217 code, or null. */
  findCurrencyIdByIsoCode(isoCode: string): Promise<string | null>;
  /** A contact of this account (any when null) with this email address, or null. */
  findContactIdByEmail(email: string, accountId: string | null): Promise<string | null>;
  /**
   * Creates the row under the id given unless it exists (safe to repeat: a lost answer or a second
   * instance cannot make a twin). True when this call created it.
   */
  createAccountIfAbsent(id: string, record: Record<string, unknown>): Promise<boolean>;
  createContactIfAbsent(id: string, record: Record<string, unknown>, accountId: string | null): Promise<boolean>;
  createOpportunityIfAbsent(id: string, record: Record<string, unknown>, links: { accountId: string | null; contactId: string | null }): Promise<boolean>;
  createLeadIfAbsent(id: string, record: Record<string, unknown>): Promise<boolean>;
  /** Runs writes as one atomic change set; a stale ETag fails it with a concurrency error. */
  write(changeSet: DataverseWrite[]): Promise<void>;
  /** Several independent change sets in as few requests as possible; returns each one's error or null. */
  writeMany(changeSets: DataverseWrite[][]): Promise<Array<unknown | null>>;
  hasSyncEventForOperation(operationId: string): Promise<boolean>;
  /** Co-sell opportunities (Sync = Yes or linked) modified at or after `since` (all when null), with their deals. */
  listSyncedDealsChangedSince(since: Date | null): AsyncIterable<DealWithETag>;
  /** Every opportunity that could be paired with a referral (backfill). */
  listDealsForMatching(): AsyncIterable<DealWithETag>;
  getSetting(name: string): Promise<string | null>;
  setSetting(name: string, value: string): Promise<void>;
  /** Co-sell deals in Error or Sign-in expired, or Pending since before `pendingBefore`, longest-waiting first. */
  /** The longest-waiting deals that need someone (a first page) and how many there are in all. */
  listStuckDeals(pendingBefore: Date): Promise<{ deals: StuckDeal[]; total: number }>;
}
