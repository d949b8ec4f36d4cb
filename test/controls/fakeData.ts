/** An in-memory CoSellData for component tests: a deal and a list of sync-event rows, paged like Dataverse. */
import type { DynamicsDeal } from "../../sync/schema/dynamics";
import { syncDirectionValue, syncResultValue, syncTriggerValue } from "../../sync/schema/dynamics";
import { SYNC_EVENTS_PAGE_SIZE, type CoSellData } from "../../controls/CoSellPanel/data/CoSellData";
import { parseSyncEventRow } from "../../controls/CoSellPanel/model/syncEvents";

export function readyDeal(overrides: Partial<DynamicsDeal["opportunity"]> = {}): DynamicsDeal {
  return {
    opportunity: {
      opportunityid: "6f1c2f4e-8a55-4c1e-9d1b-1f0a3c2b9e77",
      name: "Contoso cloud migration",
      estimatedvalue: 125000,
      estimatedclosedate: "2099-06-30",
      cosell_syncwithpartnercenter: false,
      cosell_solutionids: "SOL-15974-MQF",
      ...overrides,
    },
    account: { accountid: "a1", name: "Contoso", address1_country: "DE" },
    contact: { contactid: "c1", firstname: "Ada", lastname: "Lovelace", emailaddress1: "ada@contoso.com" },
    currency: { isocurrencycode: "EUR" },
  };
}

export function eventRow(n: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    cosell_synceventid: `evt-${n}`,
    cosell_occurredon: new Date(Date.UTC(2025, 0, 1, 12, 0, 0) - n * 60_000).toISOString(),
    cosell_direction: syncDirectionValue("toPartnerCenter"),
    cosell_trigger: syncTriggerValue("syncNow"),
    cosell_result: syncResultValue("success"),
    cosell_initiatedby: "Megan Bowen",
    cosell_changes: JSON.stringify([{ field: `Field ${n}`, column: "opportunity.name", referralPath: "name", before: "a", after: "b", side: "partnerCenter" }]),
    ...extra,
  };
}

export interface FakeData extends CoSellData {
  calls: Array<{ kind: "deal" | "events"; id: string; page?: number }>;
}

export function fakeData(deal: DynamicsDeal | null, rows: Array<Record<string, unknown>> = [], pageSize = SYNC_EVENTS_PAGE_SIZE): FakeData {
  const calls: FakeData["calls"] = [];
  return {
    calls,
    loadDeal: async (id) => {
      calls.push({ kind: "deal", id });
      return deal;
    },
    loadSyncEvents: async (id, page) => {
      calls.push({ kind: "events", id, page });
      const slice = rows.slice(page * pageSize, (page + 1) * pageSize);
      return { events: slice.map(parseSyncEventRow), more: (page + 1) * pageSize < rows.length };
    },
  };
}
