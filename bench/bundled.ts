/**
 * Runs a benchmark on the code bundled as it ships. The service is deployed as one esbuild bundle
 * (api/hosts/build.mjs), where modules share one scope; run straight under tsx, every call across a
 * module boundary goes through an export getter of tsx's per-file loader, a cost no deployment has
 * (about 15% of the engine's planning time). So a bench file is bundled the same way (packages left
 * out, as there) and run in a child process, which prints its figures as JSON. A bench whose code
 * reads files relative to its own module (the service benches' emulators do) stays under tsx.
 */
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";

/** The flag a bench file's bundle is started with: measure here and print the figures as JSON. */
const MEASURE_FLAG = "--measure-in-process";

export async function runBundled<T>(entry: string): Promise<T> {
  // Under node_modules, so the bundle finds the packages it leaves out.
  const cache = join(__dirname, "..", "node_modules", ".cache");
  mkdirSync(cache, { recursive: true });
  const dir = mkdtempSync(join(cache, "cosell-bench-"));
  try {
    const outfile = join(dir, "bench.js");
    const { build } = await import("esbuild");
    await build({ entryPoints: [entry], bundle: true, platform: "node", target: "node20", format: "cjs", packages: "external", outfile, logLevel: "warning" });
    const { stdout } = await promisify(execFile)(process.execPath, [outfile, MEASURE_FLAG], { maxBuffer: 16 << 20 });
    return JSON.parse(stdout) as T;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** In a bench file: when started as its bundle, runs `measure` and prints its figures for runBundled. */
export function measureIfBundled(main: NodeJS.Module | undefined, self: NodeJS.Module, measure: () => Promise<unknown>): boolean {
  if (main !== self || !process.argv.includes(MEASURE_FLAG)) return false;
  measure().then((figures) => process.stdout.write(JSON.stringify(figures))).catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
  return true;
}
