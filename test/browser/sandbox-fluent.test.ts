/**
 * The sandbox page's own views are Fluent 8, the platform's one copy that the Co-sell panel also
 * uses (so the page and the panel look alike, under one theme), in Debian's Chromium.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Locator, Page } from "playwright-core";
import { OPPORTUNITY_COLUMNS, closeReasonValue } from "../../sync/schema/dynamics";
import { CLOSE_REASONS } from "../../sync/schema/referral";
import { PLATFORM_GLOBALS } from "../../sandbox/server";
import { ROOT } from "./panel-harness";
import { openSandbox, sandboxPrerequisite, type SandboxSession } from "./sandbox-session";

const skip = sandboxPrerequisite();
if (skip) console.warn(`Skipping the sandbox Fluent test: ${skip}`);
const maybe = skip ? describe.skip : describe;
const LIVE = { timeout: 20_000 };
const FLUENT_VERSION = (JSON.parse(readFileSync(join(ROOT, "node_modules/@fluentui/react/package.json"), "utf8")) as { version: string }).version;
const FLUENT_GLOBAL = PLATFORM_GLOBALS["@fluentui/react"];

/**
 * True when the React component that rendered the element (or one of its owners) is `exportName`
 * of the Fluent module on window[global]: the element was drawn by that copy of Fluent, not another.
 */
function renderedBy(locator: Locator, global: string, exportName: string): Promise<boolean> {
  return locator.evaluate((el, [g, name]) => {
    const component = (window as unknown as Record<string, Record<string, unknown>>)[g]?.[name];
    const key = Object.keys(el).find((k) => k.startsWith("__reactInternalInstance$"));
    type Fiber = { type: unknown; return: Fiber | null };
    for (let f = key ? (el as unknown as Record<string, Fiber>)[key] : null; f; f = f.return) if (component && f.type === component) return true;
    return false;
  }, [global, exportName] as const);
}

