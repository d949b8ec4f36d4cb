/**
 * Two service instances behind one URL, sharing their state in Azure Table storage (Azurite on a
 * loopback port, in memory): 200 referral events, each delivered twice by Partner Center (it may,
 * and it retries on any non-2xx), the load balancer handing the copies out in turn. Printed: the
 * syncs the instances ran, the duplicate syncs (a second sync of one event: target 0), the
 * deliveries answered with an error, and the time until every event is synced.
 * Run: npx tsx bench/service/instances.bench.ts
 */
import { createHarness } from "../../emulators/world";
import { startAzurite } from "../../emulators/kit/azurite";
import { tableBySet } from "../../emulators/dataverse/schema";
import { printMetrics, type BenchMetric } from "./env";

const EVENTS = 200;
const INSTANCES = 2;

export async function runInstancesBench(): Promise<BenchMetric[]> {
  const azurite = await startAzurite();
  const h = createHarness(43, { instances: INSTANCES, state: { connectionString: azurite.connectionString, tablePrefix: "cosellBench" } });
  h.server.listen({ onUnhandledRequest: "error" });
  try {
    await h.install();
    // Each copy of an event goes to the next instance; a little delay lets the copies overlap.
    h.pcEmu.dispatcher.faults = { duplicateRate: 1, maxDelayMs: 20 };
    // The opportunities' own Update steps are not what is measured: their echoes are held back.
    h.dvEmu.dispatcher.faults = { dropRate: 1 };
    const deliveriesBefore = h.pcEmu.dispatcher.log.length;
    const t0 = performance.now();
    for (let i = 0; i < EVENTS; i++) {
      h.pcEmu.seller.createIncoming({
        name: `Instances ${i}`, customerName: `Instances Customer ${i}`, country: "US", postalCode: "98052", dealValue: 10_000 + i, currency: "USD",
        closingDateTime: new Date(Date.now() + 90 * 86_400_000).toISOString(), solutionIds: ["SOL-15974-MQF"],
      });
    }
    await h.pcEmu.settle();
    const seconds = (performance.now() - t0) / 1000;

    const deliveries = h.pcEmu.dispatcher.log.slice(deliveriesBefore).filter((d) => d.url.includes("/partner-center/webhook"));
    const reports = await Promise.all(h.services.map((s) => s.health()));
    const syncs = reports.reduce((n, r) => n + (r.counters.eventsByTrigger.partnerCenterWebhook ?? 0), 0);
    const refused = deliveries.filter((d) => d.status !== 200).length;
    const opportunities = new Set(h.dvEmu.store.rows(tableBySet("opportunities")!).map((r) => r.cosell_referralid).filter(Boolean));
    return [
      { metric: `${EVENTS} webhooks (${deliveries.length} deliveries) over ${INSTANCES} instances: syncs`, value: syncs, unit: "syncs", target: `= ${EVENTS}`, pass: syncs === EVENTS },
      { metric: "duplicate syncs", value: Math.max(0, syncs - EVENTS), unit: "syncs", target: "0", pass: syncs <= EVENTS },
      { metric: "deliveries answered with an error (Partner Center delivers again)", value: refused, unit: "deliveries", target: "report", pass: true },
      { metric: "referrals with their opportunity", value: opportunities.size, unit: "referrals", target: `= ${EVENTS}`, pass: opportunities.size >= EVENTS },
      { metric: "time until every event is synced", value: seconds, unit: "s", target: "report", pass: true },
    ];
  } finally {
    await Promise.all(h.services.map((s) => s.close()));
    h.server.close();
    await azurite.stop();
  }
}

if (require.main === module) {
  runInstancesBench().then((m) => printMetrics(`Two instances, shared state in Azure Table storage (Azurite)`, m)).catch((e) => {
    console.error(e);
    process.exitCode = 1;
  });
}
