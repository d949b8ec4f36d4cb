/**
 * The service benchmarks as one call for bench/run.ts: latency (30 ms per emulated call),
 * reconcile (10,000 pairs, 5% changed) and two instances sharing their state (200 webhooks). Run alone: npx tsx bench/service/index.ts
 */
import { runLatencyBench } from "./latency.bench";
import { runReconcileBench } from "./reconcile.bench";
import { runInstancesBench } from "./instances.bench";
import { printMetrics, type BenchMetric } from "./env";

export type { BenchMetric };

export async function runServiceBench(): Promise<Array<{ metric: string; value: number; unit: string; target: string; pass: boolean }>> {
  return [...(await runLatencyBench()), ...(await runReconcileBench()), ...(await runInstancesBench())];
}

if (require.main === module) {
  runServiceBench().then((m) => printMetrics("Co-sell service", m)).catch((e) => {
    console.error(e);
    process.exitCode = 1;
  });
}
