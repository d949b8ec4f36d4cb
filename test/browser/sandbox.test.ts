/**
 * The sandbox in Debian Chromium: both scenarios of the product, clicked through the page as a
 * seller and a Microsoft seller would, against the emulators and the real service, panel bundle
 * and ribbon web resource. Screenshots are kept in test-results/.
 */
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Browser, Locator, Page } from "playwright-core";
import { startSandbox, type Sandbox } from "../../sandbox/server";
import { launchChromium, missingPrerequisite, ROOT } from "./panel-harness";

const ribbonBuilt = existsSync(join(ROOT, "out/webresources/cosell_/ribbon.js"));
const skip = missingPrerequisite() ?? (ribbonBuilt ? null : "out/webresources/cosell_/ribbon.js is not built: run npm run build");
if (skip) console.warn(`Skipping the sandbox browser test: ${skip}`);
const maybe = skip ? describe.skip : describe;

const ARTIFACTS = join(ROOT, "test-results");
// The page shows a change within a second or two; the margin is for a loaded CI machine running other suites.
const LIVE = { timeout: 20_000 };

maybe("sandbox in Chromium", () => {
  let sandbox: Sandbox;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    sandbox = await startSandbox({ port: 0, dataDir: null, reconcileIntervalMs: 60_000 });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1500, height: 1100 } });
    page.on("pageerror", (e) => console.error(`page error: ${e.message}`));
    await page.goto(`${sandbox.url}/`);
    await page.getByRole("navigation", { name: "Opportunities" }).waitFor();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await sandbox?.stop();
  });

  const form = () => page.getByRole("region", { name: "Opportunity form" });
  const panel = () => page.getByTestId("cosell-panel");
  const referralRow = (name: string): Locator => page.getByRole("table", { name: "Referrals" }).getByRole("row").filter({ hasText: name });
  const openOpportunity = (name: string) => page.getByRole("navigation", { name: "Opportunities" }).getByRole("button", { name: new RegExp(name) }).click();
  const shot = (name: string) => page.screenshot({ path: join(ARTIFACTS, `sandbox-${name}.png`), fullPage: true });
  /** Waits for the panel's sync status to read exactly `status` ("Synced" must not match "Not synced"). */
  const expectStatus = async (status: string): Promise<void> => {
    try {
      await panel().getByText(status, { exact: true }).first().waitFor(LIVE);
    } catch (e) {
      await shot(`failed-status-${status.replace(/\W+/g, "-")}`);
      const seen = (await panel().innerText()).split("\n").slice(0, 4).join(" | ");
      const errors = await page.locator(".error").allInnerTexts();
      throw new Error(`panel status is not "${status}": ${seen}; page errors: ${JSON.stringify(errors)}\n${(e as Error).message}`);
    }
  };
  /** Waits for text to appear (the page polls both sides once a second); on a miss, keeps a screenshot. */
  const expectText = async (locator: Locator, text: string): Promise<void> => {
    try {
      await locator.filter({ hasText: text }).first().waitFor(LIVE);
    } catch (e) {
      await shot(`failed-${text.replace(/\W+/g, "-")}`);
      throw e;
    }
  };

  /** Fills the new-opportunity form for Contoso Pharmaceuticals / Avery Howard in USD and saves it. */
  const createOpportunity = async (topic: string, revenue: number, closeInDays: number): Promise<void> => {
    await page.getByRole("button", { name: "+ New opportunity" }).click();
    await form().getByLabel("Topic").fill(topic);
    await form().getByLabel("Customer (account)").selectOption({ label: "Contoso Pharmaceuticals" });
    await form().getByLabel("Contact").selectOption({ label: "Avery Howard" });
    await form().getByLabel("Est. revenue").fill(String(revenue));
    await form().getByLabel("Currency").selectOption({ label: "USD" });
    await form().getByLabel("Est. close date").fill(new Date(Date.now() + closeInDays * 86_400_000).toISOString().slice(0, 10));
    await form().getByRole("button", { name: "Save", exact: true }).click();
  };

  test("scenario 1: create → share → edit deal value → won", async () => {
    await createOpportunity("Woodgrove bank AI assistant", 120000, 40);
    await expectText(form().getByRole("heading", { level: 2 }), "Woodgrove bank AI assistant");

    // Share: turn on sync in the panel, add a solution, save.
    await panel().getByRole("switch", { name: /Sync with Partner Center/ }).click();
    const solution = panel().getByRole("textbox").last();
    await solution.fill("SOL-15974-MQF");
    await solution.press("Enter");
    await form().getByRole("button", { name: "Save", exact: true }).click();

    await expectStatus("Synced");
    const link = panel().getByRole("link", { name: /Open in Partner Center/ });
    await expectText(link, "Open in Partner Center");
    expect(await link.getAttribute("href")).toMatch(/^https:\/\/partner\.microsoft\.com\//);
    await expectText(referralRow("Woodgrove bank AI assistant"), "Active/Accepted");
    await expectText(referralRow("Woodgrove bank AI assistant"), "120000 USD");
    await shot("1-shared");

    // Edit the deal value: it reaches Partner Center.
    await form().getByLabel("Est. revenue").fill("150000");
    await form().getByRole("button", { name: "Save", exact: true }).click();
    await expectText(referralRow("Woodgrove bank AI assistant"), "150000 USD");

    // Won in Dynamics closes the referral as Won.
    await form().getByRole("button", { name: "Close as won" }).click();
    await expectText(page.getByTestId("opportunity-state"), "Won");
    await expectText(referralRow("Woodgrove bank AI assistant"), "Closed/Won");
    await expectText(panel(), "Record saved");
    await shot("1-won");
  }, 90_000);

  test("scenario 2: incoming referral → accept → Microsoft updates → decline another", async () => {
    const pc = page.getByRole("region", { name: "Partner Center" });
    const sendIncoming = async (name: string) => {
      const details = pc.locator("details");
      if (!(await details.evaluate((d) => (d as HTMLDetailsElement).open))) await details.locator("summary").click();
      await pc.getByLabel("Incoming name").fill(name);
      await pc.getByRole("button", { name: "Send referral to partner" }).click();
    };

    await sendIncoming("Fabrikam cloud migration");
    const nav = page.getByRole("navigation", { name: "Opportunities" });
    await expectText(nav.getByRole("button", { name: /Fabrikam cloud migration/ }), "Awaiting your response");
    await openOpportunity("Fabrikam cloud migration");
    await expectStatus("Awaiting your response");
    await shot("2-incoming");

    await form().getByRole("button", { name: "Accept referral" }).click();
    await expectText(referralRow("Fabrikam cloud migration"), "Active/Accepted");
    await expectStatus("Synced");

    // Microsoft's seller changes the deal value: the opportunity shows it without a reload.
    await referralRow("Fabrikam cloud migration").click();
    await pc.getByLabel("New deal value").fill("95000");
    await pc.getByRole("button", { name: "Update referral" }).click();
    await page.waitForFunction(() => {
      const input = [...document.querySelectorAll("label")].find((l) => l.textContent?.startsWith("Est. revenue"))?.querySelector("input");
      return input?.value === "95000";
    }, undefined, LIVE);
    await shot("2-accepted-updated");

    // Another referral, declined with a reason from the dialog web resource.
    await sendIncoming("Fabrikam security review");
    await expectText(nav.getByRole("button", { name: /Fabrikam security review/ }), "Awaiting your response");
    await openOpportunity("Fabrikam security review");
    await form().getByRole("button", { name: "Decline referral" }).click();
    const dialog = page.frameLocator('iframe[title="Decline referral"]');
    await dialog.getByLabel("Customer chose another vendor").check();
    await dialog.getByRole("button", { name: "Decline referral" }).click();
    await expectText(referralRow("Fabrikam security review"), "Closed/Declined");
    await expectText(page.getByTestId("opportunity-state"), "Lost");
    await shot("2-declined");
  }, 90_000);

  test("a referral visibility chosen in the panel is saved to Dataverse and read back after a reload", async () => {
    const visibility = () => panel().getByRole("combobox", { name: "Referral visibility" });
    await openOpportunity("Tailspin e-commerce replatform");
    await expectText(form().getByRole("heading", { level: 2 }), "Tailspin e-commerce replatform");
    expect(await visibility().inputValue()).toBe("731500020"); // no value: visible
    await visibility().selectOption({ label: "Private (not shared with Microsoft sellers)" });
    await expectText(panel(), "Microsoft sellers will not see this referral");
    const saved = page.waitForResponse((r) => r.request().method() === "PATCH" && /opportunities\(/.test(r.url()), LIVE);
    await form().getByRole("button", { name: "Save", exact: true }).click();
    const patch = await saved;
    expect(patch.ok()).toBe(true);
    expect(patch.request().postDataJSON()).toEqual({ cosell_referralvisibility: 731500021 });

    await page.reload();
    await page.getByRole("navigation", { name: "Opportunities" }).waitFor();
    await openOpportunity("Tailspin e-commerce replatform");
    await expectText(form().getByRole("heading", { level: 2 }), "Tailspin e-commerce replatform");
    await page.waitForFunction(() => (document.querySelector("#cosell-visibility") as HTMLSelectElement | null)?.value === "731500021", undefined, LIVE);
    await expectText(panel(), "Microsoft sellers will not see this referral");
    await shot("4-private");
  }, 90_000);

  test("a private deal with a GUID solution id: shared as private, and Microsoft's GUID solutions come back", async () => {
    const guid = "3f2504e0-4f89-11d3-9a0c-0305e82c3301";
    const pc = page.getByRole("region", { name: "Partner Center" });
    await createOpportunity("Margie's Travel booking portal", 64000, 50);
    // The first save makes the record: the form reopens it (as Dynamics does) before the seller goes on.
    await expectText(page.getByRole("navigation", { name: "Opportunities" }).getByRole("button", { name: /Margie's Travel booking portal/ }), "Not synced");
    await expectText(form().getByRole("heading", { level: 2 }), "Margie's Travel booking portal");

    await panel().getByRole("combobox", { name: "Referral visibility" }).selectOption({ label: "Private (not shared with Microsoft sellers)" });
    await expectText(panel(), "Microsoft sellers will not see this referral");
    await panel().getByRole("switch", { name: /Sync with Partner Center/ }).click();
    const solution = panel().getByRole("textbox").last();
    await solution.fill(guid);
    await solution.press("Enter");
    // The id is a chip before the seller saves (a save racing the chip's commit would send without it).
    await expectText(panel().getByRole("listitem").filter({ hasText: guid }), guid);
    const saved = page.waitForResponse((r) => r.request().method() === "PATCH" && /opportunities\(/.test(r.url()), LIVE);
    await form().getByRole("button", { name: "Save", exact: true }).click();
    expect((await saved).request().postDataJSON()).toMatchObject({ cosell_referralvisibility: 731500021, cosell_solutionids: guid, cosell_syncwithpartnercenter: true });
    await expectStatus("Synced");
    await referralRow("Margie's Travel booking portal").click();
    await expectText(pc.getByTestId("referral-sharing"), "Private: not shared with Microsoft sellers");

    // Microsoft's side sends the first GUID back in upper case with a second one: both show, no problem listed.
    const second = "9b2e6c1a-7d44-4f0e-a1c3-5e8f2d6b4a90";
    await pc.getByLabel("Microsoft solution IDs").fill(`${guid.toUpperCase()}; ${second.toUpperCase()}`);
    await pc.getByRole("button", { name: "Update referral" }).click();
    await expectText(panel(), second);
    await expectStatus("Synced");
    expect(await panel().getByText(guid, { exact: true }).count()).toBe(1);
    await shot("5-private-guid");
  }, 90_000);

  test("an expired Partner Center sign-in shows in the panel and in sync health, and Sync now recovers", async () => {
    const health = page.getByRole("region", { name: "Sync health" });
    await health.getByRole("button", { name: "Make the Partner Center sign-in expire" }).click();
    await expectText(health, "expired");

    await openOpportunity("Contoso data platform modernisation");
    await panel().getByRole("switch", { name: /Sync with Partner Center/ }).click();
    await form().getByRole("button", { name: "Save", exact: true }).click();
    await expectStatus("Sign-in expired");
    await expectText(panel(), "Ask your admin");
    await shot("3-sign-in-expired");

    await health.getByRole("button", { name: "Sign in to Partner Center again" }).click();
    await expectText(health, "healthy");
    await form().getByRole("button", { name: "Sync now" }).click();
    await expectStatus("Synced");
    await expectText(referralRow("Contoso data platform modernisation"), "Active/Accepted");
  }, 90_000);
});
