/**
 * A referral nobody has linked yet. A co-sell referral becomes account (matched on name + postal
 * code, else created), contact and opportunity; one Partner Center classifies as a lead becomes a
 * Dynamics 365 lead carrying the referral id and link. Idempotent by referral id: every row gets an
 * id derived from what it stands for and is created only if absent, so a lost answer, a rerun after a
 * crash or a second instance racing this one finds what the first made instead of making a twin.
 */
import { v5 as uuidV5 } from "uuid";
import { OPPORTUNITY_COLUMNS as C, LEAD_COLUMNS, OPPORTUNITY_STATE, SYNC_STATUS } from "../../sync/schema/dynamics";
import { referralLink, type Referral } from "../../sync/schema/referral";
import { classifyReferral, createdChanges, dealFromReferral, serializeSnapshot, type Mapping } from "../../sync/engine";
import { baselineOfCreated } from "./own-writes";
import type { Logger } from "./logger";
import { ownOpportunityId, type InboundCreator, type PairOutcome, type SyncContext, type SyncPipeline } from "./pipeline";
import type { DataversePort, ReferralWithETag } from "../ports";

export interface InboundDeps {
  dataverse: DataversePort;
  pipeline: SyncPipeline;
  mapping: () => Promise<Mapping>;
  logger: Logger;
}

/** Fixed forever: the ids of rows made from referrals derive from it (a new one would make twins of old rows). */
const INBOUND_NAMESPACE = "5f0c8f6e-3b1d-4c52-9a0e-7d2b6c4e1a93";
/** The id of the row that stands for `parts` (e.g. the account of one customer name and postal code). */
export const inboundRowId = (...parts: string[]): string => uuidV5(parts.join("\n"), INBOUND_NAMESPACE);

const outcome = (partial: Partial<PairOutcome> & Pick<PairOutcome, "result">): PairOutcome => ({
  opportunityId: null,
  referralId: null,
  recorded: true,
  writes: { partnerCenter: 0, dataverse: 0 },
  ...partial,
});

/** Only referrals shared with us start a deal here; our own outgoing ones belong to their opportunity. */
function isIncoming(referral: Referral): boolean {
  return referral.direction === "Incoming" || (referral.direction === undefined && !ownOpportunityId(referral));
}

export class Inbound implements InboundCreator {
  constructor(private readonly deps: InboundDeps) {}

