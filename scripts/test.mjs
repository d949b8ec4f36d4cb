// The one test command: makes sure Debian's Chromium is there (browser tests drive it), builds
// the product, type-checks and lints, then runs every jest test (unit, integration, browser).
import { execSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";

const run = (cmd) => {
  console.log(`\n> ${cmd}`);
  execSync(cmd, { stdio: "inherit", env: { ...process.env, PP_TOOLS_TELEMETRY_OPTOUT: "true" } });
};

if (!existsSync("/usr/bin/chromium")) {
  if (process.getuid?.() !== 0) {
    console.error("Browser tests need Debian's Chromium: run `sudo apt-get install -y chromium` first.");
    process.exit(1);
  }
  run("apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium libxml2-utils");
}
run("npm run build");
run("npm run typecheck");
run("npm run lint");
// The closing "N passed, N failed" line is read from the counts jest.config.js's tally reporter writes,
// so CI sees the count, on failure too (scripts/tally-reporter.cjs says why not jest's --json).
const TALLY = "test-results/tally.json";
mkdirSync("test-results", { recursive: true });
rmSync(TALLY, { force: true }); // never report a previous run
let failed = false;
try {
  run(`npx jest --ci ${process.argv.slice(2).join(" ")}`.trim());
} catch {
  failed = true;
}
const report = existsSync(TALLY) ? JSON.parse(readFileSync(TALLY, "utf8")) : null;
if (report) console.log(`\n${report.numPassedTests} passed, ${report.numFailedTests} failed${report.numPendingTests ? `, ${report.numPendingTests} skipped` : ""}`);
if (failed || !report || report.numFailedTests > 0 || !report.success) process.exit(1);
