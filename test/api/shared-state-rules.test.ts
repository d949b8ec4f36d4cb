/**
 * The rules of the shared state, on the in-memory table (the same conditional semantics as Table
 * storage) with a clock the test moves: a claim left by a crashed instance is taken over, a handled
 * mark is remembered, a lease frees itself, expired entities are pruned, and call counts that could
 * not be stored are kept and added later.
 */
import { MemoryEntityTable } from "../../api/shared-state/memory-table";
import { WebhookClaims } from "../../api/shared-state/webhook-claims";
import { TableLease, holdWhile } from "../../api/shared-state/reconcile-lease";
import { memorySharedState, tablePrefixProblem } from "../../api/shared-state/shared-state";
import { SharedCallCounts } from "../../api/shared-state/call-counts";
import { SharedStateUnavailableError } from "../../api/shared-state/errors";
import { CallBudget, type CallCountStore, type DayCount } from "../../sync/partner-center/call-budget";

let clock = new Date("2026-12-07T10:00:00Z");
const now = () => clock;
const later = (ms: number) => (clock = new Date(clock.getTime() + ms));

beforeEach(() => {
  clock = new Date("2026-12-07T10:00:00Z");
});

describe("webhook claims", () => {
  const claims = (table: MemoryEntityTable, holder: string) => new WebhookClaims(table, { now, holder, claimMs: 60_000, rememberMs: 3_600_000, busyWaitMs: 0 });

  test("claimed once; a second instance is told it is in progress, then that it was handled", async () => {
    const table = new MemoryEntityTable("w");
    const [a, b] = [claims(table, "a"), claims(table, "b")];
    const first = await a.claim("event-1");
    expect(first.state).toBe("claimed");
    expect(await b.claim("event-1")).toMatchObject({ state: "busy" });
    if (first.state === "claimed") await a.complete(first.claim);
    expect(await b.claim("event-1")).toEqual({ state: "done" });
    // Forgotten after Partner Center's redeliveries are over: a much later delivery is synced again.
    later(3_600_001);
    expect((await b.claim("event-1")).state).toBe("claimed");
  });

  test("a released claim (the sync failed) is free for the redelivery", async () => {
    const table = new MemoryEntityTable("w");
    const a = claims(table, "a");
    const first = await a.claim("event-2");
    if (first.state !== "claimed") throw new Error("not claimed");
    await a.release(first.claim);
    expect((await claims(table, "b").claim("event-2")).state).toBe("claimed");
  });

  test("the claim of an instance that crashed mid-sync expires and is taken over; the crashed one's late mark changes nothing", async () => {
    const table = new MemoryEntityTable("w");
    const crashed = await claims(table, "a").claim("event-3");
    later(60_001);
    const taken = await claims(table, "b").claim("event-3");
    expect(taken.state).toBe("claimed");
    if (crashed.state === "claimed") await claims(table, "a").complete(crashed.claim);
    // Still b's claim: a third delivery waits for b, not "done" on a's word.
    expect((await claims(table, "c").claim("event-3")).state).toBe("busy");
  });

  test("a delivery waits a little for the claim in flight and then answers as it settled", async () => {
    const table = new MemoryEntityTable("w");
    const a = claims(table, "a");
    const first = await a.claim("event-4");
    const waiting = new WebhookClaims(table, {
      now, holder: "b", busyWaitMs: 1_000,
      // While b waits, a finishes its sync.
      sleep: async () => {
        if (first.state === "claimed") await a.complete(first.claim);
      },
    });
    expect(await waiting.claim("event-4")).toEqual({ state: "done" });
  });
});

