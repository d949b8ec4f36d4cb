import { createWebApiData, DEAL_QUERY, normalizeRecordId, type RecordReader } from "../../controls/CoSellPanel/data/webApiData";
import { syncTriggerValue } from "../../sync/engine/dynamics";

const ID = "6F1C2F4E-8A55-4C1E-9D1B-1F0A3C2B9E77";

function reader(pages: Array<{ entities: Array<Record<string, unknown>>; nextLink?: string }>) {
  const calls: Array<{ entity: string; options?: string; max?: number }> = [];
  const api: RecordReader = {
    retrieveRecord: jest.fn(async (_entity: string, id: string) => ({
      opportunityid: id,
      name: "Deal",
      customerid_account: { accountid: "a", address1_country: "DE" },
      parentcontactid: null,
      transactioncurrencyid: { isocurrencycode: "EUR" },
    })),
    retrieveMultipleRecords: jest.fn(async (entity: string, options?: string, max?: number) => {
      calls.push({ entity, options, max });
      const page = pages.shift();
      if (!page) throw new Error("no more pages");
      return { entities: page.entities, nextLink: page.nextLink as string };
    }),
  };
  return { api, calls };
}

describe("CoSellData over context.webAPI", () => {
  it("reads the deal in one request with its account, contact and currency", async () => {
    const { api } = reader([]);
    const deal = await createWebApiData(api).loadDeal(`{${ID}}`);
    expect(api.retrieveRecord).toHaveBeenCalledWith("opportunity", ID.toLowerCase(), DEAL_QUERY);
    expect(DEAL_QUERY).toContain("$expand=customerid_account(");
    expect(DEAL_QUERY).toContain("cosell_solutionids");
    expect(deal).toEqual({
      opportunity: { opportunityid: ID.toLowerCase(), name: "Deal" },
      account: { accountid: "a", address1_country: "DE" },
      contact: null,
      currency: { isocurrencycode: "EUR" },
    });
  });

  it("filters sync events on the opportunity, newest first, 20 a page, and follows nextLink", async () => {
    const next = "https://org.crm.dynamics.com/api/data/v9.2/cosell_syncevents?$select=x&$skiptoken=%3Ccookie%20page=%222%22%3E";
    const { api, calls } = reader([
      { entities: [{ cosell_synceventid: "e1", cosell_trigger: syncTriggerValue("reconcile") }], nextLink: next },
      { entities: [{ cosell_synceventid: "e2" }] },
    ]);
    const data = createWebApiData(api);
    const first = await data.loadSyncEvents(ID, 0);
    expect(calls[0].entity).toBe("cosell_syncevent");
    expect(calls[0].max).toBe(20);
    expect(calls[0].options).toContain(`$filter=_cosell_opportunity_value eq ${ID.toLowerCase()}`);
    expect(calls[0].options).toContain("$orderby=cosell_occurredon desc");
    expect(first).toMatchObject({ more: true, events: [{ id: "e1", trigger: { name: "reconcile" } }] });

    const second = await data.loadSyncEvents(ID, 1);
    expect(calls[1].options).toBe("?$select=x&$skiptoken=%3Ccookie%20page=%222%22%3E");
    expect(second).toMatchObject({ more: false, events: [{ id: "e2" }] });
  });

  it("refuses a page it has no cursor for, and an id that is not a GUID, before any request", async () => {
    const { api } = reader([]);
    const data = createWebApiData(api);
    await expect(data.loadSyncEvents(ID, 3)).rejects.toThrow("page 3 was asked for before page 2");
    await expect(data.loadSyncEvents("x' or 1 eq 1", 0)).rejects.toThrow(`"x' or 1 eq 1" is not a Dataverse record id`);
    expect(api.retrieveMultipleRecords).not.toHaveBeenCalled();
    expect(() => normalizeRecordId("{" + ID + "}")).not.toThrow();
  });
});
