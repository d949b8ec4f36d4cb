/**
 * `npm start`: the whole co-sell loop offline. Builds the panel and the ribbon if they are not
 * built yet, starts the sandbox and prints its URL. `--reset` starts from the seeded org again;
 * `--port N` picks the port (default 4870).
 */
import { execSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { startSandbox } from "./server";

const root = resolve(__dirname, "..");
const args = process.argv.slice(2);
const portArg = args.indexOf("--port");
const port = portArg >= 0 ? Number(args[portArg + 1]) : Number(process.env.PORT ?? 4870);

async function main() {
  if (!existsSync(join(root, "out/controls/CoSellPanel/bundle.js")) || !existsSync(join(root, "out/webresources/cosell_/ribbon.js"))) {
    console.log("Building the Co-sell panel and the ribbon commands (first run only)…");
    execSync("npm run build:controls && npm run build:webresources", { cwd: root, stdio: "inherit", env: { ...process.env, PP_TOOLS_TELEMETRY_OPTOUT: "true" } });
  }
  const sandbox = await startSandbox({ port, dataDir: join(root, ".sandbox-data"), reset: args.includes("--reset"), reconcileIntervalMs: 15_000 });
  console.log(`\nCo-sell sandbox running: ${sandbox.url}/\n`);
  console.log("  Dynamics 365 form, Partner Center (Microsoft seller) and sync health on one page.");
  console.log("  State is kept in .sandbox-data/ (npm start -- --reset starts clean). Ctrl+C stops.\n");
  const stop = () => void sandbox.stop().then(() => process.exit(0));
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}

main().catch((e) => {
  console.error(e instanceof Error ? e.stack ?? e.message : e);
  process.exit(1);
});
