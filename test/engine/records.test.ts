import {
  applyPatch, auditToSyncEventRow, classifyReferral, dealFromReferral, defaultMapping, emptySnapshot, OPPORTUNITY_COLUMNS as C,
  parseSnapshot, PatchError, plan, referralLink, serializeSnapshot, snapshotFields, snapshotWithFields, SYNC_EVENT_COLUMNS as E, SYNC_STATUS,
  syncDirectionValue, syncResultValue, syncTriggerValue, type AuditEntry, type SyncSnapshot,
} from "../../sync/engine";
import { matchingReferral, NOW, validDeal } from "./fixtures";

describe("snapshot", () => {
  const snapshot = snapshotWithFields(
    { referralId: "ref-1", status: "Active", substatus: "Accepted", state: 0 },
    { b: { dynamics: 1, partnerCenter: 1 }, a: { dynamics: ["SOL-1"], partnerCenter: ["SOL-2"] }, c: { dynamics: null, partnerCenter: "x" } },
  );
  it("round-trips fields no loaded mapping has in the self-describing form, equal sides once and in name order", () => {
    const text = serializeSnapshot(snapshot);
    expect(text).toBe('{"v":1,"r":"ref-1","s":"Active","ss":"Accepted","st":0,"f":{"a":{"d":["SOL-1"],"p":["SOL-2"]},"b":1,"c":{"d":null,"p":"x"}}}');
    expect(parseSnapshot(text)).toEqual(snapshot);
    expect(snapshotFields(parseSnapshot(text)!)).toEqual({
      a: { dynamics: ["SOL-1"], partnerCenter: ["SOL-2"] }, b: { dynamics: 1, partnerCenter: 1 }, c: { dynamics: null, partnerCenter: "x" },
    });
    expect(serializeSnapshot(emptySnapshot())).toBe('{"v":1,"r":null,"s":null,"ss":null,"st":null,"f":{}}');
  });

  describe("of a loaded mapping", () => {
    const mapping = defaultMapping();
    const first = plan({ snapshot: null, deal: validDeal(), referral: matchingReferral(), mapping, now: NOW, trigger: "reconcile" }).nextSnapshot;
    const named = (s: SyncSnapshot): string => {
      // The same snapshot in the older, self-describing form (as stored before the compact one).
      const head = { v: 1, r: s.referralId, s: s.status, ss: s.substatus, st: s.state };
      const f = Object.fromEntries(Object.entries(snapshotFields(s)).map(([k, { dynamics, partnerCenter }]) =>
        [k, JSON.stringify(dynamics) === JSON.stringify(partnerCenter) ? dynamics : { d: dynamics, p: partnerCenter }]));
      return JSON.stringify({ ...head, f });
    };

    it("is stored compactly, by position, and read back the same", () => {
      const text = serializeSnapshot(first);
      // `l`: the customer, contact and currency the Dynamics values were read from (none in this deal's fixture).
      expect(text).toMatch(/^\{"v":2,"m":"[0-9a-f]{16}","r":"ref-1","s":"Active","ss":"Accepted","st":0,"l":\[null,null,null\],"f":\[/);
      expect(text.length).toBeLessThan(named(first).length * 0.75);
      const back = parseSnapshot(text)!;
      expect(back).toEqual(first);
      expect(snapshotFields(back).dealValue).toEqual({ dynamics: 125000, partnerCenter: 125000 });
    });

    it("keeps differing sides and fields without a baseline", () => {
      const partial = snapshotWithFields(
        { referralId: "ref-1", status: "Active", substatus: "Accepted", state: 0 },
        Object.fromEntries(Object.entries(snapshotFields(first)).filter(([name]) => name !== "notesForMicrosoft").map(([name, v]) =>
          [name, name === "customerName" ? { dynamics: "Contoso Ltd", partnerCenter: "Renamed" } : v])),
      );
      // Same field names as the mapping minus one: not the mapping's layout, so self-describing.
      expect(serializeSnapshot(partial)).toMatch(/^\{"v":1,/);
      // With the mapping's layout, the missing one is stored as {} and the pair as d/p.
      const sameLayout: SyncSnapshot = {
        ...first,
        dynamics: first.layout.names.map((n, i) => (n === "notesForMicrosoft" ? undefined : n === "customerName" ? "Contoso Ltd" : first.dynamics[i])),
        partnerCenter: first.layout.names.map((n, i) => (n === "notesForMicrosoft" ? undefined : n === "customerName" ? "Renamed" : first.partnerCenter[i])),
      };
      const text = serializeSnapshot(sameLayout);
      expect(text).toContain('{"d":"Contoso Ltd","p":"Renamed"}');
      expect(text).toContain("{}");
      const back = parseSnapshot(text)!;
      expect(back).toEqual(sameLayout);
      expect(snapshotFields(back)).toEqual(snapshotFields(partial));
    });

    it("still reads the older self-describing form, and does not rewrite it while nothing changed", () => {
      const deal = validDeal();
      const legacy = named(first);
      deal.opportunity[C.syncSnapshot] = legacy;
      Object.assign(deal.opportunity, { [C.syncStatus]: SYNC_STATUS.Synced, [C.referralId]: "ref-1", [C.referralLink]: referralLink("ref-1") });
      const parsed = parseSnapshot(legacy)!;
      // The older form names no related rows: read without links, it is not rewritten for them alone.
      expect(parsed).toEqual({ ...first, links: undefined });
      const p = plan({ snapshot: parsed, deal, referral: matchingReferral(), mapping, now: NOW, trigger: "reconcile" });
      expect(p.outcome).toBe("noChange");
      expect(p.dataverse.opportunity).toEqual({});
      // Once something changes, the compact form replaces it.
      deal.opportunity.estimatedvalue = 99;
      const changed = plan({ snapshot: parsed, deal, referral: matchingReferral(), mapping, now: NOW, trigger: "reconcile" });
      expect(changed.dataverse.opportunity[C.syncSnapshot]).toMatch(/^\{"v":2,/);
    });

    it("keeps every other field's baseline when the snapshot predates a field of the mapping", () => {
      const older = snapshotWithFields(
        { referralId: first.referralId, status: first.status, substatus: first.substatus, state: first.state },
        Object.fromEntries(Object.entries(snapshotFields(first)).filter(([name]) => name !== "notesForMicrosoft")),
      );
      const deal = validDeal();
      const referral = matchingReferral();
      referral.customerProfile.name = "Renamed by Microsoft"; // a toPartnerCenter field: only the snapshot records it
      deal.opportunity.estimatedvalue = 99;
      const p = plan({ snapshot: parseSnapshot(serializeSnapshot(older)), deal, referral, mapping, now: NOW, trigger: "reconcile" });
      expect(p.referralPatch).toEqual([{ op: "replace", path: "/details/dealValue", value: 99 }]);
      expect(p.conflicts).toEqual([]);
      const fields = snapshotFields(p.nextSnapshot);
      expect(Object.keys(fields).sort()).toEqual([...mapping.layout.names]);
      expect(fields.notesForMicrosoft).toEqual({ dynamics: "Move 40 servers to Azure", partnerCenter: "Move 40 servers to Azure" });
      expect(fields.customerName).toEqual({ dynamics: "Contoso Ltd", partnerCenter: "Renamed by Microsoft" });
      expect(fields.dealValue).toEqual({ dynamics: 99, partnerCenter: 99 });
      expect(fields.customerCity).toEqual(snapshotFields(first).customerCity);
    });

    it("reads a compact text it cannot place as no snapshot", () => {
      const text = serializeSnapshot(first);
      const fingerprint = /"m":"([0-9a-f]{16})"/.exec(text)![1];
      expect(parseSnapshot(text.replace(fingerprint, "0123456789abcdef"))).toBeNull();
      expect(parseSnapshot(text.replace('"f":[', '"f":[1,'))).toBeNull();
      expect(parseSnapshot(text.replace('"f":[', '"f":[{"x":1},').replace(/,[^,]*\]\}$/, "]}"))).toBeNull();
    });
  });

  it.each([null, "", "not json", "[]", "42", '{"v":2,"f":{}}', '{"v":2,"m":"0000000000000000","f":[]}', '{"v":1}', '{"v":1,"f":{"a":{"x":{}}}}',
    '{"v":1,"f":{"a":{}}}', '{"v":1,"s":"Open","f":{}}', '{"v":1,"st":9,"f":{}}', '{"v":3,"f":{}}'])(
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
      name: "Contoso cloud migration", estimatedvalue: 125000, estimatedclosedate: "2025-09-30", cosell_notesfrommicrosoft: "Move 40 servers to Azure",
      cosell_solutionids: "SOL-15974-MQF; SOL-20001-ABC", cosell_howcanmicrosofthelp: 731500001,
      [C.syncWithPartnerCenter]: true, [C.referralId]: "ref-1", [C.referralLink]: referralLink("ref-1"), [C.syncStatus]: SYNC_STATUS.AwaitingResponse,
    });
    // Microsoft's notes land in their own column; the seller's Description and Notes for Microsoft start empty.
    expect(out.opportunity.description).toBeUndefined();
    expect(out.opportunity.cosell_notesformicrosoft).toBeUndefined();
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
