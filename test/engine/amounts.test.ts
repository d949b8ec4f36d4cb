/**
 * A seller's amount is never rounded, clipped or turned into 1e17: outside Dataverse's money range
 * or with more decimals than the currency keeps it is refused with a message naming the limit —
 * outbound before anything reaches Partner Center, inbound before anything is written to Dynamics.
 */
import fc from "fast-check";
import { dealFromReferral, defaultMapping } from "../../sync/engine";
import { amountProblem, plainNumber } from "../../sync/engine/amounts";
import { validateForPartnerCenter } from "../../sync/engine/validation-messages";
import { OPPORTUNITY_COLUMNS as C, SYNC_STATUS } from "../../sync/schema/dynamics";
import { NOW, matchingReferral, run, synced, validDeal } from "./fixtures";

describe("outbound: the deal value a seller typed", () => {
  it("99999999999999999 is refused with the limit named, and no referral is planned", () => {
    const deal = validDeal();
    deal.opportunity.estimatedvalue = Number("99999999999999999"); // as the form reads what the seller typed
    const problems = validateForPartnerCenter(deal, NOW, { isNew: true });
    expect(problems).toEqual([{
      code: "dealValue.tooLarge", column: "opportunity.estimatedvalue",
      message: "The estimated revenue is more than Dataverse and Partner Center can hold; enter at most 922,337,203,685,477.",
      args: ["922,337,203,685,477"],
    }]);
    const first = run({ deal, referral: null, trigger: "dataverseChange" });
    expect(first.outcome).toBe("invalid");
    expect(first.createReferral).toBeUndefined();
    expect(first.reason).toContain("922,337,203,685,477");
    expect(first.reason).not.toMatch(/e\+?\d/);
  });

  it("the largest amount Dataverse holds still goes", () => {
    const deal = validDeal();
    deal.opportunity.estimatedvalue = 922_337_203_685_477;
    expect(validateForPartnerCenter(deal, NOW)).toEqual([]);
  });

  it("more decimals than the currency keeps is refused, not rounded (JPY keeps none, EUR two)", () => {
    const yen = validDeal();
    yen.currency = { isocurrencycode: "JPY", currencyprecision: 0 };
    yen.opportunity.estimatedvalue = 1000.5;
    expect(validateForPartnerCenter(yen, NOW).map((p) => p.message)).toEqual(["The estimated revenue 1,000.5 has more decimals than JPY keeps; round it to 0 decimals."]);
    const euro = validDeal();
    euro.opportunity.estimatedvalue = 1234.567;
    expect(validateForPartnerCenter(euro, NOW).map((p) => p.code)).toEqual(["dealValue.precision"]);
    euro.opportunity.estimatedvalue = 0.1 + 0.2; // float noise is not a third decimal
    expect(validateForPartnerCenter(euro, NOW)).toEqual([]);
  });
});

describe("inbound: a value Partner Center sends", () => {
  it("outside the range is not written; the sync error says which and how to fix it, once on the timeline", () => {
    const { deal, snapshot, referral } = synced(matchingReferral());
    const sent = { ...referral, details: { ...referral.details, dealValue: 1e18 }, updatedDateTime: "2025-06-10T00:00:00Z" };
    const p = run({ deal, referral: sent, snapshot, trigger: "partnerCenterWebhook" });
    expect(p.dataverse.opportunity.estimatedvalue).toBeUndefined();
    expect(p.syncStatus).toBe("Error");
    const error = p.dataverse.opportunity[C.syncError] as string;
    expect(error).toBe(
      "Not written from Partner Center: details.dealValue 1,000,000,000,000,000,000 is more than Dataverse can hold (at most 922,337,203,685,477). " +
      "The opportunity keeps its own value; ask the Microsoft seller to correct it in Partner Center.",
    );
    expect(p.audit.map((a) => a.result)).toEqual(["rejected"]);
    // The next webhook with the same value: the error stays, no second timeline row.
    const again = run({ deal: { ...deal, opportunity: { ...deal.opportunity, ...p.dataverse.opportunity } }, referral: sent, snapshot: p.nextSnapshot, trigger: "reconcile" });
    expect(again.dataverse.opportunity.estimatedvalue).toBeUndefined();
    expect(again.audit).toEqual([]);
  });

  it("a new opportunity from an incoming referral leaves the value out and says why", () => {
    const columns = dealFromReferral({ ...matchingReferral(), direction: "Incoming", details: { ...matchingReferral().details, dealValue: 12.345 } }, defaultMapping());
    expect(columns.opportunity.estimatedvalue).toBeUndefined();
    expect(columns.opportunity[C.syncStatus]).toBe(SYNC_STATUS.Error);
    expect(columns.opportunity[C.syncError]).toMatch(/^Not written from Partner Center: details\.dealValue 12\.345 has more than 2 decimals\./);
  });
});

test("plainNumber writes every finite amount out in full, never in exponent form", () => {
  fc.assert(fc.property(fc.double({ min: -1e21, max: 1e21, noNaN: true }), (n) => !/e/i.test(plainNumber(n))));
  expect(plainNumber(Number("99999999999999999"))).toBe("100,000,000,000,000,000");
  expect(amountProblem(Number.POSITIVE_INFINITY, 2)).toBe("Infinity is not a finite number");
});
