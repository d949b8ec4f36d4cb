/**
 * Operator commands (run with tsx):
 *   npm run cosell -- reconcile [--full]     re-plan everything changed since the watermark (progress bar)
 *   npm run cosell -- backfill [--apply]     link existing referrals and opportunities (dry run by default)
 *   npm run cosell -- mapping check <file>   check a field-mapping document (every problem with its JSON path)
 *   npm run cosell -- mapping set <file>     check it, then make it the org's mapping (refused if it has problems)
 * Configuration: the same environment variables as the service (api/README.md).
 */
import { SingleBar, Presets } from "cli-progress";
import { formatBackfill } from "../core/backfill";
import { readFileSync } from "node:fs";
import { createDataverseClient, createServiceFromConfig, readConfig } from "../config";
import { runMappingCommand } from "./mapping";
import { createLogger } from "../core/logger";
import type { CoSellService } from "../service";

const USAGE = "usage: npm run cosell -- reconcile [--full] | backfill [--apply] | mapping check|set <file>";

function progressBar(label: string): { update: (done: number, total: number) => void; stop: () => void } {
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

export async function runCli(argv: string[], service: CoSellService, out: (line: string) => void = console.log): Promise<number> {
  const [command, ...flags] = argv;
  const unknown = flags.filter((f) => !["--full", "--apply"].includes(f));
  if (unknown.length > 0) {
    out(`unknown option ${unknown.join(" ")}\n${USAGE}`);
    return 2;
  }
  if (command === "reconcile") {
    const bar = progressBar("reconcile");
    const result = await service.reconcile({ full: flags.includes("--full"), onProgress: bar.update }).finally(bar.stop);
    out(`${result.pairs} pairs: ${result.written} written, ${result.unchanged} unchanged, ${result.created} created, ${result.failed} failed. Watermark ${result.watermark ?? "(none)"}.`);
    for (const f of result.failures) out(`  failed ${f.opportunityId ?? f.referralId}: ${f.code} ${f.message}`);
    return result.failed > 0 ? 1 : 0;
  }
  if (command === "backfill") {
    const apply = flags.includes("--apply");
    const bar = progressBar("linking");
    const result = await service.backfill({ apply, onProgress: apply ? bar.update : undefined }).finally(bar.stop);
    out(formatBackfill(result));
    return result.items.some((i) => i.applied === "failed") ? 1 : 0;
  }
  out(USAGE);
  return 2;
}

if (require.main === module) {
  (async () => {
    const argv = process.argv.slice(2);
    if (argv[0] === "mapping") {
      // `check` needs no configuration; `set` only the Dataverse connection.
      const dataverse = argv[1] === "set" ? createDataverseClient(readConfig(process.env)) : undefined;
      process.exitCode = await runMappingCommand(argv.slice(1), {
        readFile: (path) => readFileSync(path, "utf8"),
        setSetting: dataverse && ((name, value) => dataverse.setSetting(name, value)),
        out: console.log,
      });
      return;
    }
    const config = readConfig(process.env);
    const service = await createServiceFromConfig(config, createLogger({ level: process.env.LOG_LEVEL ?? "warn" }));
    process.exitCode = await runCli(argv, service);
  })().catch((e) => {
    console.error(e instanceof Error ? e.message : e);
    process.exitCode = 1;
  });
}
