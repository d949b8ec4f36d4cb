// `npm run build:service [outDir]`: the service's two deployables, bundled with esbuild (outDir: dist/).
//   dist/cosell.js    the `cosell` command (the package's bin; `cosell serve` is the standalone server)
//   dist/functions/   the Azure Functions v4 app: index.js, host.json, and a package.json
// Packages stay external: each bundle needs exactly the runtime `dependencies`, so on a server
// `npm ci --omit=dev` (or `npm install --omit=dev` in dist/functions) is all it takes. Nothing from the
// emulators, the sandbox, the tests, msw or node-forge is in either (test/api/production-bundle.test.ts).
import { build } from "esbuild";
import { chmodSync, copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
const dist = resolve(process.argv[2] ?? join(root, "dist"));
const common = { bundle: true, platform: "node", target: "node20", format: "cjs", packages: "external", sourcemap: "linked", metafile: true, logLevel: "warning" };

const cli = await build({ ...common, entryPoints: [join(root, "api", "cli", "cosell.ts")], outfile: join(dist, "cosell.js") });
chmodSync(join(dist, "cosell.js"), 0o755);

const functions = join(dist, "functions");
mkdirSync(functions, { recursive: true });
const app = await build({ ...common, entryPoints: [join(root, "api", "hosts", "functions.ts")], outfile: join(functions, "index.js") });
// What went into each bundle, for the production-bundle test and for review; not deployed.
writeFileSync(join(dist, "service-bundles.meta.json"), JSON.stringify({ cosell: cli.metafile, functions: app.metafile }));
copyFileSync(join(root, "api", "hosts", "functions-app", "host.json"), join(functions, "host.json"));
writeFileSync(
  join(functions, "package.json"),
  JSON.stringify({ name: `${pkg.name}-functions`, version: pkg.version, private: true, main: "index.js", engines: pkg.engines, dependencies: pkg.dependencies }, null, 2) + "\n",
);
console.log(`Service built: ${dist}/cosell.js (the cosell command) and ${dist}/functions/ (the Azure Functions app)`);
