/** The Dataverse client seen through the pipeline's DataversePort. */
import { OPPORTUNITY_STATUS } from "../../sync/schema/dynamics";
import { DataverseError, MAX_BATCH_OPERATIONS, type BatchOperation, type DataverseClient } from "../../sync/dataverse/client";
import type { DataversePort, DataverseWrite, DealWithETag } from "./index";
import { forEachLimited } from "../../sync/shared/for-each-limited";

const isNotFound = (e: unknown) => e instanceof DataverseError && e.kind === "notFound";

/** Pairs (change sets) per `$batch` request in writeMany: small batches, several at once (api-limits.md). */
export const CHANGE_SETS_PER_BATCH = 50;
/** `$batch` requests writeMany sends at the same time. */
const PARALLEL_BATCHES = 4;

type CloseWrite = Extract<DataverseWrite, { kind: "win" | "lose" }>;
const isClose = (w: DataverseWrite): w is CloseWrite => w.kind === "win" || w.kind === "lose";

/** The creates and updates of a change set as batch operations; an opportunity closed just before uses its new ETag. */
function batchOperations(changeSet: DataverseWrite[], etagAfterClose: Map<string, string>): BatchOperation[] {
  const ops: BatchOperation[] = [];
  for (const w of changeSet) {
    if (w.kind === "update") {
      const etag = w.entitySet === "opportunities" && w.etag ? (etagAfterClose.get(w.id.toLowerCase()) ?? w.etag) : w.etag;
      ops.push({ kind: "update", entitySet: w.entitySet, id: w.id, data: w.changes, etag });
    } else if (w.kind === "create") ops.push({ kind: "create", entitySet: w.entitySet, data: w.record });
  }
  return ops;
}

/** Groups of at most CHANGE_SETS_PER_BATCH change sets and MAX_BATCH_OPERATIONS operations. */
function batchesOf(items: Array<{ index: number; ops: BatchOperation[] }>): Array<typeof items> {
  const batches: Array<typeof items> = [];
  let current: typeof items = [];
  let size = 0;
  for (const item of items) {
    if (current.length > 0 && (current.length >= CHANGE_SETS_PER_BATCH || size + item.ops.length > MAX_BATCH_OPERATIONS)) {
      batches.push(current);
      current = [];
      size = 0;
    }
    current.push(item);
    size += item.ops.length;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

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
    const etagAfterClose = new Map<string, string>();
    for (const w of changeSet.filter(isClose)) {
      if (w.kind === "win") await client.winOpportunity(w.opportunityId, { statuscode: OPPORTUNITY_STATUS.Won, description: w.description });
      else await client.loseOpportunity(w.opportunityId, { statuscode: w.statuscode, description: w.description });
      const after = await getDeal(w.opportunityId);
      if (after) etagAfterClose.set(w.opportunityId.toLowerCase(), after.etag);
    }
    const ops = batchOperations(changeSet, etagAfterClose);
    if (ops.length === 1 && ops[0].kind === "update" && ops[0].entitySet === "opportunities") {
      await client.updateOpportunity(ops[0].id, ops[0].data, ops[0].etag ?? "*");
    } else if (ops.length > 0) {
      await client.executeBatch(ops);
    }
  };

  /**
   * Change sets without a close go out many to a `$batch` request, each its own change set (one
   * stale pair rolls back only itself); those with a Win/Lose take the one-by-one path above.
   */
  const writeMany = async (changeSets: DataverseWrite[][]): Promise<Array<unknown | null>> => {
    const errors: Array<unknown | null> = new Array(changeSets.length).fill(null);
    const withClose: number[] = [];
    const plain: Array<{ index: number; ops: BatchOperation[] }> = [];
    changeSets.forEach((changeSet, index) => {
      if (changeSet.some(isClose)) withClose.push(index);
      else {
        const ops = batchOperations(changeSet, new Map());
        if (ops.length > 0) plain.push({ index, ops });
      }
    });
    await forEachLimited(batchesOf(plain), PARALLEL_BATCHES, async (batch) => {
      try {
        const results = await client.executeChangeSets(batch.map((b) => b.ops));
        results.forEach((r, i) => {
          if (!r.ok) errors[batch[i].index] = r.error;
        });
      } catch (e) {
        for (const b of batch) errors[b.index] = e;
      }
    });
    await forEachLimited(withClose, PARALLEL_BATCHES, async (index) => {
      try {
        await write(changeSets[index]);
      } catch (e) {
        errors[index] = e;
      }
    });
    return errors;
  };

  async function* each(pages: AsyncIterable<DealWithETag[]>): AsyncIterable<DealWithETag> {
    for await (const page of pages) yield* page;
  }

  return {
    getDeal,
    async findOpportunityIdByReferralId(referralId) {
      return (await client.findOpportunityByReferralId(referralId))?.opportunityid?.toLowerCase() ?? null;
    },
    getDealByReferralId: (referralId) => client.getDealByReferralId(referralId),
    getDealsByReferralIds: (referralIds) => client.getDealsByReferralIds(referralIds),
    async findLeadIdByReferralId(referralId) {
      const lead = await client.findLeadByReferralId(referralId);
      return (lead?.leadid as string | undefined) ?? null;
    },
    getLeadReferralId: (leadId) => client.getLeadReferralId(leadId),
    getUserFullName: (systemUserId) => client.getSystemUserFullName(systemUserId),
    async findAccountIdByNameAndPostalCode(name, postalCode) {
      return (await client.findAccountByNameAndPostalCode(name, postalCode))?.accountid ?? null;
    },
    async findCurrencyIdByIsoCode(isoCode) {
      return (await client.retrieveCurrencyByIsoCode(isoCode))?.transactioncurrencyid ?? null;
    },
    async findContactIdByEmail(email, accountId) {
      return (await client.findContactByEmail(email, accountId))?.contactid ?? null;
    },
    createAccountIfAbsent: (id, record) => client.createIfAbsent("accounts", id, record),
    createContactIfAbsent: (id, record, accountId) =>
      client.createIfAbsent("contacts", id, accountId ? { ...record, "parentcustomerid_account@odata.bind": `/accounts(${accountId})` } : record),
    createOpportunityIfAbsent: (id, record, links) =>
      client.createIfAbsent("opportunities", id, {
        ...record,
        ...(links.accountId ? { "customerid_account@odata.bind": `/accounts(${links.accountId})` } : {}),
        ...(links.contactId ? { "parentcontactid@odata.bind": `/contacts(${links.contactId})` } : {}),
      }),
    createLeadIfAbsent: (id, record) => client.createIfAbsent("leads", id, record),
    write,
    writeMany,
    async hasSyncEventForOperation(operationId) {
      return (await client.findSyncEventByOperationId(operationId)) !== null;
    },
    listSyncedDealsChangedSince: (since) => each(client.listCoSellDealsChangedSince(since)),
    // Backfill links opportunities nobody has switched to Sync = Yes yet: every one is a candidate.
    listDealsForMatching: () => each(client.listDeals(undefined)),
    getSetting: (name) => client.getSetting(name),
    listStuckDeals: (pendingBefore) => client.listStuckDeals(pendingBefore),
    setSetting: (name, value) => client.setSetting(name, value),
  };
}
