import fc from "fast-check";
import {
  applyPatch, applyPlanToDeal, closeReasonValue, defaultMapping, HELP_TYPES, OPPORTUNITY_STATE, plan,
  type DynamicsDeal, type Plan, type Referral, type ReferralSubstatus, type SyncSnapshot,
} from "../../sync/engine";
import { NOW } from "./fixtures";

/** Small pools so that both sides often hold equal, and sometimes different, values. */
const pick = <T>(...values: T[]): fc.Arbitrary<T> => fc.constantFrom(...values);
const times = pick("2025-06-01T08:00:00Z", "2025-06-02T08:00:00Z", "2025-06-03T08:00:00Z");

const dealArb: fc.Arbitrary<DynamicsDeal> = fc
  .record({
    name: pick("Contoso migration", "Fabrikam rollout"),
    value: pick(0, 100, 125000.5),
    close: pick("2025-09-30", "2026-01-15"),
    notes: pick<string | null>(null, "Notes A", "Notes B"),
    solutions: pick("SOL-1", "SOL-1; SOL-2", "SOL-2,SOL-3"),
    help: pick<number | null>(null, HELP_TYPES[0].value, HELP_TYPES[4].value),
    state: pick(OPPORTUNITY_STATE.Open, OPPORTUNITY_STATE.Open, OPPORTUNITY_STATE.Won, OPPORTUNITY_STATE.Lost),
    modified: times,
    accountName: pick("Contoso", "Fabrikam"),
    country: pick("Germany", "DE", "France", "United States"),
    city: pick<string | null>(null, "Berlin", "Paris"),
    employees: pick<number | null>(null, 5, 320, 25000),
    first: pick("Ada", "Grace"),
    email: pick("a@x.example", "b@x.example"),
    phone: pick<string | null>(null, "+1 555 0100"),
  })
  .map((r) => ({
    opportunity: {
      opportunityid: "opp-1", name: r.name, estimatedvalue: r.value, estimatedclosedate: r.close, description: r.notes,
      cosell_solutionids: r.solutions, cosell_howcanmicrosofthelp: r.help, cosell_syncwithpartnercenter: true,
      statecode: r.state, statuscode: 1, modifiedon: r.modified, cosell_closereason: closeReasonValue(2),
    },
    account: { accountid: "acc-1", name: r.accountName, address1_country: r.country, address1_city: r.city, numberofemployees: r.employees },
    contact: { contactid: "con-1", firstname: r.first, lastname: "Lovelace", emailaddress1: r.email, telephone1: r.phone },
    currency: { isocurrencycode: "EUR" },
  }));

const referralArb: fc.Arbitrary<Referral> = fc
  .record({
    status: pick<[Referral["status"], Referral["substatus"], Referral["direction"]]>(
      ["Active", "Accepted", "Outgoing"], ["Active", "Accepted", "Incoming"], ["New", "Pending", "Incoming"],
    ),
    name: pick("Contoso migration", "Fabrikam rollout"),
    value: pick(0, 100, 125000.5, 7),
    close: pick("2025-09-30T00:00:00Z", "2026-01-15T13:00:00Z"),
    notes: pick<string | null>(null, "Notes A", "Notes C"),
    solutions: pick(["SOL-1"], ["SOL-1", "SOL-2"], ["SOL-4"]),
    help: pick<Referral["inviteContext"]>(undefined, { assistanceRequestCode: HELP_TYPES[0].code }, { assistanceRequestCode: "GeneralOrOther" }),
    updated: times,
    customer: pick("Contoso", "Northwind"),
    country: pick("DE", "FR", "US"),
    team: pick<Referral["customerProfile"]["team"]>([], [{ firstName: "Ada", lastName: "Lovelace", email: "a@x.example" }], [{ firstName: "Linus", email: "c@x.example", phoneNumber: "+1 555 0199" }]),
  })
  .map((r) => ({
    id: "ref-1", name: r.name, status: r.status[0], substatus: r.status[1], direction: r.status[2], type: "Shared", qualification: "SalesQualified",
    updatedDateTime: r.updated, externalReferenceId: "opp-1",
    customerProfile: { name: r.customer, address: { country: r.country }, team: r.team },
    details: { dealValue: r.value, currency: "EUR", closingDateTime: r.close, notes: r.notes, requirements: { solutions: r.solutions.map((id) => ({ id, type: "Name" as const })) } },
    inviteContext: r.help,
  }));

/** Carry a plan out on both sides, as the service and Partner Center would. */
function carryOut(deal: DynamicsDeal, referral: Referral | null, p: Plan): { deal: DynamicsDeal; referral: Referral | null } {
  let next = referral;
  if (p.createReferral) next = { ...(p.createReferral as unknown as Referral), id: "ref-new", status: "Active", substatus: "Accepted" };
  if (next && p.referralPatch.length > 0) next = applyPatch(next, p.referralPatch);
  return { deal: applyPlanToDeal(deal, p), referral: next };
}

