/**
 * Service latency with 30 ms added to every emulated call (Dataverse and Partner Center):
 *   - Partner Center event → opportunity updated (seller changes the deal value; webhook → service → Dataverse)
 *   - opportunity saved → referral updated (seller saves the form; Update step → service → Partner Center)
 * p50/p99 over 200 events each, and the ratio of p50 to the floor of two round trips (2 × 30 ms,
 * issue #18): inbound reads both sides at once, then writes one `$batch`; outbound reads nothing
 * (the step's post-image and the stored snapshot tell it everything), PATCHes Partner Center, then
 * writes one `$batch`. Each emulated call's round trip lasts the 30 ms, the emulator's own work
 * inside it (emulators/kit/faults.ts), as Microsoft's servers work inside the round trip a caller
 * waits for. The same path timed first with no latency added shows what the emulators,
 * msw's interception and the service cost on this machine (the rest is the injected latency). The calls the service made are
 * printed too (reads sent at once count one each but cost one round trip). Echo deliveries are
 * held back while timing, so the counted calls are exactly the ones on the path.
 * Run: npx tsx bench/service/latency.bench.ts
 */
import { benchHarness, percentile, printMetrics, serviceCallCounter, type BenchMetric } from "./env";

const EVENTS = 200;
/** Events timed first with no latency added. */
const BARE_EVENTS = 100;
const LATENCY_MS = 30;
const PAIRS = 10;
const TARGET_RATIO = 1.15;
/** The floor: one round trip to read, one to write. */
const FLOOR_ROUND_TRIPS = 2;

export async function runLatencyBench(): Promise<BenchMetric[]> {
  const h = benchHarness(42);
  try {
    await h.install();
    const inbound: Array<{ referralId: string }> = [];
    const outbound: Array<{ opportunityId: string }> = [];
    for (let i = 0; i < PAIRS; i++) {
      const r = h.pcEmu.seller.createIncoming({
        name: `Latency in ${i}`, customerName: `Latency Customer ${i}`, country: "US", postalCode: "98052", dealValue: 10_000, currency: "USD",
        closingDateTime: new Date(Date.now() + 90 * 86_400_000).toISOString(), solutionIds: ["SOL-15974-MQF"],
      });
      inbound.push({ referralId: r.id });
      const account = await h.dataverse.createAccount({ name: `Latency Out ${i}`, address1_city: "Leeds", address1_postalcode: "LS1 4AP", address1_country: "GB" });
      const opportunityId = await h.dataverse.createOpportunity({
        name: `Latency out ${i}`, estimatedvalue: 20_000, estimatedclosedate: new Date(Date.now() + 90 * 86_400_000).toISOString().slice(0, 10),
        "customerid_account@odata.bind": `/accounts(${account})`, "transactioncurrencyid@odata.bind": "/transactioncurrencies(5a1b0c3d-0000-4000-8000-0000000d0003)",
        cosell_solutionids: "SOL-15974-MQF", cosell_syncwithpartnercenter: true,
      });
      outbound.push({ opportunityId });
    }
    await h.settle();
    for (const { referralId } of inbound) {
      const opp = await h.dataverse.findOpportunityByReferralId(referralId);
      if (!opp) throw new Error(`latency bench: referral ${referralId} did not become an opportunity`);
      await h.dataverse.callBoundAction(opp.opportunityid, "cosell_RespondToReferral", { Decision: "accept" });
    }
    await h.settle();

    const rule = { path: /.*/, latencyMs: LATENCY_MS };
    const counter = serviceCallCounter(h);

    const sample = async (from: number, events: number, trigger: (i: number) => Promise<void>, wait: () => Promise<void>, holdEchoes: () => void) => {
      const samples: number[] = [];
      const calls: number[] = [];
      for (let i = from; i < from + events; i++) {
        holdEchoes();
        counter.reset();
        const t0 = performance.now();
        await trigger(i);
        await wait();
        samples.push(performance.now() - t0);
        calls.push(counter.counts.dataverse + counter.counts.partnerCenter);
        h.dvEmu.dispatcher.faults = {};
        h.pcEmu.dispatcher.faults = {};
      }
      return { samples, calls };
    };

    const measure = async (label: string, trigger: (i: number) => Promise<void>, wait: () => Promise<void>, holdEchoes: () => void) => {
      // The same path with nothing added: what the emulators, msw's interception and the service cost on this machine.
      h.dvEmu.faults.clear();
      h.pcEmu.faults.clear();
      const bare = percentile((await sample(0, BARE_EVENTS, trigger, wait, holdEchoes)).samples, 50);
      h.dvEmu.faults.set([rule]);
      h.pcEmu.faults.set([rule]);
      const { samples, calls } = await sample(BARE_EVENTS, EVENTS, trigger, wait, holdEchoes);
      const p50 = percentile(samples, 50);
      const p99 = percentile(samples, 99);
      const pathCalls = percentile(calls, 50);
      const ratio = p50 / (FLOOR_ROUND_TRIPS * LATENCY_MS);
      return [
        { metric: `${label} p50 with no latency added`, value: bare, unit: "ms", target: "report", pass: true },
        { metric: `${label} p50`, value: p50, unit: "ms", target: "report", pass: true },
        { metric: `${label} p99`, value: p99, unit: "ms", target: "report", pass: true },
        { metric: `${label} calls on the critical path`, value: pathCalls, unit: "calls", target: "report", pass: true },
        { metric: `${label} p50 / (${FLOOR_ROUND_TRIPS} × ${LATENCY_MS} ms)`, value: ratio, unit: "ratio", target: `≤ ${TARGET_RATIO}`, pass: ratio <= TARGET_RATIO },
      ];
    };

    const inboundMetrics = await measure(
      "PC event → opportunity updated",
      async (i) => void h.pcEmu.seller.update(inbound[i % PAIRS].referralId, { dealValue: 10_000 + i * 10 }),
      () => h.pcEmu.settle(),
      // The opportunity write raises an Update step: its (no-op) echo is not on this path.
      () => void (h.dvEmu.dispatcher.faults = { dropRate: 1 }),
    );
    const outboundMetrics = await measure(
      "opportunity saved → referral updated",
      async (i) => {
        const res = await h.dvEmu.request("PATCH", `opportunities(${outbound[i % PAIRS].opportunityId})`, { estimatedvalue: 20_000 + i * 10 });
        if (res.status >= 300) throw new Error(`latency bench: save failed ${res.status}`);
      },
      () => h.dvEmu.dispatcher.drain(),
      () => void (h.pcEmu.dispatcher.faults = { dropRate: 1 }),
    );
    counter.stop();
    return [...inboundMetrics, ...outboundMetrics];
  } finally {
    h.dvEmu.faults.clear();
    h.pcEmu.faults.clear();
    h.server.close();
  }
}

if (require.main === module) {
  runLatencyBench().then((m) => printMetrics(`Service latency, ${LATENCY_MS} ms per emulated call, ${EVENTS} events each`, m)).catch((e) => {
    console.error(e);
    process.exitCode = 1;
  });
}
