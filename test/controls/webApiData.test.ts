import { createWebApiData, DEAL_QUERY, normalizeRecordId, type RecordReader } from "../../controls/CoSellPanel/data/webApiData";
import { HELP_TYPES, REFERRAL_VISIBILITY, syncTriggerValue, type DynamicsDeal } from "../../sync/schema/dynamics";
import { validateForPartnerCenter } from "../../sync/engine/validation-messages";
import { withPanelValues } from "../../controls/CoSellPanel/model/panelValues";
import { EMPTY_PANEL_VALUES } from "../../controls/CoSellPanel/model/panelValues";

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
    expect(deal).toEqual({
      opportunity: { opportunityid: ID.toLowerCase(), name: "Deal" },
      account: { accountid: "a", address1_country: "DE" },
      contact: null,
      currency: { isocurrencycode: "EUR" },
    });
  });

  it("filters sync events on the opportunity, newest first, 10 a page (as Dynamics' timeline), and follows nextLink", async () => {
    const next = "https://org.crm.dynamics.com/api/data/v9.2/cosell_syncevents?$select=x&$skiptoken=%3Ccookie%20page=%222%22%3E";
    const { api, calls } = reader([
      { entities: [{ cosell_synceventid: "e1", cosell_trigger: syncTriggerValue("reconcile") }], nextLink: next },
      { entities: [{ cosell_synceventid: "e2" }] },
    ]);
    const data = createWebApiData(api);
    const first = await data.loadSyncEvents(ID, 0);
    expect(calls[0].entity).toBe("cosell_syncevent");
    expect(calls[0].max).toBe(10);
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
    await expect(data.loadDeal("x' or 1 eq 1")).rejects.toThrow(`"x' or 1 eq 1" is not a Dataverse record id`);
    expect(api.retrieveMultipleRecords).not.toHaveBeenCalled();
    expect(api.retrieveRecord).not.toHaveBeenCalled();
    expect(() => normalizeRecordId("{" + ID + "}")).not.toThrow();
  });

  it("reads every column validation looks at (the co-sell ones come from the form)", () => {
    // The columns DEAL_QUERY selects, per part of the deal.
    const selected = (pattern: RegExp): string[] => (pattern.exec(DEAL_QUERY)?.[1] ?? "").split(",");
    const columns: Record<keyof DynamicsDeal, string[]> = {
      opportunity: selected(/^\?\$select=([^&]+)/),
      account: selected(/customerid_account\(\$select=([^)]+)\)/),
      contact: selected(/parentcontactid\(\$select=([^)]+)\)/),
      currency: selected(/transactioncurrencyid\(\$select=([^)]+)\)/),
    };
    // Validation of a deal whose every part records what is read of it, the way the panel runs it.
    const read = new Set<string>();
    const watched = (part: string, values: Record<string, unknown>) =>
      new Proxy(values, { get: (target, key) => (read.add(`${part}.${String(key)}`), target[key as string]) });
    const form = { ...EMPTY_PANEL_VALUES, syncWithPartnerCenter: true, howCanMicrosoftHelp: HELP_TYPES[0].value, solutionIds: "SOL-1" };
    const deal = {
      opportunity: watched("opportunity", { name: "n", estimatedvalue: 1, estimatedclosedate: "2099-01-01" }),
      account: watched("account", { name: "a", address1_country: "DE" }),
      contact: watched("contact", { firstname: "f", lastname: "l", emailaddress1: "a@b.co" }),
      currency: watched("currency", { isocurrencycode: "EUR" }),
    } as unknown as DynamicsDeal;
    const formDeal = withPanelValues(deal, form);
    formDeal.opportunity = watched("opportunity", formDeal.opportunity as Record<string, unknown>) as DynamicsDeal["opportunity"];
    validateForPartnerCenter(formDeal, new Date(), { isNew: true });

    const fromForm = [
      "opportunity.cosell_syncwithpartnercenter", "opportunity.cosell_howcanmicrosofthelp", "opportunity.cosell_solutionids",
      "opportunity.cosell_referralvisibility", "opportunity.cosell_notesformicrosoft",
    ];
    const notSelected = [...read].filter((c) => !fromForm.includes(c) && !columns[c.split(".")[0] as keyof DynamicsDeal].includes(c.split(".")[1]));
    expect(read.size).toBeGreaterThan(10);
    expect(notSelected).toEqual([]);
  });
});

describe("the form's unsaved co-sell values", () => {
  const deal: DynamicsDeal = {
    opportunity: { opportunityid: "o", name: "Deal", cosell_referralvisibility: null, cosell_microsoftcrmid: "7-SAVED" },
    account: null, contact: null, currency: null,
  };

  it("replace the loaded ones for validation: a visibility chosen but not saved is what is judged", () => {
    const form = { ...EMPTY_PANEL_VALUES, referralVisibility: REFERRAL_VISIBILITY.Private, microsoftCrmId: "7-OTHER" };
    const judged = withPanelValues(deal, form).opportunity;
    expect(judged.cosell_referralvisibility).toBe(731500021);
    // The CRM ID is the service's: the form never overrides what was read.
    expect(judged.cosell_microsoftcrmid).toBe("7-SAVED");
    expect(deal.opportunity.cosell_referralvisibility).toBeNull();
  });
});
