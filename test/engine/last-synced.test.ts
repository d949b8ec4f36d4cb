/**
 * Planning a save from the last sync (last-synced.ts): the referral as the snapshot describes it,
 * the deal's related rows as last synced, and the checks that send anything else back to reading.
 */
import {
  answerAsExpected, applyPatch, defaultMapping, isSelfContainedPatch, parseSnapshot, planEffects, referralAsLastSynced, snapshotCovers,
  type DealWithETag, type SyncSnapshot,
} from "../../sync/engine";
import { OPPORTUNITY_COLUMNS as C, SYNC_STATUS } from "../../sync/schema/dynamics";
import { matchingReferral, NOW, synced } from "./fixtures";

const mapping = defaultMapping();

/** The pair after a first sync, and the opportunity row alone, as the step's image carries it. */
function saved(change: Record<string, unknown>): { snapshot: SyncSnapshot; loaded: DealWithETag } {
  const { deal, snapshot } = synced(matchingReferral());
  const opportunity = { ...deal.opportunity, ...change, [C.syncStatus]: SYNC_STATUS.Synced, [C.referralId]: "ref-1" };
  return { snapshot, loaded: { deal: { opportunity, account: null, contact: null, currency: null }, etag: 'W/"7"' } };
}

describe("the referral as last synced", () => {
  const { snapshot } = synced(matchingReferral());

  it("holds every mapped value the snapshot stores for Partner Center, and the status", () => {
    const referral = referralAsLastSynced(snapshot, mapping, "ref-1")!;
    expect(referral).toMatchObject({ id: "ref-1", status: "Active", substatus: "Accepted" });
    expect(referral.details.dealValue).toBe(125000);
    expect(referral.customerProfile.team?.[0]?.email).toBe("ada@contoso.example");
    expect(snapshotCovers(snapshot, mapping)).toBe(true);
  });

  it("is not made up where the snapshot cannot tell: a New referral (it may await an answer), a field without a baseline, another referral", () => {
    expect(referralAsLastSynced({ ...snapshot, status: "New", substatus: "Pending" }, mapping, "ref-1")).toBeNull();
    const gap = { ...snapshot, partnerCenter: snapshot.partnerCenter.map((v, i) => (i === 0 ? undefined : v)) };
    expect(referralAsLastSynced(gap, mapping, "ref-1")).toBeNull();
    expect(snapshotCovers(gap, mapping)).toBe(false);
    expect(referralAsLastSynced(snapshot, mapping, "ref-2")).toBeNull();
  });
});

describe("a save planned with the related rows as last synced", () => {
  it("sends the opportunity's own change as one PATCH operation, and leaves the unread rows' values as they were", () => {
    const { snapshot, loaded } = saved({ estimatedvalue: 150000 });
    const referral = { referral: referralAsLastSynced(snapshot, mapping, "ref-1")!, eTag: '"etag-1"' };
    const effects = planEffects({ loaded, referral, snapshot, mapping, now: NOW, trace: { trigger: "dataverseChange" }, related: "lastSynced" });
    const write = effects.partnerCenter!;
    expect(write).toMatchObject({ kind: "patch", eTag: '"etag-1"', ops: [{ op: "replace", path: "/details/dealValue", value: 150000 }] });
    expect(isSelfContainedPatch(write, mapping)).toBe(true);
    if (write.kind !== "patch") throw new Error("expected a PATCH");
    // Partner Center answers with what the write expected: the change set stores the new snapshot, the unread rows untouched.
    const answer = { referral: { ...write.expected, updatedDateTime: "2025-06-15T10:00:01Z" }, eTag: '"etag-2"' };
    expect(answerAsExpected(answer.referral, write.expected, mapping)).toBe(true);
    const { dataverse } = effects.complete(answer);
    expect(dataverse.map((w) => (w.kind === "update" ? w.entitySet : w.kind))).toEqual(["opportunities", "create"]);
    const update = dataverse[0] as Extract<(typeof dataverse)[number], { kind: "update" }>;
    expect(update.etag).toBe('W/"7"');
    expect(update.changes[C.referralETag]).toBe('"etag-2"');
    // The customer's and contact's values stay the last synced ones (null, had they been read as missing rows).
    const stored = parseSnapshot(update.changes[C.syncSnapshot] as string)!;
    for (const name of ["customerName", "customerCountry", "contactEmail", "currency"]) {
      expect(stored.dynamics[stored.layout.names.indexOf(name)]).toEqual(snapshot.dynamics[snapshot.layout.names.indexOf(name)]);
    }
    expect(stored.dynamics[stored.layout.names.indexOf("dealValue")]).toBe(150000);
  });

  it("does not refuse a save for rows it did not read (no account, contact or currency in the image)", () => {
    const { snapshot, loaded } = saved({ [C.notesForMicrosoft]: "Phase two" });
    const referral = { referral: referralAsLastSynced(snapshot, mapping, "ref-1")!, eTag: '"etag-1"' };
    const read = planEffects({ loaded, referral, snapshot, mapping, now: NOW, trace: { trigger: "dataverseChange" } });
    expect(read.partnerCenter).toBeNull(); // read as it is, the missing account would make it invalid
    const unread = planEffects({ loaded, referral, snapshot, mapping, now: NOW, trace: { trigger: "dataverseChange" }, related: "lastSynced" });
    expect(unread.partnerCenter).toMatchObject({ kind: "patch", ops: [{ path: "/details/notes", value: "Phase two" }] });
  });

  it("still refuses what the opportunity itself gets wrong", () => {
    const { snapshot, loaded } = saved({ estimatedvalue: -5 });
    const referral = { referral: referralAsLastSynced(snapshot, mapping, "ref-1")!, eTag: '"etag-1"' };
    const effects = planEffects({ loaded, referral, snapshot, mapping, now: NOW, trace: { trigger: "dataverseChange" }, related: "lastSynced" });
    expect(effects.partnerCenter).toBeNull();
    expect(effects.complete(null).outcome.result).toBe("validationFailed");
  });
});

describe("what goes back to reading", () => {
  it("a write carrying a whole member (a contact's details go as all of /customerProfile/team) is not self-contained", () => {
    const { deal, snapshot } = synced(matchingReferral());
    const contact = { ...deal.contact!, emailaddress1: "ada.l@contoso.example" };
    const referral = { referral: matchingReferral(), eTag: '"etag-1"' };
    const effects = planEffects({ loaded: { deal: { ...deal, contact }, etag: 'W/"7"' }, referral, snapshot, mapping, now: NOW, trace: { trigger: "dataverseChange" } });
    expect(effects.partnerCenter).toMatchObject({ kind: "patch", ops: [{ path: "/customerProfile/team" }] });
    expect(isSelfContainedPatch(effects.partnerCenter!, mapping)).toBe(false);
  });

  it("an answer that holds something the snapshot did not know", () => {
    const expected = matchingReferral();
    const answer = applyPatch(expected, [{ op: "replace", path: "/details/closingDateTime", value: "2025-12-31T00:00:00Z" }]);
    expect(answerAsExpected(answer, expected, mapping)).toBe(false);
    expect(answerAsExpected({ ...expected, status: "Closed", substatus: "Won" }, expected, mapping)).toBe(false);
  });
});