  async createFromReferral(current: ReferralWithETag, ctx: SyncContext): Promise<PairOutcome> {
    const referral = current.referral;
    const log = this.deps.logger.child({ referralId: referral.id, trigger: ctx.trigger });
    if (!isIncoming(referral)) {
      log.info("outgoing referral without its opportunity (deleted in Dynamics?): left alone");
      return outcome({ referralId: referral.id, result: "skipped", message: "Outgoing referral whose opportunity is gone." });
    }
    if (referral.status === "Closed") {
      return outcome({ referralId: referral.id, result: "skipped", message: "A referral closed before it reached Dynamics is not imported." });
    }
    const mapping = await this.deps.mapping();
    const columns = dealFromReferral(referral, mapping);
    if (classifyReferral(referral) !== "coSellOpportunity") return this.createLead(referral, columns, log);

    const dv = this.deps.dataverse;
    // Re-check under the lock: another trigger may have created it a moment ago.
    const existing = await dv.findOpportunityIdByReferralId(referral.id);
    if (existing) {
      const loaded = await dv.getDeal(existing);
      if (loaded) return this.deps.pipeline.syncLoadedDeal(loaded, ctx, current);
    }
    const name = referral.customerProfile?.name ?? "";
    const postalCode = referral.customerProfile?.address?.postalCode ?? null;
    let writes = 0;
    // What we write, by table, for the baseline stored with the opportunity.
    const written: Parameters<typeof baselineOfCreated>[2] = { opportunity: columns.opportunity };
    // The customer's account: the seller's own when one matches, else the one row for that customer,
    // whichever referral or instance gets there first.
    let accountId = name ? await dv.findAccountIdByNameAndPostalCode(name, postalCode) : null;
    if (!accountId) {
      accountId = name ? inboundRowId("account", name.trim().toLowerCase(), (postalCode ?? "").trim().toLowerCase()) : inboundRowId("account of referral", referral.id);
      if (await dv.createAccountIfAbsent(accountId, columns.account)) writes++;
      written.account = columns.account;
    }
    let contactId: string | null = null;
    if (columns.contact && Object.keys(columns.contact).length > 0) {
      const email = typeof columns.contact.emailaddress1 === "string" ? columns.contact.emailaddress1 : null;
      contactId = email ? await dv.findContactIdByEmail(email, accountId) : null;
      if (!contactId) {
        contactId = inboundRowId("contact of referral", referral.id);
        if (await dv.createContactIfAbsent(contactId, columns.contact, accountId)) writes++;
        written.contact = columns.contact;
      }
    }
    // The referral names its currency by ISO code; the opportunity needs the currency row.
    const iso = referral.details?.currency;
    const currencyId = iso ? await dv.findCurrencyIdByIsoCode(iso) : null;
    if (currencyId) written.currency = { isocurrencycode: iso };
    // The baseline goes in the create itself: the pair is never without one, whatever happens next.
    const lower = (id: string | null) => id?.toLowerCase() ?? null;
    const baseline = baselineOfCreated(mapping, referral, written, OPPORTUNITY_STATE.Open, { account: lower(accountId), contact: lower(contactId), currency: lower(currencyId) });
    const opportunityId = inboundRowId("opportunity of referral", referral.id);
    const created = await dv.createOpportunityIfAbsent(
      opportunityId,
      {
        ...columns.opportunity,
        ...(currencyId ? { "transactioncurrencyid@odata.bind": `/transactioncurrencies(${currencyId})` } : {}),
        [C.syncWithPartnerCenter]: true,
        [C.referralId]: referral.id,
        [C.referralLink]: referralLink(referral.id),
        [C.syncStatus]: SYNC_STATUS.Pending,
        [C.syncSnapshot]: serializeSnapshot(baseline),
      },
      { accountId, contactId },
    );
    if (created) writes++;
    log.info({ opportunityId, accountId, contactId, created }, created ? "opportunity created from an incoming referral" : "opportunity of this referral already made");
    // The first sync of the new pair: baseline snapshot, status (e.g. Awaiting your response), sync event.
    const loaded = await dv.getDeal(opportunityId);
    if (!loaded) throw new Error(`the opportunity ${opportunityId} just created cannot be read back`);
    // Its first row lists what was made, when this run made it (a rerun finding it made says nothing new).
    const synced = await this.deps.pipeline.syncLoadedDeal(loaded, created ? { ...ctx, created: createdChanges(mapping, written) } : ctx, current);
    synced.writes.dataverse += writes;
    synced.result = "success";
    return synced;
  }

  private async createLead(referral: Referral, columns: ReturnType<typeof dealFromReferral>, log: Logger): Promise<PairOutcome> {
    const dv = this.deps.dataverse;
    const existing = await dv.findLeadIdByReferralId(referral.id);
    if (existing) return outcome({ referralId: referral.id, result: "noChange", message: "Lead already exists." });
    const leadId = inboundRowId("lead of referral", referral.id);
    const account = columns.account as Record<string, unknown>;
    const contact = (columns.contact ?? {}) as Record<string, unknown>;
    const opp = columns.opportunity as Record<string, unknown>;
    const created = await dv.createLeadIfAbsent(leadId, {
      subject: opp.name ?? referral.name,
      companyname: account.name ?? referral.customerProfile?.name ?? null,
      firstname: contact.firstname ?? null,
      lastname: contact.lastname ?? referral.customerProfile?.name ?? referral.name,
      emailaddress1: contact.emailaddress1 ?? null,
      telephone1: contact.telephone1 ?? null,
      address1_line1: account.address1_line1 ?? null,
      address1_city: account.address1_city ?? null,
      address1_postalcode: account.address1_postalcode ?? null,
      address1_country: account.address1_country ?? null,
      description: opp.description ?? null,
      [LEAD_COLUMNS.referralId]: referral.id,
      [LEAD_COLUMNS.referralLink]: referralLink(referral.id),
    });
    if (!created) return outcome({ referralId: referral.id, result: "noChange", message: "Lead already exists." });
    log.info({ leadId }, "lead created from a referral Partner Center classifies as a lead");
    return outcome({ referralId: referral.id, result: "success", message: `Lead ${leadId} created.`, writes: { partnerCenter: 0, dataverse: 1 } });
  }
}
