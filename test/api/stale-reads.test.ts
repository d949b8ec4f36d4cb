/**
 * A trigger's reads made before it takes the pair's lock are used only if no other sync of the pair
 * ran since they began. The one that matters: a Partner Center webhook reads the referral, its read
 * of the opportunity is slow, and meanwhile the seller's save syncs in full (lock taken and
 * released, so the webhook never waits). Planned from the old referral against the new snapshot,
 * the seller's earlier note (ours, still in that referral) looked like a new note from Microsoft.
 */
import { installedHarness } from "../../emulators/world";
import { OPPORTUNITY_COLUMNS as C } from "../../sync/schema/dynamics";
import { createOpportunity } from "./helpers";

const h = installedHarness(43);
const seller = async (id: string, values: Record<string, unknown>) => {
  const res = await h.dvEmu.request("PATCH", `opportunities(${id})`, values);
  expect(res.status).toBe(204);
};

test("a webhook whose reads straddle the seller's synced save re-reads: our earlier note is not taken for Microsoft's", async () => {
  const id = await createOpportunity(h.dataverse, { name: "Contoso rollout" });
  await h.settle();
  await seller(id, { [C.notesForMicrosoft]: "Pilot signed" });
  await h.settle();
  const referralId = (await h.dataverse.getDeal(id)).deal.opportunity[C.referralId]!;
  expect(h.pcEmu.state.referrals.get(referralId)!.details!.notes).toBe("Pilot signed");

  // The webhook's lookup of the opportunity by its referral key takes a while.
  h.dvEmu.faults.set([{ method: "GET", path: /opportunities\(cosell_referralid=/, latencyMs: 400 }]);
  try {
    h.pcEmu.seller.update(referralId, { dealValue: 70_000 });
    await new Promise((resolve) => setTimeout(resolve, 100));
    // Meanwhile the seller writes again, and that save syncs at once (its step reads nothing).
    await seller(id, { [C.notesForMicrosoft]: "Pilot signed, rollout in June" });
    await h.dvEmu.dispatcher.drain();
    expect(h.pcEmu.state.referrals.get(referralId)!.details!.notes).toBe("Pilot signed, rollout in June");
    await h.settle();
  } finally {
    h.dvEmu.faults.clear();
  }
  await h.settle();

  const opportunity = (await h.dataverse.getDeal(id)).deal.opportunity;
  expect(opportunity[C.notesFromMicrosoft] ?? null).toBeNull();
  expect(opportunity[C.notesForMicrosoft]).toBe("Pilot signed, rollout in June");
  expect(opportunity.estimatedvalue).toBe(70_000);
  expect(h.pcEmu.state.referrals.get(referralId)!.details!.notes).toBe("Pilot signed, rollout in June");
});
