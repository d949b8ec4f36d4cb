/**
 * An admin sees what is stuck and why: /health counts deals Partner Center would refuse with the
 * API errors and says how many deals need someone; /health/stuck (with the service's key) lists
 * them with topic, status, since and the fix, longest-waiting first; the figures come per minute.
 */
import { installedHarness, SERVICE_URL, WEBHOOK_KEY } from "../../emulators/world";
import { SEEDED } from "../../emulators/dataverse";
import { composeService } from "../../api/compose";
import { silentLogger } from "../../api/core/logger";
import { OPPORTUNITY_COLUMNS as C, SYNC_STATUS } from "../../sync/schema/dynamics";
import { createOpportunity } from "./helpers";
import { STUCK_COUNT_WAIT_MS } from "../../api/triggers/health";

const h = installedHarness(17);

test("a deal Partner Center would refuse is counted with the errors, and listed as stuck with its fix", async () => {
  const before = (await h.service.health()).counters.errorsByCode.VALIDATION_FAILED ?? 0;
  const id = await createOpportunity(h.dataverse, { name: "Tailwind rollout" });
  // The seller empties the solution IDs: the next sync refuses the deal with the fix.
  await h.dataverse.updateOpportunity(id, { [C.solutionIds]: null }, "*");
  await h.settle();

  const report = await h.service.health();
  expect(report.counters.errorsByCode.VALIDATION_FAILED).toBeGreaterThan(before);
  expect(report.stuck).toBeGreaterThanOrEqual(1);
  expect(report.counters.perMinute.at(-1)).toMatchObject({ events: expect.any(Number), errors: expect.any(Number) });
  expect(report.counters.perMinute.at(-1)!.errors).toBeGreaterThan(0);

  // The list names deals and their errors: refused without the key, given with it.
  const refused = await fetch(`${SERVICE_URL}/health/stuck`);
  expect(refused.status).toBe(401);
  expect(await refused.json()).toMatchObject({ error: { code: "unauthorized", message: expect.stringContaining("x-cosell-key") } });
  const res = await fetch(`${SERVICE_URL}/api/health/stuck`, { headers: { "x-cosell-key": WEBHOOK_KEY } });
  expect(res.status).toBe(200);
  const { records } = (await res.json()) as { records: Array<{ opportunityId: string; topic: string; status: string; since: string; fix: string }> };
  const mine = records.find((r) => r.opportunityId === id);
  expect(mine).toMatchObject({ topic: "Tailwind rollout", status: "Error", since: expect.stringMatching(/^\d{4}-/) });
  expect(mine!.fix).toMatch(/solution ID/);

  // The opportunity carries the error's code beside its text (the panel words it in the seller's language)…
  expect((await h.dataverse.getDeal(id)).deal.opportunity[C.syncErrorCode]).toBe("VALIDATION_FAILED");
  // …until a sync carries the fixed deal across: then both are cleared.
  await h.dataverse.updateOpportunity(id, { [C.solutionIds]: "SOL-15974-MQF" }, "*");
  await h.settle();
  const fixed = (await h.dataverse.getDeal(id)).deal.opportunity;
  expect([fixed[C.syncStatus], fixed[C.syncError], fixed[C.syncErrorCode]]).toEqual([SYNC_STATUS.Synced, null, null]);
});

test("a deal Pending longer than the reconcile interval is stuck; one Pending a moment is not", async () => {
  const id = await createOpportunity(h.dataverse, { name: "Pending deal", sync: false });
  await h.settle();
  await h.dataverse.updateOpportunity(id, { [C.syncStatus]: SYNC_STATUS.Pending }, "*");
  const config = { dataverse: { url: h.dvEmu.orgUrl, auth: { token: SEEDED.applicationUserId } }, partnerCenter: { auth: { token: "pc-token" } } };
  const at = (offsetMs: number) =>
    composeService(config, { logger: silentLogger(), stuckAfterMs: 15 * 60_000, now: () => new Date(Date.now() + offsetMs) }).stuckRecords();

  expect((await at(0)).map((r) => r.opportunityId)).not.toContain(id);
  const later = await at(16 * 60_000);
  const pending = later.find((r) => r.opportunityId === id);
  expect(pending).toMatchObject({ topic: "Pending deal", status: "Pending", fix: expect.stringContaining("next reconcile") });
});

test("/health counts every stuck deal, not only the first page the list shows", async () => {
  const config = { dataverse: { url: h.dvEmu.orgUrl, auth: { token: SEEDED.applicationUserId } }, partnerCenter: { auth: { token: "pc-token" } } };
  const service = composeService(config, { logger: silentLogger() });
  const already = (await service.health()).stuck!;
  // 60 more deals in Error, written as the service records a failure (status and error, no sync).
  for (let i = 0; i < 60; i++) {
    const id = await createOpportunity(h.dataverse, { name: `Stuck ${i}`, sync: false });
    await h.dataverse.updateOpportunity(id, { [C.syncStatus]: SYNC_STATUS.Error, [C.syncError]: "Add at least one solution ID." }, "*");
  }
  await h.settle();
  expect((await service.health()).stuck).toBe(already + 60);
  // The list stays a first page, longest-waiting first.
  expect((await service.stuckRecords()).length).toBe(50);
});

test("a slow Dataverse leaves the stuck count unknown, and /health still answers within a few seconds", async () => {
  const config = { dataverse: { url: h.dvEmu.orgUrl, auth: { token: SEEDED.applicationUserId } }, partnerCenter: { auth: { token: "pc-token" } } };
  const service = composeService(config, { logger: silentLogger() });
  // Dataverse answers the stuck query after 6 s, twice the wait.
  h.dvEmu.faults.set([{ method: "GET", path: /opportunities$/, latencyMs: 6_000 }]);
  try {
    const started = Date.now();
    const report = await service.health();
    expect(report.stuck).toBeNull();
    expect(Date.now() - started).toBeLessThan(STUCK_COUNT_WAIT_MS + 1_500);
    expect(report.status).toBe("ok");
  } finally {
    h.dvEmu.faults.clear();
  }
}, 15_000);
