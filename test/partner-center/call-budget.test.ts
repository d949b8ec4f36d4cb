import { http, HttpResponse } from "msw";
import { CallBudget, type CallBudgetWarning } from "../../sync/partner-center/call-budget";
import { WebhooksClient } from "../../sync/partner-center/webhooks-client";
import { staticTokenProvider } from "../../sync/partner-center/auth-types";
import { TOKEN, client, coSellReferral, startEmulator } from "./fixtures";

const BASE = "https://api.partner.microsoft.com/v1.0/engagements/referrals";

function budgetAt(start: string, options: { dailyBudget?: number; warnAt?: number } = {}) {
  let clock = new Date(start);
  const warnings: CallBudgetWarning[] = [];
  const budget = new CallBudget({ ...options, now: () => clock, onWarning: (w) => void warnings.push(w) });
  return {
    budget,
    warnings,
    setClock: (iso: string) => void (clock = new Date(iso)),
    calls: (n: number, kind: "read" | "write" = "write") => {
      for (let i = 0; i < n; i++) budget.record(kind);
    },
  };
}

describe("CallBudget", () => {
  test("counts reads and writes apart, the total against the default budget of 10,000", () => {
    const { budget, calls } = budgetAt("2030-03-04T10:00:00Z");
    calls(3, "read");
    calls(2, "write");
    expect(budget.snapshot()).toEqual({
      day: "2030-03-04",
      reads: 3,
      writes: 2,
      total: 5,
      dailyBudget: 10_000,
      warnAtCalls: 8_000,
      percentUsed: 0,
      remaining: 9_995,
      state: "ok",
      resetsAt: "2030-03-05T00:00:00.000Z",
    });
  });

  test("warns once when the threshold is crossed, with the counts in words", () => {
    const { budget, warnings, calls } = budgetAt("2030-03-04T10:00:00Z");
    calls(7_999, "read");
    expect(warnings).toEqual([]);
    calls(13, "write");
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ level: "threshold", day: "2030-03-04", total: 8_000, dailyBudget: 10_000 });
    expect(warnings[0].message).toBe(
      "Partner Center calls today: 8,000 of 10,000 (80%) — approaching the daily budget (7,999 reads, 1 write); the count resets at 00:00 UTC",
    );
    expect(budget.snapshot()).toMatchObject({ total: 8_012, percentUsed: 80, state: "warning" });
  });

  test("warns once more at 100% and never blocks or warns again that day", () => {
    const { budget, warnings, calls } = budgetAt("2030-03-04T23:00:00Z", { dailyBudget: 100, warnAt: 0.5 });
    calls(99);
    expect(warnings.map((w) => w.level)).toEqual(["threshold"]);
    calls(1);
    expect(warnings.map((w) => w.level)).toEqual(["threshold", "exhausted"]);
    expect(warnings[1].message).toBe(
      "Partner Center calls today: 100 of 100 (100%) — the daily budget is used up; calls continue, but Partner Center may throttle them until 00:00 UTC",
    );
    calls(50);
    expect(warnings).toHaveLength(2);
    expect(budget.snapshot()).toMatchObject({ total: 150, remaining: 0, percentUsed: 150, state: "exhausted" });
  });

  test("a new UTC day starts from zero and may warn again", () => {
    const { budget, warnings, calls, setClock } = budgetAt("2030-03-04T23:59:59Z", { dailyBudget: 10, warnAt: 0.8 });
    calls(10);
    expect(warnings.map((w) => w.day)).toEqual(["2030-03-04", "2030-03-04"]);

    // Midnight UTC, whatever the local time zone says.
    setClock("2030-03-05T00:00:00Z");
    expect(budget.snapshot()).toMatchObject({ day: "2030-03-05", reads: 0, writes: 0, total: 0, state: "ok", resetsAt: "2030-03-06T00:00:00.000Z" });
    calls(8, "read");
    expect(warnings.map((w) => `${w.day} ${w.level}`)).toEqual(["2030-03-04 threshold", "2030-03-04 exhausted", "2030-03-05 threshold"]);
  });

  test("with the threshold at 100% there is one warning, not two", () => {
    const { warnings, calls } = budgetAt("2030-03-04T10:00:00Z", { dailyBudget: 5, warnAt: 1 });
    calls(5);
    expect(warnings.map((w) => w.level)).toEqual(["exhausted"]);
  });

  test("a warning sink that throws does not fail the count", () => {
    const budget = new CallBudget({ dailyBudget: 1, onWarning: () => { throw new Error("log sink down"); } });
    expect(() => budget.record("write")).not.toThrow();
    expect(budget.snapshot().total).toBe(1);
  });

  test("bad settings are refused with what and why", () => {
    expect(() => new CallBudget({ dailyBudget: 0 })).toThrow(/dailyBudget must be a whole number of calls ≥ 1; got 0/);
    expect(() => new CallBudget({ dailyBudget: 2.5 })).toThrow(/dailyBudget/);
    expect(() => new CallBudget({ warnAt: 80 })).toThrow(/warnAt must be a share of the budget in \(0, 1\], e.g. 0.8 for 80%; got 80/);
    expect(() => new CallBudget({ warnAt: 0 })).toThrow(/warnAt/);
    expect(() => new CallBudget({ warnAt: Number.NaN })).toThrow(/warnAt/);
  });
});