describe("convergence (property)", () => {
  const mapping = defaultMapping();
  it("planning again after carrying out a plan gives an empty plan", () => {
    fc.assert(
      fc.property(
        dealArb, fc.option(referralArb, { freq: 4 }), fc.option(fc.tuple(dealArb, referralArb), { freq: 2 }),
        (deal, referral, base) => {
          const snapshot = base ? plan({ snapshot: null, deal: base[0], referral: base[1], mapping, now: NOW, trigger: "reconcile" }).nextSnapshot : null;
          const first = plan({ snapshot, deal, referral, mapping, now: NOW, trigger: "reconcile" });
          fc.pre(first.outcome === "write" || first.outcome === "noChange");
          let after = carryOut(deal, referral, first);
          let nextSnapshot = first.nextSnapshot;
          if (first.createReferral) {
            // The service re-plans once against the created referral to store its id and the settled snapshot.
            const settle = plan({ snapshot: nextSnapshot, deal: after.deal, referral: after.referral, mapping, now: NOW, trigger: "reconcile" });
            expect(settle.referralPatch).toEqual([]);
            after = carryOut(after.deal, after.referral, settle);
            nextSnapshot = settle.nextSnapshot;
          }
          const second = plan({ snapshot: nextSnapshot, deal: after.deal, referral: after.referral, mapping, now: NOW, trigger: "reconcile" });
          expect(second.outcome).toBe("noChange");
          expect(second.referralPatch).toEqual([]);
          expect(second.createReferral).toBeUndefined();
          expect(second.statusActions).toEqual([]);
          expect(second.dataverse).toEqual({ opportunity: {}, account: {}, contact: {} });
        },
      ),
      { numRuns: 400, seed: 20250615 },
    );
  });

  /** A pair planned, carried out and settled from scratch: both sides agree and the snapshot says so. */
  function syncedPair(deal: DynamicsDeal, referral: Referral): { deal: DynamicsDeal; referral: Referral; snapshot: SyncSnapshot } | null {
    const first = plan({ snapshot: null, deal, referral, mapping, now: NOW, trigger: "reconcile" });
    if (first.outcome !== "write" && first.outcome !== "noChange") return null;
    const after = carryOut(deal, referral, first);
    return { deal: after.deal, referral: after.referral!, snapshot: first.nextSnapshot };
  }

  const closeArb = fc.record({
    substatus: pick<ReferralSubstatus>("Won", "Lost", "Declined", "Expired", "Error"),
    reason: fc.option(pick("Customer didn't respond", "Others"), { nil: undefined }),
  });
  /** Seller edits made in Dynamics while Microsoft closed the referral (undefined: left alone). */
  const editsArb = fc.record({
    name: fc.option(pick("Renamed deal", "Contoso migration"), { nil: undefined }),
    value: fc.option(pick(1, 100, 5000.25), { nil: undefined }),
    notes: fc.option(pick<string | null>(null, "Seller notes"), { nil: undefined }),
    email: fc.option(pick("edited@x.example"), { nil: undefined }),
    modified: times,
  });
  const CLOSES: Partial<Record<ReferralSubstatus, number>> = { Won: OPPORTUNITY_STATE.Won, Lost: OPPORTUNITY_STATE.Lost, Declined: OPPORTUNITY_STATE.Lost };

  it("a close in Partner Center always closes the opportunity, whatever the seller edited meanwhile, and then settles", () => {
    fc.assert(
      fc.property(dealArb, referralArb, closeArb, editsArb, fc.boolean(), (baseDeal, baseReferral, close, edits, pcEdit) => {
        baseDeal.opportunity.statecode = OPPORTUNITY_STATE.Open;
        const base = syncedPair(baseDeal, baseReferral);
        fc.pre(base !== null);
        const { snapshot } = base!;
        const deal: DynamicsDeal = { ...base!.deal, opportunity: { ...base!.deal.opportunity }, contact: { ...base!.deal.contact! } };
        if (edits.name !== undefined) deal.opportunity.name = edits.name;
        if (edits.value !== undefined) deal.opportunity.estimatedvalue = edits.value;
        if (edits.notes !== undefined) deal.opportunity.description = edits.notes;
        if (edits.email !== undefined) deal.contact!.emailaddress1 = edits.email;
        deal.opportunity.modifiedon = edits.modified;
        const closed: Referral = {
          ...base!.referral, status: "Closed", substatus: close.substatus, statusReason: close.reason,
          details: pcEdit ? { ...base!.referral.details, dealValue: 4242 } : base!.referral.details,
        };

        const first = plan({ snapshot, deal, referral: closed, mapping, now: NOW, trigger: "partnerCenterWebhook" });
        expect(first.referralPatch).toEqual([]); // a closed referral takes nothing
        expect(first.createReferral).toBeUndefined();
        const after = carryOut(deal, closed, first);
        const closesTo = CLOSES[close.substatus];
        expect(after.deal.opportunity.statecode).toBe(closesTo ?? OPPORTUNITY_STATE.Open);

        // A refused plan writes bookkeeping only, so Microsoft's values it held back come in on the
        // next sync; after that nothing is left, and the warning is not given again.
        let state = { deal: after.deal, snapshot: first.nextSnapshot };
        for (let round = 0; ; round++) {
          const again = plan({ snapshot: state.snapshot, deal: state.deal, referral: closed, mapping, now: NOW, trigger: "reconcile" });
          expect(again.referralPatch).toEqual([]);
          expect(again.statusActions).toEqual([]);
          expect(again.audit.filter((a) => a.level !== "info")).toEqual([]);
          if (again.outcome === "noChange") {
            expect(again.dataverse).toEqual({ opportunity: {}, account: {}, contact: {} });
            break;
          }
          expect(first.outcome).toBe("rejected");
          expect(round).toBe(0);
          state = { deal: applyPlanToDeal(state.deal, again), snapshot: again.nextSnapshot };
        }
        expect(state.deal.opportunity.statecode).toBe(closesTo ?? OPPORTUNITY_STATE.Open);
      }),
      { numRuns: 400, seed: 20250616 },
    );
  });
});
