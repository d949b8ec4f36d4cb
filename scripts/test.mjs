// The one test command: makes sure Debian's Chromium is there (browser tests drive it), builds
// the product, type-checks and lints, then runs every jest test (unit, integration, browser).
import { execSync } from "node:child_process";
import { existsSync } from "node:fs";

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
run(`npx jest --ci ${process.argv.slice(2).join(" ")}`.trim());
