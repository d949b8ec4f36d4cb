/**
 * Panel benchmark: the production bundle's size, and the time from updateView to a painted panel
 * with 50 sync events in Debian's Chromium (React and Fluent as the platform provides them).
 * Run: npx tsx bench/panel/panel.bench.ts   (builds the control first if it is missing)
 */
import { execSync } from "node:child_process";
import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { chromium } from "playwright-core";

const ROOT = join(__dirname, "..", "..");
const BUNDLE = join(ROOT, "out", "controls", "CoSellPanel", "bundle.js");
const TARGET_BUNDLE_KB = 30;
const TARGET_RENDER_MS = 50;
const EVENTS = 50;
const RUNS = 7;

export interface BenchResult {
  metric: string;
  value: number;
  unit: string;
  target: string;
  pass: boolean;
}

function ensureBuilt(): void {
  if (existsSync(BUNDLE)) return;
  execSync("npx pcf-scripts build --buildMode production", { cwd: ROOT, stdio: "inherit", env: { ...process.env, PP_TOOLS_TELEMETRY_OPTOUT: "true" } });
}

/** Runs in the page: mounts the control with a fake context whose Web API holds EVENTS events; resolves with ms until they are in the DOM. */
function mountAndTime(events: number): Promise<number> {
  type Win = typeof window & { CoSellCtor: new () => { init(c: unknown, n: () => void): void; updateView(c: unknown): unknown }; ReactDOM: { render(e: unknown, el: Element): void; unmountComponentAtNode(el: Element): void } };
  const w = window as Win;
  const id = "6f1c2f4e-8a55-4c1e-9d1b-1f0a3c2b9e77";
  const rows = Array.from({ length: events }, (_, i) => ({
    cosell_synceventid: `e${i}`,
    cosell_occurredon: new Date(Date.UTC(2025, 0, 1) - i * 60000).toISOString(),
    cosell_direction: 731500201, cosell_trigger: 731500302, cosell_result: 731500400,
    cosell_initiatedby: "Megan Bowen",
    cosell_changes: JSON.stringify([{ field: "Deal value", before: i, after: i + 1, side: "partnerCenter" }, { field: "Close date", before: null, after: "2025-06-30", side: "partnerCenter" }]),
  }));
  const p = (raw: unknown) => ({ raw, security: { editable: true } });
  const context = {
    parameters: {
      syncWithPartnerCenter: p(true), howCanMicrosoftHelp: p(731500002), solutionIds: p("SOL-15974-MQF;SOL-2-AB"),
      referralId: p("r-1"), referralLink: p("https://partner.microsoft.com/dashboard/referrals/v2/r-1"),
      syncStatus: p(731500002), syncError: p(null), lastSyncedOn: p(new Date()),
    },
    mode: { isControlDisabled: false, allocatedWidth: 420, trackContainerResize() {}, contextInfo: { entityId: id, entityTypeName: "opportunity" } },
    userSettings: { languageId: 1033 },
    resources: { getString: (k: string) => k },
    updatedProperties: [] as string[],
    webAPI: {
      retrieveRecord: () => Promise.resolve({ opportunityid: id, name: "Deal", estimatedvalue: 1, estimatedclosedate: "2099-01-01", customerid_account: { accountid: "a", name: "A", address1_country: "DE" }, parentcontactid: { contactid: "c", firstname: "A", lastname: "B", emailaddress1: "a@b.co" }, transactioncurrencyid: { isocurrencycode: "EUR" } }),
      retrieveMultipleRecords: () => Promise.resolve({ entities: rows, nextLink: undefined }),
    },
  };
  const root = document.getElementById("root")!;
  w.ReactDOM.unmountComponentAtNode(root);
  return new Promise((resolve) => {
    const start = performance.now();
    const control = new w.CoSellCtor();
    control.init(context, () => undefined);
    w.ReactDOM.render(control.updateView(context), root);
    const check = (): void => {
      if (root.querySelectorAll("[data-event-id]").length === events) {
        // Wait for the frame that paints them.
        requestAnimationFrame(() => resolve(performance.now() - start));
      } else requestAnimationFrame(check);
    };
    check();
  });
}

export async function runPanelBench(): Promise<BenchResult[]> {
  ensureBuilt();
  const bundleKb = statSync(BUNDLE).size / 1024;
  const browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1024, height: 900 } });
    await page.setContent('<!doctype html><html><body><div id="root" style="width:420px"></div></body></html>');
    const script = (file: string) => page.addScriptTag({ content: readFileSync(file, "utf8") });
    await script(require.resolve("react/umd/react.production.min.js"));
    await script(require.resolve("react-dom/umd/react-dom.production.min.js"));
    await page.evaluate("window.Reactv16 = window.React; window.ReactDOMv16 = window.ReactDOM;");
    await script(join(require.resolve("pcf-start/package.json"), "..", "lib", "fluent_8_29_0.js"));
    // tsx compiles with keepNames: the functions it ships into the page call its __name helper.
    await page.evaluate("window.__name = (f) => f;");
    await page.evaluate("window.ComponentFramework = { registerControl: (name, ctor) => { window.CoSellCtor = ctor; } };");
    await script(BUNDLE);
    const times: number[] = [];
    for (let i = 0; i < RUNS; i++) times.push(await page.evaluate(mountAndTime, EVENTS));
    const first = times[0];
    const median = [...times].sort((a, b) => a - b)[Math.floor(times.length / 2)];
    return [
      { metric: "panel bundle size (production)", value: Number(bundleKb.toFixed(1)), unit: "KB", target: `<= ${TARGET_BUNDLE_KB}`, pass: bundleKb <= TARGET_BUNDLE_KB },
      { metric: `first render with ${EVENTS} events (cold)`, value: Number(first.toFixed(1)), unit: "ms", target: `<= ${TARGET_RENDER_MS}`, pass: first <= TARGET_RENDER_MS },
      { metric: `render with ${EVENTS} events (median of ${RUNS - 1} warm)`, value: Number(median.toFixed(1)), unit: "ms", target: `<= ${TARGET_RENDER_MS}`, pass: median <= TARGET_RENDER_MS },
    ];
  } finally {
    await browser.close();
  }
}

if (require.main === module) {
  runPanelBench().then(
    (results) => {
      for (const r of results) console.log(`${r.pass ? "PASS" : "FAIL"}  ${r.metric}: ${r.value} ${r.unit} (target ${r.target})`);
    },
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}
