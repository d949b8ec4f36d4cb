/**
 * The PCF test harness (pcf-start's page and harness.js) served for a built control, offline:
 * the same browser-sync setup pcf-start uses, but bound to 127.0.0.1, with no live reload, no
 * watcher and no browser of its own; React's UMD files come from node_modules instead of unpkg.com.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { Browser, Page } from "playwright-core";

export const ROOT = join(__dirname, "..", "..");
export const PANEL_OUT = join(ROOT, "out", "controls", "CoSellPanel");
export const HARNESS_PORT = 8181;
export const CHROMIUM = "/usr/bin/chromium";
export const CHROMIUM_ARGS = [
  "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
  "--disable-sync", "--no-first-run",
];

/** Why the browser test cannot run here, or null when it can. */
export function missingPrerequisite(): string | null {
  if (!existsSync(join(PANEL_OUT, "bundle.js"))) return `${join(PANEL_OUT, "bundle.js")} does not exist: run \`npm run build:controls\` first`;
  if (!existsSync(CHROMIUM)) return `${CHROMIUM} is missing: apt-get install chromium`;
  return null;
}

export interface Harness {
  url: string;
  stop(): Promise<void>;
}

/** The slice of browser-sync (pcf-start's server; it ships no types) used here. */
interface BrowserSync {
  create(name: string): { init(options: Record<string, unknown>, done: (error?: Error) => void): void; exit(): void };
}

export async function startHarness(codePath = PANEL_OUT): Promise<Harness> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const browserSync = require("browser-sync") as BrowserSync;
  const pcfStart = dirname(require.resolve("pcf-start/package.json"));
  const bs = browserSync.create(`cosell-panel-${process.pid}-${Date.now()}`);
  await new Promise<void>((resolve, reject) => {
    bs.init(
      {
        online: false, port: HARNESS_PORT, listen: "127.0.0.1", open: false, notify: false, ui: false,
        snippet: false, watch: false, logLevel: "silent",
        server: { baseDir: codePath, routes: { "/": pcfStart } },
      },
      (error) => (error ? reject(error) : resolve()),
    );
  });
  return {
    url: `http://127.0.0.1:${HARNESS_PORT}/`,
    stop: async () => bs.exit(),
  };
}

const UMD: Record<string, string> = {
  "react.development.js": require.resolve("react/umd/react.development.js"),
  "react-dom.development.js": require.resolve("react-dom/umd/react-dom.development.js"),
};

/**
 * Serves unpkg's React files from node_modules and refuses every other request off this machine.
 * The harness merges every .resx it finds (the last one, Korean, wins) where a real form loads only
 * the user's language: the English file is served for both, so the page reads as an English user's.
 */
export async function routeOffline(page: Page): Promise<void> {
  await page.route("**/*", async (route) => {
    const url = new URL(route.request().url());
    if (url.hostname === "127.0.0.1" || url.hostname === "localhost") return route.continue();
    const file = url.hostname === "unpkg.com" ? UMD[url.pathname.split("/").pop() ?? ""] : undefined;
    if (file) return route.fulfill({ status: 200, contentType: "application/javascript", body: readFileSync(file, "utf8") });
    return route.abort("blockedbyclient");
  });
  // Registered last so it is asked first (Playwright runs matching routes newest first).
  await page.route("**/strings/CoSellPanel.1042.resx", (route) =>
    route.fulfill({ status: 200, contentType: "text/xml", body: readFileSync(join(PANEL_OUT, "strings", "CoSellPanel.1033.resx"), "utf8") }),
  );
}

export async function launchChromium(): Promise<Browser> {
  const { chromium } = await import("playwright-core");
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
}
