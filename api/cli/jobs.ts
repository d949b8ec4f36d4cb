/**
 * `cosell reconcile` and `cosell backfill`: the service's jobs, run once from a shell with a
 * progress bar. Reconcile also runs on the hosts' timers.
 */
import { Presets, SingleBar } from "cli-progress";
import { composeService } from "../compose";
import { readConfig } from "../config";
import { formatBackfill } from "../core/backfill";
import { createLogger } from "../core/logger";
import type { CoSellService } from "../service";
import { EXIT, parseOptions, type CliIo, type Command } from "./command";

function progressBar(label: string, io: CliIo): { update: (done: number, total: number) => void; stop: () => void } {
  // A bar only on a terminal; in a pipe or a test it would be noise.
  if (!process.stderr.isTTY || io.compose) return { update: () => undefined, stop: () => undefined };
  const bar = new SingleBar({ format: `${label} [{bar}] {value}/{total}`, hideCursor: true }, Presets.shades_classic);
  let started = false;
  return {
    update(done, total) {
      if (!started) {
        bar.start(total, done);
        started = true;
      } else bar.update(done);
    },
    stop: () => started && bar.stop(),
  };
}

// "state": the jobs' Partner Center calls count against the daily budget the service instances share.
const PARTS = ["dataverse", "partnerCenter", "state"] as const;

/** Runs a job on the composed service, then closes it (its calls added to the shared count). */
async function withService<T>(io: CliIo, job: (service: CoSellService) => Promise<T>): Promise<T> {
  const service = composeService(readConfig(io.env, PARTS), { logger: createLogger({ level: io.env.LOG_LEVEL ?? "warn" }), ...io.compose });
  try {
    return await job(service);
  } finally {
    await service.close();
  }
}

export const reconcileCommand: Command = {
  name: "reconcile",
  summary: "re-plan every pair changed since the watermark (--full: every pair)",
  usage: ["reconcile [--full]"],
  parts: [...PARTS],
  async run(args, io) {
    const { values } = parseOptions(args, { full: { type: "boolean" } }, { min: 0, max: 0 });
    const bar = progressBar("reconcile", io);
    const result = await withService(io, (service) => service.reconcile({ full: values.full === true, onProgress: bar.update })).finally(bar.stop);
    io.out(`${result.pairs} pairs: ${result.written} written, ${result.unchanged} unchanged, ${result.created} created, ${result.failed} failed. Watermark ${result.watermark ?? "(none)"}.`);
    for (const f of result.failures) io.out(`  failed ${f.opportunityId ?? f.referralId}: ${f.code} ${f.message}`);
    return result.failed > 0 ? EXIT.failed : EXIT.ok;
  },
};

export const backfillCommand: Command = {
  name: "backfill",
  summary: "link existing referrals and opportunities (a dry run unless --apply)",
  usage: ["backfill [--apply]"],
  parts: [...PARTS],
  async run(args, io) {
    const { values } = parseOptions(args, { apply: { type: "boolean" } }, { min: 0, max: 0 });
    const apply = values.apply === true;
    const bar = progressBar("linking", io);
    const result = await withService(io, (service) => service.backfill({ apply, onProgress: apply ? bar.update : undefined })).finally(bar.stop);
    io.out(formatBackfill(result));
    return result.items.some((i) => i.applied === "failed") ? EXIT.failed : EXIT.ok;
  },
};
