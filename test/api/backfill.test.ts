/**
 * Backfill / link: referrals and opportunities that exist on both sides but were never linked
 * (their webhooks and steps never reached the service) are paired, not re-created. Dry run first.
 */
import { defaultMapping, referralFromDeal, OPPORTUNITY_COLUMNS as C, SYNC_STATUS } from "../../sync/engine";
import { formatBackfill } from "../../api/core/backfill";
import { installedHarness } from "../../emulators/world";
import { collect, createOpportunity } from "./helpers";

const h = installedHarness(5);

test("dry run says what it would link; --apply links by externalReferenceId and by customer + postal code + deal name", async () => {
  // Nothing reaches the service while the history is made.
  h.dvEmu.dispatcher.faults = { dropRate: 1 };
  h.pcEmu.dispatcher.faults = { dropRate: 1 };
  const byIdOpp = await createOpportunity(h.dataverse, { name: "Linked by id" });
  const { deal } = await h.dataverse.getDeal(byIdOpp);
  const byIdRef = (await h.referrals.create(referralFromDeal(deal, defaultMapping()))).referral.id;
  const byNameOpp = await createOpportunity(h.dataverse, { name: "Northwind rollout", customer: "Northwind Traders", postalCode: "98052" });
  const byNameRef = h.pcEmu.seller.createIncoming({ name: "Northwind  Rollout", customerName: "northwind traders", country: "US", postalCode: "98052" }).id;
  const otherPostal = h.pcEmu.seller.createIncoming({ name: "Northwind rollout", customerName: "Northwind Traders", country: "US", postalCode: "10001" }).id;
  await h.settle();
  h.dvEmu.dispatcher.faults = {};
  h.pcEmu.dispatcher.faults = {};
  const referralsBefore = (await collect(h.referrals.listAll())).length;

  const dry = await h.service.backfill();
  expect(dry.dryRun).toBe(true);
  const text = formatBackfill(dry);
  expect(text).toContain(`would link  ${byIdRef} "Linked by id" → opportunity ${byIdOpp} "Linked by id" (by externalReferenceId)`);
  expect(text).toContain(`would link  ${byNameRef} "Northwind  Rollout" → opportunity ${byNameOpp} "Northwind rollout" (by customerAndName)`);
  expect(text).toContain(`no match  ${otherPostal}`);
  expect(text).toMatch(/Dry run: run with --apply/);
  // A dry run writes nothing.
  expect((await h.dataverse.getDeal(byIdOpp)).deal.opportunity[C.referralId] ?? null).toBeNull();
  expect((await h.dataverse.getDeal(byNameOpp)).deal.opportunity[C.referralId] ?? null).toBeNull();

  const applied = await h.service.backfill({ apply: true });
  expect(applied.items.filter((i) => i.action === "link").map((i) => i.applied)).toEqual(["linked", "linked"]);
  const a = (await h.dataverse.getDeal(byIdOpp)).deal.opportunity;
  expect([a[C.referralId], a[C.syncStatus]]).toEqual([byIdRef, SYNC_STATUS.Synced]);
  const b = (await h.dataverse.getDeal(byNameOpp)).deal.opportunity;
  expect(b[C.referralId]).toBe(byNameRef);
  expect(b[C.referralLink]).toMatch(/^https:\/\/partner\.microsoft\.com\//);
  // Linked, not re-created.
  expect((await collect(h.referrals.listAll())).length).toBe(referralsBefore);

  const again = await h.service.backfill();
  expect(again.counts.link).toBe(0);
  expect(again.counts.alreadyLinked).toBe(2);
});