describe("reconcile lease", () => {
  test("one holder at a time; a holder that stops renewing frees it after its period; a lost lease is not renewed", async () => {
    const table = new MemoryEntityTable("l");
    const lease = (holder: string) => new TableLease(table, { now, holder, leaseMs: 60_000 });
    const a = await lease("a").acquire();
    expect(a.held).toBe(true);
    expect(await lease("b").acquire()).toMatchObject({ held: false, holder: "a" });
    later(60_001);
    const b = await lease("b").acquire();
    expect(b.held).toBe(true);
    if (a.held) expect(await lease("a").renew(a.lease)).toBeUndefined();
  });

  test("held while the pass runs, released after it even when it fails", async () => {
    const table = new MemoryEntityTable("l");
    const lease = new TableLease(table, { now, holder: "a", leaseMs: 60_000 });
    const taken = await lease.acquire();
    if (!taken.held) throw new Error("not held");
    const hooks = { onLost: jest.fn(), onRenewError: jest.fn(), onReleaseError: jest.fn() };
    await expect(holdWhile(lease, taken.lease, async () => {
      expect((await new TableLease(table, { now, holder: "b" }).acquire()).held).toBe(false);
      throw new Error("pass failed");
    }, hooks)).rejects.toThrow("pass failed");
    expect((await new TableLease(table, { now, holder: "b" }).acquire()).held).toBe(true);
  });
});

test("prune deletes what has expired and nothing else", async () => {
  const state = memorySharedState({ now, holder: "a" });
  const done = await state.webhooks.claim("old");
  if (done.state === "claimed") await state.webhooks.complete(done.claim);
  later(25 * 3_600_000);
  await state.webhooks.claim("new");
  expect(await state.prune()).toBe(1);
  expect(await state.webhooks.claim("new")).toMatchObject({ state: "busy" });
});

test("a table prefix Table storage cannot name is refused with the rule", () => {
  expect(tablePrefixProblem("cosell")).toBeUndefined();
  expect(tablePrefixProblem("1cosell")).toMatch(/letters and digits, a letter first/);
  expect(tablePrefixProblem("co-sell")).toMatch(/letters and digits/);
  expect(tablePrefixProblem("c".repeat(60))).toMatch(/at most 53 characters/);
});

describe("shared call counts", () => {
  test("instances adding at once lose nothing (If-Match, again on a conflict)", async () => {
    const counts = new SharedCallCounts(new MemoryEntityTable("c"));
    await Promise.all(Array.from({ length: 8 }, () => counts.update("2026-12-07", (c) => ({ ...c, reads: c.reads + 1 }))));
    expect(await counts.read("2026-12-07")).toMatchObject({ reads: 8, writes: 0 });
  });

  test("calls the store could not take stay counted and are added when it is back; the warning fires once across instances", async () => {
    const inner = new SharedCallCounts(new MemoryEntityTable("c"));
    let down = true;
    const errors: unknown[] = [];
    const store: CallCountStore = {
      read: (day) => (down ? Promise.reject(new SharedStateUnavailableError("down")) : inner.read(day)),
      update: (day, change: (c: DayCount) => DayCount) => (down ? Promise.reject(new SharedStateUnavailableError("down")) : inner.update(day, change)),
    };
    const warnings: string[] = [];
    const budget = (name: string) => new CallBudget({ now, store, dailyBudget: 10, warnAt: 0.5, flushMs: 60_000, onStoreError: (e) => errors.push(e), onWarning: (w) => warnings.push(`${name}:${w.level}`) });
    const [a, b] = [budget("a"), budget("b")];
    for (let i = 0; i < 3; i++) a.record("read");
    await expect(a.sync()).rejects.toThrow(SharedStateUnavailableError);
    expect(a.snapshot()).toMatchObject({ total: 3, unflushed: 3 });
    down = false;
    await a.sync();
    for (let i = 0; i < 2; i++) b.record("write");
    await b.sync();
    expect(b.snapshot()).toMatchObject({ reads: 3, writes: 2, total: 5, unflushed: 0 });
    // The shared count reached the 50% threshold once, on b's flush: one warning, not one per instance.
    a.record("read");
    await a.sync();
    expect(warnings).toEqual(["b:threshold"]);
    await a.close();
    await b.close();
  });
});
