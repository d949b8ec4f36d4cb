// `npm run build:functions`: the Azure Functions v4 app as a deployable folder, dist/functions/:
// one bundled index.js (api/hosts/functions.ts and everything it imports), host.json, and a package.json
// whose only dependency is the programming model the Functions host loads (@azure/functions).
// Deploy: cd dist/functions && npm install --omit=dev && func azure functionapp publish <app>.
import { build } from "esbuild";
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const out = join(root, "dist", "functions");
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));

mkdirSync(out, { recursive: true });
await build({
  entryPoints: [join(root, "api", "hosts", "functions.ts")],
  outfile: join(out, "index.js"),
  bundle: true,
  platform: "node",
  target: "node20",
  format: "cjs",
  sourcemap: "linked",
  external: ["@azure/functions"],
  logLevel: "warning",
});
copyFileSync(join(root, "api", "hosts", "functions-app", "host.json"), join(out, "host.json"));
writeFileSync(
  join(out, "package.json"),
  JSON.stringify(
    {
      name: `${pkg.name}-functions`,
      version: pkg.version,
      private: true,
      main: "index.js",
      engines: { node: ">=20" },
      dependencies: { "@azure/functions": pkg.dependencies["@azure/functions"] },
    },
    null,
    2,
  ) + "\n",
);
console.log(`Azure Functions app written to ${out}`);