maybe("the sandbox page in Fluent UI 8", () => {
  let session: SandboxSession;
  let page: Page;

  beforeAll(async () => {
    session = await openSandbox();
    page = session.page;
  }, 60_000);

  afterAll(() => session?.close());

  const form = () => page.getByRole("region", { name: "Opportunity form" });
  const open = async (topic: string) => {
    await page.getByRole("navigation", { name: "Opportunities" }).getByRole("button", { name: new RegExp(topic) }).click();
    await form().getByRole("heading", { level: 2 }).filter({ hasText: topic }).waitFor(LIVE);
    await page.locator(".form[aria-busy='true']").waitFor({ state: "detached", ...LIVE });
  };
  const within = (locator: Locator, selector: string) => locator.evaluate((el, s) => el.closest(s) !== null, selector);

  test("the form's fields, ribbon, list and the other views are Fluent controls", async () => {
    await open("Contoso data platform modernisation");
    expect(await within(form().getByLabel("Topic"), ".ms-TextField")).toBe(true);
    expect(await within(form().getByLabel("Est. revenue"), ".ms-TextField")).toBe(true);
    expect(await within(form().getByLabel("Est. close date"), ".ms-TextField")).toBe(true);
    expect(await within(form().getByLabel("Description"), ".ms-TextField--multiline")).toBe(true);
    expect(await form().getByRole("combobox", { name: /^Customer \(account\) Contoso Pharmaceuticals/ }).getAttribute("class")).toMatch(/\bms-Dropdown\b/);
    expect(await form().getByRole("button", { name: "Save", exact: true }).getAttribute("class")).toMatch(/\bms-Button--commandBar\b/);
    expect(await form().getByRole("toolbar", { name: "Command bar" }).count()).toBe(1);
    expect(await page.getByRole("button", { name: "New opportunity" }).getAttribute("class")).toMatch(/\bms-Button--primary\b/);
    expect(await within(page.getByRole("navigation", { name: "Opportunities" }), ".ms-Nav")).toBe(true);
    expect(await within(page.getByRole("grid", { name: "Referrals" }), ".ms-DetailsList")).toBe(true);
    expect(await page.getByRole("combobox", { name: /^Language/ }).getAttribute("class")).toMatch(/\bms-Dropdown\b/);
    await expect(renderedBy(page.getByRole("button", { name: "Make the Partner Center sign-in expire" }), FLUENT_GLOBAL, "DefaultButton")).resolves.toBe(true);
  }, 60_000);

  test("one copy of Fluent on the page: the page's own fields and the panel are drawn by the platform's module", async () => {
    await open("Contoso data platform modernisation");
    // Fluent records its version on window once per copy loaded (@fluentui/set-version).
    expect(await page.evaluate(() => (window as unknown as { __packages__: Record<string, string[]> }).__packages__["@fluentui/react"])).toEqual([FLUENT_VERSION]);
    // The alias the page is bundled against is the module the platform gives the panel (both aliases, one module).
    expect(await page.evaluate(() => (window as unknown as Record<string, unknown>).FluentUIReactv8290 === (window as unknown as Record<string, unknown>).FluentUIReactv81211)).toBe(true);
    expect(await renderedBy(form().getByLabel("Topic"), FLUENT_GLOBAL, "TextField")).toBe(true);
    expect(await renderedBy(form().getByRole("combobox", { name: /^Currency/ }), FLUENT_GLOBAL, "Dropdown")).toBe(true);
    expect(await renderedBy(page.getByTestId("cosell-panel").getByRole("switch"), FLUENT_GLOBAL, "Toggle")).toBe(true);
    // The check can fail: an element of plain HTML is not drawn by Fluent's TextField.
    expect(await renderedBy(page.getByRole("heading", { name: "Co-sell Connector sandbox" }), FLUENT_GLOBAL, "TextField")).toBe(false);
    // And the page's bundle carries no Fluent code of its own (its class names live in platform.js only).
    const [app, platform] = await Promise.all(["/app.js", "/platform.js"].map((p) => page.evaluate(async (u) => (await fetch(u)).text(), p)));
    expect(app).not.toContain("ms-TextField");
    expect(platform).toContain("ms-TextField");
  }, 60_000);

  test("Close as lost asks for the reason in a dialog; Cancel keeps the deal open, the chosen reason is saved as the deal closes", async () => {
    await open("Tailspin e-commerce replatform");
    await form().getByRole("button", { name: "Close as lost" }).click();
    // Fluent's dialog element itself has no height (its content is fixed-positioned): act on what is inside it.
    const dialog = page.getByRole("dialog", { name: "Close opportunity as lost" });
    await dialog.getByRole("button", { name: "Cancel" }).click(LIVE);
    await dialog.waitFor({ state: "detached", ...LIVE });
    expect(await page.getByTestId("opportunity-state").innerText()).toBe("Open");

    await form().getByRole("button", { name: "Close as lost" }).click();
    const reason = CLOSE_REASONS.find((r) => r.code === 5)!;
    await dialog.getByRole("combobox", { name: /^Lost reason/ }).click();
    await page.getByRole("option", { name: reason.text }).click();
    const patch = page.waitForResponse((r) => r.request().method() === "PATCH" && /opportunities\(/.test(r.url()), LIVE);
    await dialog.getByRole("button", { name: "Close as lost" }).click();
    expect((await patch).request().postDataJSON()).toEqual({ [OPPORTUNITY_COLUMNS.closeReason]: closeReasonValue(reason.code) });
    await page.getByTestId("opportunity-state").filter({ hasText: "Lost" }).waitFor(LIVE);
    // A closed deal opens read-only, as in Dynamics.
    expect(await form().getByLabel("Topic").isDisabled()).toBe(true);
  }, 60_000);

  test("a narrow window stacks the views: no horizontal scroll at 720 px", async () => {
    await page.setViewportSize({ width: 720, height: 1000 });
    await page.waitForTimeout(500);
    const scroll = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    await page.screenshot({ path: join(ROOT, "test-results", "sandbox-720px.png"), fullPage: true });
    await page.setViewportSize({ width: 1500, height: 1100 });
    expect(scroll).toBe(0);
  }, 60_000);
});
