/**
 * CoSellData over PCF's `context.webAPI` (the Dataverse Web API of the signed-in user).
 * Paging follows Dataverse's server-side cursor: page n+1 is read from page n's `@odata.nextLink`.
 */
import { SYNC_EVENT_COLUMNS, SYNC_EVENT_TABLE, type DynamicsDeal } from "../../../sync/schema/dynamics";
import { parseSyncEventRow, SYNC_EVENT_SELECT } from "../model/syncEvents";
import { SYNC_EVENTS_PAGE_SIZE, type CoSellData, type SyncEventPage } from "./CoSellData";

/** The slice of ComponentFramework.WebApi this module uses. */
export interface RecordReader {
  retrieveRecord(entityType: string, id: string, options?: string): Promise<ComponentFramework.WebApi.Entity>;
  retrieveMultipleRecords(entityType: string, options?: string, maxPageSize?: number): Promise<ComponentFramework.WebApi.RetrieveMultipleResponse>;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A record id as Dataverse wants it in a filter: no braces, lowercase; anything else is refused before it reaches a query. */
export function normalizeRecordId(id: string): string {
  const bare = id.trim().replace(/^\{|\}$/g, "").toLowerCase();
  if (!GUID.test(bare)) throw new Error('"' + id + '" is not a Dataverse record id (a GUID).');
  return bare;
}

/**
 * One request: what validateForPartnerCenter reads of the opportunity, with the customer account,
 * contact and currency expanded. No co-sell columns: validation judges the form's unsaved values for
 * those (withPanelValues), and the large ones (the sync snapshot) would only slow the read.
 * test/controls/webApiData.test.ts checks this list against what validation actually reads.
 */
export const DEAL_QUERY =
  "?$select=opportunityid,name,description,estimatedvalue,estimatedclosedate" +
  "&$expand=customerid_account($select=accountid,name,address1_line1,address1_line2,address1_city," +
  "address1_stateorprovince,address1_postalcode,address1_country)," +
  "parentcontactid($select=contactid,firstname,lastname,emailaddress1,telephone1)," +
  "transactioncurrencyid($select=isocurrencycode)";

function dealFrom(row: ComponentFramework.WebApi.Entity): DynamicsDeal {
  // Deletes, not an object rest pattern: the panel build turns a rest pattern into a helper function.
  const opportunity = { ...row };
  delete opportunity.customerid_account;
  delete opportunity.parentcontactid;
  delete opportunity.transactioncurrencyid;
  return {
    opportunity: opportunity as DynamicsDeal["opportunity"],
    account: row.customerid_account || null,
    contact: row.parentcontactid || null,
    currency: row.transactioncurrencyid || null,
  };
}

/** The query string of a nextLink, which Dataverse says to pass back as the options of the next call. */
function nextLinkOptions(nextLink: string): string {
  const query = nextLink.indexOf("?");
  if (query < 0) throw new Error("The server's next-page link has no query: " + nextLink);
  return nextLink.slice(query);
}

export function createWebApiData(webAPI: RecordReader): CoSellData {
  // opportunity id → options for each page already reachable (page 0 is the first query).
  const cursors = new Map<string, string[]>();

  return {
    // Plain promise chains: the PCF build targets ES6, where async functions cost a helper in the bundle.
    loadDeal(opportunityId) {
      return Promise.resolve(opportunityId)
        .then((id) => webAPI.retrieveRecord("opportunity", normalizeRecordId(id), DEAL_QUERY))
        .then((row) => (row ? dealFrom(row) : null));
    },

    loadSyncEvents(opportunityId, page): Promise<SyncEventPage> {
      return Promise.resolve().then(() => readEvents(normalizeRecordId(opportunityId), page));
    },
  };

  function readEvents(id: string, page: number): Promise<SyncEventPage> {
    if (page === 0) {
      cursors.set(id, [
        "?$select=" + SYNC_EVENT_SELECT.join(",") +
          "&$filter=_" + SYNC_EVENT_COLUMNS.opportunity + "_value eq " + id +
          "&$orderby=" + SYNC_EVENT_COLUMNS.occurredOn + " desc,createdon desc",
      ]);
    }
    const options = (cursors.get(id) || [])[page];
    if (!Number.isInteger(page) || page < 0 || options === undefined) {
      throw new Error("Sync events page " + page + " was asked for before page " + (page - 1) + " was read.");
    }
    return webAPI.retrieveMultipleRecords(SYNC_EVENT_TABLE.logicalName, options, SYNC_EVENTS_PAGE_SIZE).then((result) => {
      const pages = cursors.get(id)!;
      pages.length = page + 1;
      if (result.nextLink) pages.push(nextLinkOptions(result.nextLink));
      return { events: result.entities.map((row) => parseSyncEventRow(row)), more: Boolean(result.nextLink) };
    });
  }
}
