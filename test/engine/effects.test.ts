/**
 * planEffects is every effect of a sync: what the service writes is exactly what comes back here,
 * so the seller-visible columns (sync status, sync error, link) are decided once.
 */
import {
  CLOSED_NOT_SENT, defaultMapping, OPPORTUNITY_COLUMNS as C, OPPORTUNITY_STATE, OPPORTUNITY_STATUS, SYNC_EVENT_COLUMNS as E, SYNC_STATUS, planEffects,
  syncResultValue, failureEffects, type DataverseWrite, type Referral, type SyncInput,
} from "../../sync/engine";
import { matchingReferral, NOW, run, synced, validDeal } from "./fixtures";

const trace = { trigger: "partnerCenterWebhook" as const, correlationId: "evt-1" };
const updateOf = (writes: DataverseWrite[]) => writes.find((w) => w.kind === "update" && w.entitySet === "opportunities") as Extract<DataverseWrite, { kind: "update" }>;
const events = (writes: DataverseWrite[]) => writes.filter((w): w is Extract<DataverseWrite, { kind: "create" }> => w.kind === "create");

function input(over: Partial<SyncInput> & Pick<SyncInput, "loaded">): SyncInput {
  return { referral: null, snapshot: null, mapping: defaultMapping(), now: NOW, trace, ...over };
}

test("closed in Partner Center while the seller edited: the opportunity is won, the edit kept, and the engine's message stays in the sync error", () => {
  const { deal, referral, snapshot } = synced(matchingReferral());
  deal.opportunity.estimatedvalue = 150000;
  deal.opportunity.modifiedon = "2025-06-10T09:00:00Z";
  const won: Referral = { ...referral, status: "Closed", substatus: "Won" };
  const effects = planEffects(input({ loaded: { deal, etag: 'W/"1"' }, referral: { referral: won, eTag: '"r1"' }, snapshot }));
  expect(effects.partnerCenter).toBeNull(); // a closed referral takes no edits
  const { dataverse, outcome } = effects.complete(null);
  expect(outcome).toMatchObject({ result: "success", syncStatus: "ClosedInPartnerCenter" });
  const update = updateOf(dataverse);
  expect(update.changes[C.syncError]).toBe(`${CLOSED_NOT_SENT}.`);
  expect(update.changes[C.syncErrorCode]).toBe("CLOSED_NOT_SENT");
  expect(update.changes[C.syncStatus]).toBe(SYNC_STATUS.ClosedInPartnerCenter);
  expect(update.changes).not.toHaveProperty("estimatedvalue");
  expect(update.etag).toBe('W/"1"');
  expect(dataverse).toContainEqual({ kind: "win", opportunityId: deal.opportunity.opportunityid, description: undefined });
  // One row for the close, one warning for the edit that was not sent.
  expect(events(dataverse).map((e) => e.record[E.result])).toEqual([syncResultValue("success"), syncResultValue("rejected")]);
  expect(events(dataverse)[1].record[E.correlationId]).toBe("evt-1");
});

test("a share: one create, then the answer's id, link and ETag go into the write-back, an earlier failure's text is cleared", () => {
  const deal = validDeal();
  deal.opportunity[C.syncError] = "Partner Center did not answer in time (it will be retried automatically)";
  deal.opportunity[C.syncErrorCode] = "TIMEOUT";
  const effects = planEffects(input({ loaded: { deal, etag: 'W/"1"' }, trace: { trigger: "syncNow" } }));
  expect(effects.partnerCenter?.kind).toBe("create");
  const answer = { referral: { ...matchingReferral(), id: "ref-9" }, eTag: '"e9"' };
  const { dataverse, outcome } = effects.complete(answer);
  expect(outcome).toMatchObject({ result: "success", referralId: "ref-9" });
  expect(updateOf(dataverse).changes).toMatchObject({ [C.referralId]: "ref-9", [C.referralETag]: '"e9"', [C.syncError]: null, [C.syncErrorCode]: null });
  expect(events(dataverse)).toHaveLength(1);
});

test("Sync now on a deal with sync off: refused with the fix and one sync event, nothing read or sent", () => {
  const deal = validDeal();
  deal.opportunity[C.syncWithPartnerCenter] = false;
  const effects = planEffects(input({ loaded: { deal, etag: 'W/"1"' }, trace: { trigger: "syncNow" } }));
  expect(effects.partnerCenter).toBeNull();
  const { dataverse, outcome } = effects.complete(null);
  expect(outcome).toMatchObject({ result: "rejected", syncStatus: "NotSynced", message: expect.stringMatching(/Turn on/) });
  expect(events(dataverse)).toHaveLength(1);
  expect(events(dataverse)[0].record[E.errorCode]).toBe("SYNC_OFF");
  expect(updateOf(dataverse).changes[C.syncErrorCode]).toBe("SYNC_OFF");
});

