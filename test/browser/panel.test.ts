/**
 * The real production bundle in the PCF test harness, in Debian's Chromium: turn sync on, add a
 * solution ID, keep a screenshot in test-results/.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Browser, Frame, Page } from "playwright-core";
import { launchChromium, missingPrerequisite, ROOT, routeOffline, startHarness, type Harness } from "./panel-harness";

const skip = missingPrerequisite();
if (skip) console.warn(`Skipping the panel browser test: ${skip}`);
const maybe = skip ? describe.skip : describe;

/** The harness renders the control inside its own page; find the frame that holds the panel. */
async function panelFrame(page: Page): Promise<Frame> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    for (const frame of page.frames()) {
      if (await frame.getByRole("switch", { name: "Sync with Partner Center" }).count()) return frame;
    }
    await page.waitForTimeout(200);
  }
  throw new Error("The panel never rendered in the harness");
}

maybe("Co-sell panel in the PCF test harness (Chromium)", () => {
  let harness: Harness;
  let browser: Browser;

  beforeAll(async () => {
    harness = await startHarness();
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await harness?.stop();
  });

  it("turns sync on and adds a solution ID", async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    page.on("dialog", (d) => void d.dismiss());
    await routeOffline(page);
    await page.goto(harness.url);

    const panel = await panelFrame(page);
    // Without a record and a Web API the panel shows its empty states, not errors.
    await panel.getByText("The history appears once the record is saved.").waitFor();

    const toggle = panel.getByRole("switch", { name: "Sync with Partner Center" });
    const before = await toggle.getAttribute("aria-checked");
    await toggle.click();
    await expectAttribute(() => toggle.getAttribute("aria-checked"), before === "true" ? "false" : "true");

    const input = panel.getByRole("textbox", { name: "Add a solution ID" });
    await input.fill("not-an-id");
    await input.press("Enter");
    await panel.getByText(/is not a solution ID/).waitFor();
    await input.fill("SOL-15974-MQF");
    await input.press("Enter");
    await panel.getByRole("button", { name: "Remove SOL-15974-MQF" }).waitFor();
    expect(await input.inputValue()).toBe("");

    // The harness page is not a Dynamics form: its body font is the browser's default. The panel's own
    // text (headings, hints, chips) still reads in the theme's Segoe UI, at most semibold, as the form's fields.
    const faces = await panel.locator("section :is(h3, p, strong, li)").evaluateAll((els) =>
      [...new Set(els.map((el) => `${getComputedStyle(el).fontFamily.split(",")[0]} ${getComputedStyle(el).fontWeight}`))]);
    expect(faces.length).toBeGreaterThan(0);
    for (const face of faces) expect(face).toMatch(/^"Segoe UI" (400|600)$/);

    mkdirSync(join(ROOT, "test-results"), { recursive: true });
    await page.screenshot({ path: join(ROOT, "test-results", "panel-harness.png"), fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);
});

async function expectAttribute(read: () => Promise<string | null>, expected: string): Promise<void> {
  const deadline = Date.now() + 5_000;
  let last: string | null = null;
  while (Date.now() < deadline) {
    last = await read();
    if (last === expected) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  expect(last).toBe(expected);
}