describe("the Partner Center clients count against the budget", () => {
  const { emulator, server } = startEmulator({ now: () => new Date("2030-03-04T10:00:00Z") });
  beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
  afterEach(() => {
    server.resetHandlers();
    server.events.removeAllListeners();
    emulator.reset();
    emulator.faults.clear();
  });
  afterAll(() => server.close());

  test("every request sent is counted, GETs as reads and the rest as writes", async () => {
    const { budget } = budgetAt("2030-03-04T10:00:00Z");
    const c = client({ budget });
    const { referral, eTag } = await c.create(coSellReferral());
    await c.get(referral.id);
    await c.patch(referral.id, [{ op: "replace", path: "/details/notes", value: "x" }], eTag);
    await c.list();
    expect(budget.snapshot()).toMatchObject({ reads: 2, writes: 2, total: 4 });
  });

  test("retries are calls too: each attempt is counted", async () => {
    const { budget } = budgetAt("2030-03-04T10:00:00Z");
    server.use(http.get(BASE, () => HttpResponse.json({ error: { code: "serviceNotAvailable", message: "busy" } }, { status: 503 }), { once: true }));
    let sent = 0;
    server.events.on("request:start", () => void sent++);
    await client({ budget }).list();
    expect(sent).toBe(2);
    expect(budget.snapshot()).toMatchObject({ reads: 2, writes: 0 });
  });

  test("calls past the budget still go out, and the warnings name the count", async () => {
    const { budget, warnings } = budgetAt("2030-03-04T10:00:00Z", { dailyBudget: 3, warnAt: 0.6 });
    const c = client({ budget });
    for (let i = 0; i < 5; i++) await expect(c.list()).resolves.toMatchObject({ value: [] });
    expect(warnings.map((w) => w.message.split(" — ")[0])).toEqual([
      "Partner Center calls today: 2 of 3 (66%)",
      "Partner Center calls today: 3 of 3 (100%)",
    ]);
    expect(budget.snapshot()).toMatchObject({ total: 5, state: "exhausted" });
  });

  test("one budget shared by the referrals and webhook clients adds up both", async () => {
    const { budget } = budgetAt("2030-03-04T10:00:00Z");
    await client({ budget }).list();
    const webhooks = new WebhooksClient({ tokenProvider: staticTokenProvider(TOKEN), budget, retryEnv: { sleep: async () => undefined } });
    await webhooks.events();
    expect(budget.snapshot()).toMatchObject({ reads: 2, total: 2 });
  });
});
