/**
 * The sandbox in Debian's Chromium for a browser test file: whether it can run here, and a started
 * sandbox with a page open on it (from its own browser context, which axe needs to inject itself).
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { startSandbox, type Sandbox } from "../../sandbox/server";
import { launchChromium, missingPrerequisite, ROOT } from "./panel-harness";

/** Why the sandbox's browser tests cannot run here, or null when they can. */
export function sandboxPrerequisite(): string | null {
  const ribbonBuilt = existsSync(join(ROOT, "out/webresources/cosell_/ribbon.js"));
  return missingPrerequisite() ?? (ribbonBuilt ? null : "out/webresources/cosell_/ribbon.js is not built: run npm run build");
}

export interface SandboxSession {
  sandbox: Sandbox;
  browser: Browser;
  page: Page;
  close(): Promise<void>;
}

/** A fresh in-memory sandbox and its page, loaded and showing the opportunity list. */
export async function openSandbox(): Promise<SandboxSession> {
  const sandbox = await startSandbox({ port: 0, dataDir: null, reconcileIntervalMs: 60_000 });
  const browser = await launchChromium();
  const page = await (await browser.newContext({ viewport: { width: 1500, height: 1100 } })).newPage();
  page.on("pageerror", (e) => console.error(`page error: ${e.message}`));
  await page.goto(`${sandbox.url}/`);
  await page.getByRole("navigation", { name: "Opportunities" }).waitFor();
  return {
    sandbox, browser, page,
    close: async () => {
      await browser.close();
      await sandbox.stop();
    },
  };
}
