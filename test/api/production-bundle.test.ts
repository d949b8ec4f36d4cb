/**
 * Production loads no test room: bundling the standalone server and the Functions app pulls in
 * nothing from the emulators, the sandbox or the tests, nor the test-only libraries msw and node-forge.
 */
import { join } from "node:path";
import { build } from "esbuild";

const ROOT = join(__dirname, "../..");
const FORBIDDEN = /^(sandbox|emulators|test)\/|node_modules\/(msw|node-forge)\//;

test.each(["api/hosts/node-server.ts", "api/hosts/functions.ts"])("%s bundles without emulators, sandbox, tests, msw or node-forge", async (entry) => {
  const result = await build({
    entryPoints: [join(ROOT, entry)], bundle: true, platform: "node", format: "cjs", write: false, metafile: true,
    external: ["@azure/functions"], logLevel: "silent", absWorkingDir: ROOT,
  });
  const inputs = Object.keys(result.metafile.inputs);
  expect(inputs.length).toBeGreaterThan(50);
  expect(inputs.filter((p) => FORBIDDEN.test(p))).toEqual([]);
}, 60_000);
