/** The Dataverse client seen through the pipeline's DataversePort. */
import { OPPORTUNITY_STATUS } from "../sync/engine/dynamics";
import { DataverseError, type BatchOperation, type DataverseClient } from "../sync/dataverse/client";
import type { DataversePort, DataverseWrite, DealWithETag } from "./ports";

const isNotFound = (e: unknown) => e instanceof DataverseError && e.kind === "notFound";

/** Change sets sent at once by writeMany (each is its own atomic `$batch`). */
const PARALLEL_CHANGE_SETS = 4;

export function dataversePort(client: DataverseClient): DataversePort {
  const getDeal = async (id: string): Promise<DealWithETag | null> => {
    try {
      return await client.getDeal(id);
    } catch (e) {
      if (isNotFound(e)) return null;
      throw e;
    }
  };

  /**
   * Column writes and sync events go in one atomic change set. A Win/Lose action (the client's
   * batch carries creates and updates only) runs BEFORE it: the change set stores the snapshot
   * that says "closed", so if the close came second and failed, the next plan would see nothing
   * left to do and the opportunity would stay open for good. Closing first, a failed close leaves
   * the old snapshot and the next sync closes again; the close changes the row version, so the
   * change set then uses the ETag read right after it.
   */
  const write = async (changeSet: DataverseWrite[]): Promise<void> => {
    const closes = changeSet.filter((w): w is Extract<DataverseWrite, { kind: "win" | "lose" }> => w.kind === "win" || w.kind === "lose");
    const etagAfterClose = new Map<string, string>();
    for (const w of closes) {
      if (w.kind === "win") await client.winOpportunity(w.opportunityId, { statuscode: OPPORTUNITY_STATUS.Won, description: w.description });
      else await client.loseOpportunity(w.opportunityId, { statuscode: w.statuscode, description: w.description });
      const after = await getDeal(w.opportunityId);
      if (after) etagAfterClose.set(w.opportunityId.toLowerCase(), after.etag);
    }
    const ops: BatchOperation[] = [];
    for (const w of changeSet) {
      if (w.kind === "update") {
        const etag = w.entitySet === "opportunities" && w.etag ? (etagAfterClose.get(w.id.toLowerCase()) ?? w.etag) : w.etag;
        ops.push({ kind: "update", entitySet: w.entitySet, id: w.id, data: w.changes, etag });
      } else if (w.kind === "create") ops.push({ kind: "create", entitySet: w.entitySet, data: w.record });
    }
    if (ops.length === 1 && ops[0].kind === "update" && ops[0].entitySet === "opportunities") {
      await client.updateOpportunity(ops[0].id, ops[0].data, ops[0].etag ?? "*");
    } else if (ops.length > 0) {
      await client.executeBatch(ops);
    }
  };

  async function* dealsOf(records: Array<{ opportunityid: string }>): AsyncIterable<DealWithETag> {
    for (const r of records) {
      const loaded = await getDeal(r.opportunityid);
      if (loaded) yield loaded;
    }
  }

  return {
    getDeal,
    async findOpportunityIdByReferralId(referralId) {
      return (await client.findOpportunityByReferralId(referralId))?.opportunityid?.toLowerCase() ?? null;
    },
    async getDealsByReferralIds(referralIds) {
      const out = new Map<string, DealWithETag>();
      for (const rid of referralIds) {
        const opp = await client.findOpportunityByReferralId(rid);
        const loaded = opp ? await getDeal(opp.opportunityid) : null;
        if (loaded) out.set(rid, loaded);
      }
      return out;
    },
    async findLeadIdByReferralId(referralId) {
      const lead = await client.findLeadByReferralId(referralId);
      return (lead?.leadid as string | undefined) ?? null;
    },
    // The client has no lead read by id; the lead→opportunity column map carries the referral id instead.
    getLeadReferralId: async () => null,
    async findAccountIdByNameAndPostalCode(name, postalCode) {
      return (await client.findAccountByNameAndPostalCode(name, postalCode))?.accountid ?? null;
    },
    async findCurrencyIdByIsoCode(isoCode) {
      return (await client.retrieveCurrencyByIsoCode(isoCode))?.transactioncurrencyid ?? null;
    },
    createAccount: (record) => client.createAccount(record),
    createContact: (record, accountId) =>
      client.createContact(accountId ? { ...record, "parentcustomerid_account@odata.bind": `/accounts(${accountId})` } : record),
    createOpportunity: (record, links) =>
      client.createOpportunity({
        ...record,
        ...(links.accountId ? { "customerid_account@odata.bind": `/accounts(${links.accountId})` } : {}),
        ...(links.contactId ? { "parentcontactid@odata.bind": `/contacts(${links.contactId})` } : {}),
      }),
    createLead: (record) => client.createLead(record),
    write,
    async writeMany(changeSets) {
      const errors: Array<unknown | null> = new Array(changeSets.length).fill(null);
      let next = 0;
      const worker = async () => {
        while (next < changeSets.length) {
          const i = next++;
          try {
            await write(changeSets[i]);
          } catch (e) {
            errors[i] = e;
          }
        }
      };
      await Promise.all(Array.from({ length: Math.min(PARALLEL_CHANGE_SETS, changeSets.length) }, worker));
      return errors;
    },
    async hasSyncEventForOperation(operationId) {
      return (await client.findSyncEventByOperationId(operationId)) !== null;
    },
    async *listSyncedDealsChangedSince(since) {
      yield* dealsOf(await client.listOpportunitiesChangedSince(since ?? new Date(0)));
    },
    async *listDealsForMatching() {
      yield* dealsOf(await client.listOpportunitiesChangedSince(new Date(0)));
    },
    getSetting: (name) => client.getSetting(name),
    setSetting: (name, value) => client.setSetting(name, value),
  };
}
