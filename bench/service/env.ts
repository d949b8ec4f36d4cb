/**
 * The service benchmarks' world: both emulators and the service in one in-process msw server (the
 * same wiring as the end-to-end tests), plus a counter of the calls the service itself makes.
 */
import { SEEDED } from "../../emulators/dataverse";
import { createHarness } from "../../emulators/world";

export type Harness = ReturnType<typeof createHarness>;

export interface BenchMetric {
  metric: string;
  value: number;
  unit: string;
  target: string;
  pass: boolean;
}

export function benchHarness(seed: number): Harness {
  const h = createHarness(seed);
  h.server.listen({ onUnhandledRequest: "error" });
  return h;
}

/** Counts the service's own calls to the emulators (the test's clients and the seller console are not counted). */
export function serviceCallCounter(h: Harness) {
  const counts = { dataverse: 0, partnerCenter: 0, dataverseWrites: 0 };
  const listener = ({ request }: { request: Request }) => {
    const auth = request.headers.get("authorization");
    if (request.url.startsWith(h.dvEmu.apiUrl)) {
      if (auth !== `Bearer ${SEEDED.applicationUserId}`) return;
      counts.dataverse++;
      if (request.method !== "GET" && !request.url.includes("cosell_settings")) counts.dataverseWrites++;
    } else if (request.url.startsWith("https://api.partner.microsoft.com/")) {
      counts.partnerCenter++;
    }
  };
  h.server.events.on("request:start", listener);
  return {
    counts,
    reset() {
      counts.dataverse = counts.partnerCenter = counts.dataverseWrites = 0;
    },
    stop() {
      h.server.events.removeListener("request:start", listener);
    },
  };
}

export function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)];
}

export function printMetrics(title: string, metrics: BenchMetric[]): void {
  console.log(`\n${title}`);
  for (const m of metrics) {
    console.log(`  ${m.pass ? "PASS" : "FAIL"}  ${m.metric}: ${Number.isInteger(m.value) ? m.value : m.value.toFixed(3)} ${m.unit} (target ${m.target})`);
  }
}
