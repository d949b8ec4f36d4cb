/**
 * An axe-core scan (the rules behind Microsoft's Accessibility Insights) of what a seller and an
 * admin use, in Debian's Chromium: the Co-sell panel on a synced deal with history and on one with
 * fixes to make, the decline dialog in both languages, the sync health view, and the sandbox page's
 * own views (the opportunity list, the form's fields and ribbon, Partner Center, a dialog). No serious or
 * critical violation may stand; each one found is listed with where it is.
 */
import AxeBuilder from "@axe-core/playwright";
import type { Page } from "playwright-core";
import type { Sandbox } from "../../sandbox/server";
import { openSandbox, sandboxPrerequisite, type SandboxSession } from "./sandbox-session";

const skip = sandboxPrerequisite();
if (skip) console.warn(`Skipping the accessibility scan: ${skip}`);
const maybe = skip ? describe.skip : describe;
const LIVE = { timeout: 20_000 };

/** The serious and critical violations axe finds inside `selector` (but not in `exclude`), each with its rule and the elements. */
async function seriousViolations(page: Page, selector: string | string[], exclude: string[] = []): Promise<string[]> {
  const axe = new AxeBuilder({ page });
  for (const s of [selector].flat()) axe.include(s);
  for (const s of exclude) axe.exclude(s);
  const { violations } = await axe.analyze();
  return violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(" ")).slice(0, 3).join(", ")}`);
}

maybe("accessibility (axe-core in Chromium)", () => {
  let session: SandboxSession;
  let sandbox: Sandbox;
  let page: Page;

  beforeAll(async () => {
    session = await openSandbox();
    ({ sandbox, page } = session);
  }, 60_000);

  afterAll(() => session?.close());

  const open = async (topic: string) => {
    await page.getByRole("navigation", { name: "Opportunities" }).getByRole("button", { name: new RegExp(topic) }).click();
    await page.getByRole("region", { name: "Opportunity form" }).getByRole("heading", { level: 2 }).filter({ hasText: topic }).waitFor(LIVE);
    await page.getByTestId("cosell-panel").getByRole("switch").waitFor(LIVE);
  };

  test("the panel on a synced deal with its history", async () => {
    await open("Contoso data platform modernisation");
    await page.getByTestId("cosell-panel").getByRole("region", { name: "Audit history" }).waitFor(LIVE);
    expect(await seriousViolations(page, '[data-testid="cosell-panel"]')).toEqual([]);
  }, 60_000);

  test("the panel on a deal with fixes to make, sync just turned on", async () => {
    await open("Northwind supply-chain analytics");
    await page.getByTestId("cosell-panel").getByRole("switch", { name: "Sync with Partner Center" }).click();
    await page.getByTestId("cosell-panel").getByRole("alert").waitFor(LIVE);
    expect(await seriousViolations(page, '[data-testid="cosell-panel"]')).toEqual([]);
  }, 60_000);

  test("the sync health view", async () => {
    await page.getByTestId("health").waitFor(LIVE);
    expect(await seriousViolations(page, 'section[aria-label="Sync health"]')).toEqual([]);
  }, 60_000);

  test("the sandbox page's own views: header, opportunity list, the form's fields and ribbon, Partner Center", async () => {
    await open("Contoso data platform modernisation");
    const pc = page.getByRole("region", { name: "Partner Center" });
    await pc.getByRole("button", { name: "New incoming co-sell referral" }).click();
    await pc.getByRole("group", { name: "New incoming co-sell referral" }).waitFor(LIVE);
    // The panel has its own scans above; this one is about what the sandbox draws around it.
    expect(await seriousViolations(page, ["header", ".opportunities", 'section[aria-label="Opportunity form"]', 'section[aria-label="Partner Center"]'], ['[data-testid="cosell-panel"]'])).toEqual([]);
  }, 60_000);

  test("the page's Close as lost dialog", async () => {
    await page.getByRole("region", { name: "Opportunity form" }).getByRole("button", { name: "Close as lost" }).click();
    const dialog = page.getByRole("dialog", { name: "Close opportunity as lost" });
    await dialog.getByRole("combobox", { name: /^Lost reason/ }).waitFor(LIVE);
    expect(await seriousViolations(page, ".ms-Dialog")).toEqual([]);
    await dialog.getByRole("button", { name: "Cancel" }).click();
    await dialog.waitFor({ state: "detached", ...LIVE });
  }, 60_000);

  test("the scan finds a planted violation (it is not a scan that cannot fail)", async () => {
    await page.evaluate(() => {
      const button = document.createElement("button"); // no name: axe's button-name, critical
      button.id = "planted";
      document.querySelector('[data-testid="cosell-panel"]')!.append(button);
    });
    expect(await seriousViolations(page, '[data-testid="cosell-panel"]')).toEqual([expect.stringMatching(/^button-name \(critical\).*#planted/)]);
    await page.evaluate(() => document.getElementById("planted")!.remove());
  }, 60_000);

  test.each([["English", 1033], ["Korean", 1042]])("the decline dialog in %s", async (_, lcid) => {
    const dialog = await page.context().newPage();
    await dialog.goto(`${sandbox.url}/webresources/cosell_/declinedialog.html?data=${lcid}&userlcid=${lcid}`);
    await dialog.getByRole("radiogroup").waitFor(LIVE);
    expect(await seriousViolations(dialog, "body")).toEqual([]);
    await dialog.close();
  }, 60_000);
});