test("each recorded error carries its code beside it, for the panel to word in the seller's language", () => {
  // A deal Partner Center would refuse: the error lists the fixes, the code says so.
  const invalid = validDeal();
  invalid.opportunity.name = "";
  const refused = planEffects(input({ loaded: { deal: invalid, etag: 'W/"1"' }, trace: { trigger: "syncNow" } })).complete(null);
  expect(updateOf(refused.dataverse).changes).toMatchObject({ [C.syncStatus]: SYNC_STATUS.Error, [C.syncErrorCode]: "VALIDATION_FAILED" });
  expect(String(updateOf(refused.dataverse).changes[C.syncError])).toMatch(/^Not sent to Partner Center/);
  // A failed call: its classified code.
  const failed = failureEffects({ opportunityId: "o-1", referralId: null, failure: { code: "PC_THROTTLED", message: "Partner Center is busy", retryable: true }, now: NOW, trace });
  expect(updateOf(failed.dataverse).changes).toMatchObject({ [C.syncErrorCode]: "PC_THROTTLED", [C.syncError]: "Partner Center is busy (it will be retried automatically)" });
  // A code this version does not know is not recorded as one.
  const odd = failureEffects({ opportunityId: "o-1", referralId: null, failure: { code: "SOMETHING_NEW", message: "?", retryable: false }, now: NOW, trace });
  expect(updateOf(odd.dataverse).changes[C.syncErrorCode]).toBeNull();
});

test("a background trigger on a deal that is not co-sold writes nothing", () => {
  const deal = validDeal();
  deal.opportunity[C.syncWithPartnerCenter] = false;
  expect(planEffects(input({ loaded: { deal, etag: 'W/"1"' } })).complete(null)).toEqual({ dataverse: [], outcome: { result: "skipped", referralId: null } });
});

test("a declined referral closes the opportunity as canceled", () => {
  const { deal, referral, snapshot } = synced(matchingReferral({ direction: "Incoming", status: "New", substatus: "Pending" }));
  const effects = planEffects(input({
    loaded: { deal, etag: 'W/"1"' }, referral: { referral, eTag: '"r"' }, snapshot,
    trace: { trigger: "respond" }, request: { action: "decline", reason: 2 },
  }));
  expect(effects.partnerCenter?.kind).toMatch(/patch|put/);
  const answer = { referral: { ...referral, status: "Closed" as const, substatus: "Declined" as const }, eTag: '"r2"' };
  expect(effects.complete(answer).dataverse).toContainEqual(expect.objectContaining({ kind: "lose", statuscode: OPPORTUNITY_STATUS.Canceled }));
});

test("Sync now that finds both sides alike: one 'nothing to send' event, and the last-synced time says they were checked just now", () => {
  const { deal, referral, snapshot } = synced(matchingReferral());
  deal.opportunity[C.referralETag] = '"r1"';
  const effects = planEffects(input({ loaded: { deal, etag: 'W/"1"' }, referral: { referral, eTag: '"r1"' }, snapshot, trace: { trigger: "syncNow" } }));
  expect(effects.partnerCenter).toBeNull();
  const { dataverse, outcome } = effects.complete(null);
  expect(outcome.result).toBe("noChange");
  expect(updateOf(dataverse).changes).toEqual({ [C.lastSyncedOn]: NOW.toISOString() });
  expect(events(dataverse).map((e) => e.record[E.result])).toEqual([syncResultValue("noChange")]);
  // The same pair seen by a background trigger: nothing written at all.
  expect(planEffects(input({ loaded: { deal, etag: 'W/"1"' }, referral: { referral, eTag: '"r1"' }, snapshot })).complete(null).dataverse).toEqual([]);
});

describe("a refused change is recorded under one code, on the opportunity and on its sync event", () => {
  const refusedCodes = (effects: ReturnType<typeof planEffects>) => {
    const { dataverse } = effects.complete(null);
    return { opportunity: updateOf(dataverse).changes[C.syncErrorCode], events: events(dataverse).map((e) => e.record[E.errorCode]) };
  };

  test("an edit a closed referral cannot take: CLOSED_NOT_SENT, which the panel words itself", () => {
    const { deal, referral, snapshot } = synced(matchingReferral({ status: "Closed", substatus: "Won" }));
    deal.opportunity.statecode = OPPORTUNITY_STATE.Won;
    const agreed = run({ snapshot, deal, referral }).nextSnapshot;
    deal.opportunity.estimatedvalue = 1;
    const effects = planEffects(input({ loaded: { deal, etag: 'W/"1"' }, referral: { referral, eTag: '"r"' }, snapshot: agreed, trace: { trigger: "syncNow" } }));
    expect(refusedCodes(effects)).toEqual({ opportunity: "CLOSED_NOT_SENT", events: ["CLOSED_NOT_SENT"] });
  });

  test("accepting a referral that is already won: REJECTED, so its own sentence (which state) is shown", () => {
    const { deal, referral, snapshot } = synced(matchingReferral({ direction: "Incoming", status: "Closed", substatus: "Won" }));
    const effects = planEffects(input({ loaded: { deal, etag: 'W/"1"' }, referral: { referral, eTag: '"r"' }, snapshot, trace: { trigger: "respond" }, request: { action: "accept" } }));
    const { outcome } = effects.complete(null);
    expect(outcome.message).toBe(`${CLOSED_NOT_SENT}: the referral is already won, so it cannot be accepted.`);
    expect(refusedCodes(effects)).toEqual({ opportunity: "REJECTED", events: ["REJECTED"] });
  });
});
