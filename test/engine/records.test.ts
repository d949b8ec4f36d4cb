import {
  applyPatch, auditToSyncEventRow, classifyReferral, dealFromReferral, defaultMapping, emptySnapshot, OPPORTUNITY_COLUMNS as C,
  parseSnapshot, PatchError, referralLink, serializeSnapshot, SYNC_EVENT_COLUMNS as E, SYNC_STATUS, syncDirectionValue,
  syncResultValue, syncTriggerValue, type AuditEntry, type SyncSnapshot,
} from "../../sync/engine";
import { matchingReferral } from "./fixtures";

describe("snapshot", () => {
  const snapshot: SyncSnapshot = {
    version: 1, referralId: "ref-1", status: "Active", substatus: "Accepted", state: 0,
    fields: { b: { dynamics: 1, partnerCenter: 1 }, a: { dynamics: ["SOL-1"], partnerCenter: ["SOL-2"] }, c: { dynamics: null, partnerCenter: "x" } },
  };
  it("round-trips, storing equal sides once and in name order", () => {
    const text = serializeSnapshot(snapshot);
    expect(text).toBe('{"v":1,"r":"ref-1","s":"Active","ss":"Accepted","st":0,"f":{"a":{"d":["SOL-1"],"p":["SOL-2"]},"b":1,"c":{"d":null,"p":"x"}}}');
    expect(parseSnapshot(text)).toEqual(snapshot);
    expect(serializeSnapshot(emptySnapshot())).toBe('{"v":1,"r":null,"s":null,"ss":null,"st":null,"f":{}}');
  });
  it.each([null, "", "not json", "[]", "42", '{"v":2,"f":{}}', '{"v":1}', '{"v":1,"f":{"a":{"x":{}}}}', '{"v":1,"s":"Open","f":{}}', '{"v":1,"st":9,"f":{}}'])(
    "reads %p as no snapshot, without throwing",
    (text) => {
      expect(parseSnapshot(text)).toBeNull();
    },
  );
});

describe("applyPatch", () => {
  const referral = matchingReferral();
  it("applies replace and add without touching the input", () => {
    const out = applyPatch(referral, [
      { op: "replace", path: "/details/dealValue", value: 1 },
      { op: "add", path: "/customerProfile/team/-", value: { firstName: "Grace" } },
      { op: "add", path: "/statusReason", value: "Others" },
    ]);
    expect(out.details.dealValue).toBe(1);
    expect(out.customerProfile.team).toHaveLength(2);
    expect(out.statusReason).toBe("Others");
    expect(referral.details.dealValue).toBe(125000);
  });
  it.each([
    [{ op: "remove", path: "/name", value: null }, /only replace and add/],
    [{ op: "replace", path: "/nothing", value: 1 }, /does not exist/],
    [{ op: "add", path: "/missing/child", value: 1 }, /parent of \/missing\/child does not exist/],
    [{ op: "add", path: "/customerProfile/team/5", value: {} }, /not an index/],
  ])("refuses %p", (op, message) => {
    expect(() => applyPatch(referral, [op as never])).toThrow(PatchError);
    expect(() => applyPatch(referral, [op as never])).toThrow(message);
  });
});

describe("classifyReferral (§2.4)", () => {
  it.each<[string, object, string]>([
    ["a marketplace lead", { type: "Independent", qualification: "Direct", inviteContext: { invitedBy: { organizationId: "msft" } } }, "marketplaceLead"],
    ["a marketplace lead with no inviter", { type: "Independent", qualification: "Direct" }, "marketplaceLead"],
    ["a qualified lead", { type: "Independent", qualification: "MarketingQualified", inviteContext: { invitedBy: { organizationId: "msft" } } }, "qualifiedLead"],
    ["a co-sell opportunity from a partner", { type: "Shared", qualification: "SalesQualified", inviteContext: { invitedBy: { organizationId: "partner-org" } } }, "coSellOpportunity"],
    ["an independent partner deal", { type: "Independent", qualification: "None", inviteContext: { invitedBy: { organizationId: "own-org" } } }, "coSellOpportunity"],
  ])("recognises %s", (_label, referral, expected) => {
    expect(classifyReferral(referral as never)).toBe(expected);
  });
});

describe("dealFromReferral", () => {
  it("fills the opportunity, account and contact for an incoming referral", () => {
    const referral = matchingReferral({ direction: "Incoming", status: "New", substatus: "Pending" });
    const out = dealFromReferral(referral, defaultMapping());
    expect(out.opportunity).toMatchObject({
      name: "Contoso cloud migration", estimatedvalue: 125000, estimatedclosedate: "2025-09-30", description: "Move 40 servers to Azure",
      cosell_solutionids: "SOL-15974-MQF; SOL-20001-ABC", cosell_howcanmicrosofthelp: 731500001,
      [C.syncWithPartnerCenter]: true, [C.referralId]: "ref-1", [C.referralLink]: referralLink("ref-1"), [C.syncStatus]: SYNC_STATUS.AwaitingResponse,
    });
    expect(out.account).toEqual({ name: "Contoso Ltd", address1_line1: "1 Main Street", address1_city: "Berlin", address1_postalcode: "10115", address1_country: "DE" });
    expect(out.contact).toEqual({ firstname: "Ada", lastname: "Lovelace", emailaddress1: "ada@contoso.example" });
  });
});

describe("auditToSyncEventRow", () => {
  const entry: AuditEntry = {
    at: "2025-06-15T10:00:00.000Z", direction: "toPartnerCenter", trigger: "dataverseChange",
    fields: [{ field: "dealValue", column: "opportunity.estimatedvalue", referralPath: "details.dealValue", before: 1, after: 2, side: "partnerCenter" }],
    conflicts: [], result: "success", message: "Sent 1 change to Partner Center.", level: "info",
  };
  it("makes a cosell_syncevent row with choice values and JSON columns", () => {
    expect(auditToSyncEventRow(entry, "opp-1", { referralId: "ref-1", operationId: "op-9" })).toEqual({
      [E.name]: "Sent 1 change to Partner Center.",
      "cosell_Opportunity@odata.bind": "/opportunities(opp-1)",
      [E.occurredOn]: "2025-06-15T10:00:00.000Z",
      [E.direction]: syncDirectionValue("toPartnerCenter"),
      [E.trigger]: syncTriggerValue("dataverseChange"),
      [E.result]: syncResultValue("success"),
      [E.changes]: JSON.stringify(entry.fields),
      [E.conflicts]: "[]",
      [E.referralId]: "ref-1",
      [E.operationId]: "op-9",
    });
  });
  it("keeps the title short and puts a warning's full text in the error message", () => {
    const long = { ...entry, level: "warning" as const, result: "rejected" as const, message: "x".repeat(300) };
    const row = auditToSyncEventRow(long, "opp-1");
    expect((row[E.name] as string).length).toBe(100);
    expect(row[E.errorMessage]).toBe("x".repeat(300));
  });
});
