/**
 * The timeline in a seller's words and language: actions named as a seller would, fields by their
 * labels, values formatted in the user's locale (test/controls/CoSellPanelView.test.tsx renders them).
 */
import { defaultMapping, planEffects, syncDirectionValue, syncResultValue, syncTriggerValue, type DataverseWrite } from "../../sync/engine";
import { actionText, fieldLabel, valueText } from "../../controls/CoSellPanel/model/eventText";
import { LABELLED_FIELDS } from "../../controls/CoSellPanel/stringKeys";
import { parseSyncEventRow, type SyncEventView } from "../../controls/CoSellPanel/model/syncEvents";
import { panelStrings } from "./resx";
import { matchingReferral, NOW, validDeal } from "../engine/fixtures";

const en = panelStrings(1033);
const ko = panelStrings(1042);

function event(changes: object[], over: Record<string, unknown> = {}): SyncEventView {
  return parseSyncEventRow({
    cosell_synceventid: "e1", cosell_occurredon: "2026-12-01T10:00:00Z",
    cosell_direction: syncDirectionValue("toPartnerCenter"), cosell_trigger: syncTriggerValue("dataverseChange"), cosell_result: syncResultValue("success"),
    cosell_changes: JSON.stringify(changes), ...over,
  });
}
const change = (field: string, side: "partnerCenter" | "dynamics", before: unknown = 1, after: unknown = 2) => ({ field, column: "c", referralPath: "p", before, after, side });

test("every field of the default mapping, and every status row the engine adds, has a label in both languages", () => {
  // The .resx test checks each of these keys in both files.
  expect(LABELLED_FIELDS).toEqual(expect.arrayContaining(defaultMapping().fields.map((f) => f.name)));
  expect(LABELLED_FIELDS).toEqual(expect.arrayContaining(["referralStatus", "statusReason", "opportunityState", "closeReason", "referralId"]));
  expect(fieldLabel("dealValue", en)).toBe("Est. revenue");
  expect(fieldLabel("dealValue", ko)).toBe("예상 수익");
  // A field of an admin's own mapping shows by its mapping name.
  expect(fieldLabel("partnerTier", en)).toBe("partnerTier");
});

test("actions are named as a seller would say them", () => {
  expect(actionText(event([change("referralId", "dynamics", null, "r-1"), change("dealName", "partnerCenter", null, "Deal")]), en)).toBe("Shared with Microsoft");
  expect(actionText(event([change("referralId", "dynamics", null, "r-2"), change("dealName", "dynamics", null, "Deal")], { cosell_direction: syncDirectionValue("toDynamics") }), en))
    .toBe("Created from Microsoft's referral");
  expect(actionText(event([change("dealValue", "partnerCenter")]), en)).toBe("Sent the new Est. revenue to Microsoft");
  expect(actionText(event([change("dealValue", "partnerCenter"), change("closingDate", "partnerCenter")]), en)).toBe("Sent your changes to Microsoft");
  expect(actionText(event([change("dealValue", "dynamics")], { cosell_direction: syncDirectionValue("toDynamics") }), en)).toBe("Microsoft updated the Est. revenue");
  expect(actionText(event([change("referralStatus", "partnerCenter", "New/Pending", "Active/Accepted")]), en)).toBe("Accepted the referral");
  expect(actionText(event([change("referralStatus", "partnerCenter", "New/Pending", "Closed/Declined")]), en)).toBe("Declined the referral");
  expect(actionText(event([change("opportunityState", "dynamics", "Open", "Won")]), en)).toBe("Closed as won in Partner Center");
  expect(actionText(event([], { cosell_result: syncResultValue("noChange") }), en)).toBe("Checked: nothing to send");
  expect(actionText(event([], { cosell_result: syncResultValue("validationFailed") }), en)).toBe("Not sent to Microsoft");
  expect(actionText(event([change("dealValue", "partnerCenter")]), ko)).toBe("새 예상 수익을(를) Microsoft에 보냄");
});

test("values as the seller reads them: dates and amounts in the user's locale, choices by name, never null", () => {
  expect(valueText("2027-01-16", en, "en-US", "closingDate")).toBe("Jan 16, 2027");
  expect(valueText("2027-01-16", ko, "ko-KR", "closingDate")).toBe("2027년 1월 16일");
  expect(valueText(1234567.5, en, "en-US", "dealValue")).toBe("1,234,567.5");
  // A deal value in the record's currency, in the user's locale, and never rounded.
  expect(valueText(1234567.5, en, "en-US", "dealValue", "EUR")).toBe("€1,234,567.50");
  expect(valueText(99_999_999_999.99, en, "en-US", "dealValue", "USD")).toBe("$99,999,999,999.99");
  expect(valueText(1234567.5, ko, "ko-KR", "dealValue", "KRW")).toBe("₩1,234,567.5");
  expect(valueText(1234567.5, ko, "ko-KR", "dealValue", "USD")).toBe("US$1,234,567.50");
  // Only the deal value is money: another number keeps its plain grouping.
  expect(valueText(250, en, "en-US", "customerSize", "EUR")).toBe("250");
  expect(valueText(["SOL-1", "SOL-2"], en, "en-US", "solutions")).toBe("SOL-1, SOL-2");
  expect(valueText(false, en, "en-US", "visibility")).toBe("Private (not shared with Microsoft sellers)");
  expect(valueText("ProofOfConceptOrDemo", en, "en-US", "helpType")).toBe("Proof of concept / Demo");
  expect(valueText(null, en, "en-US", "dealValue")).toBe("(empty)");
});

test("the sync that shares a deal records the link to its referral first on its row", () => {
  const deal = validDeal();
  const effects = planEffects({ loaded: { deal, etag: 'W/"1"' }, referral: null, snapshot: null, mapping: defaultMapping(), now: NOW, trace: { trigger: "syncNow" } });
  const { dataverse } = effects.complete({ referral: { ...matchingReferral(), id: "ref-9" }, eTag: '"e9"' });
  const rows = dataverse.filter((w): w is Extract<DataverseWrite, { kind: "create" }> => w.kind === "create");
  const shared = parseSyncEventRow(rows[0].record);
  expect(shared.changes[0]).toMatchObject({ field: "referralId", before: null, after: "ref-9" });
  expect(actionText(shared, en)).toBe("Shared with Microsoft");
});
