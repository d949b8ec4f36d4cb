/**
 * CoSellData over PCF's `context.webAPI` (the Dataverse Web API of the signed-in user).
 * Paging follows Dataverse's server-side cursor: page n+1 is read from page n's `@odata.nextLink`.
 */
import { SYNC_EVENT_TABLE, syncEventsQuery, type DynamicsDeal } from "../../../sync/schema/dynamics";
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
  if (!GUID.test(bare)) throw new Error(`"${id}" is not a Dataverse record id (a GUID).`);
  return bare;
}

/**
 * One request: what checkForPartnerCenter reads of the opportunity, with the customer account,
 * contact and currency expanded. No co-sell columns: validation judges the form's unsaved values for
 * those (withPanelValues), and the large ones (the sync snapshot) would only slow the read.
 * test/controls/webApiData.test.ts checks this list against what validation actually reads.
 */
export const DEAL_QUERY =
  "?$select=opportunityid,name,description,estimatedvalue,estimatedclosedate" +
  `&$expand=customerid_account($select=accountid,name,${["line1", "line2", "city", "stateorprovince", "postalcode", "country"].map((c) => `address1_${c}`).join()}),` +
  "parentcontactid($select=contactid,firstname,lastname,emailaddress1,telephone1)," +
  "transactioncurrencyid($select=isocurrencycode,currencyprecision)";

function dealFrom(row: ComponentFramework.WebApi.Entity): DynamicsDeal {
  const { customerid_account, parentcontactid, transactioncurrencyid, ...opportunity } = row;
  return {
    opportunity: opportunity as DynamicsDeal["opportunity"],
    account: customerid_account || null,
    contact: parentcontactid || null,
    currency: transactioncurrencyid || null,
  };
}

/** The query string of a nextLink, which Dataverse says to pass back as the options of the next call. */
function nextLinkOptions(nextLink: string): string {
  const query = nextLink.indexOf("?");
  if (query < 0) throw new Error(`The server's next-page link has no query: ${nextLink}`);
  return nextLink.slice(query);
}

export function createWebApiData(webAPI: RecordReader): CoSellData {
  // opportunity id → options for each page already reachable (page 0 is the first query).
  const cursors = new Map<string, string[]>();

  return {
    async loadDeal(opportunityId) {
      const row = await webAPI.retrieveRecord("opportunity", normalizeRecordId(opportunityId), DEAL_QUERY);
      return row ? dealFrom(row) : null;
    },

    async loadSyncEvents(opportunityId, page): Promise<SyncEventPage> {
      const id = normalizeRecordId(opportunityId);
      if (page === 0) {
        cursors.set(id, [syncEventsQuery(id, SYNC_EVENT_SELECT)]);
      }
      const options = cursors.get(id)?.[page];
      if (!Number.isInteger(page) || page < 0 || options === undefined) {
        throw new Error(`Sync events page ${page} was asked for before page ${page - 1} was read.`);
      }
      const result = await webAPI.retrieveMultipleRecords(SYNC_EVENT_TABLE.logicalName, options, SYNC_EVENTS_PAGE_SIZE);
      const pages = cursors.get(id)!;
      pages.length = page + 1;
      if (result.nextLink) pages.push(nextLinkOptions(result.nextLink));
      return { events: result.entities.map((row) => parseSyncEventRow(row)), more: Boolean(result.nextLink) };
    },
  };
}
