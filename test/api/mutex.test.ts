/** The per-pair lock: one run per key at a time, and whether a caller's earlier reads may be stale. */
import { KeyedMutex } from "../../api/core/mutex";

const later = () => new Promise((resolve) => setTimeout(resolve, 5));

test("runs on one key go one at a time in arrival order; other keys do not wait", async () => {
  const m = new KeyedMutex();
  const order: string[] = [];
  const a1 = m.run("a", async () => { await later(); order.push("a1"); });
  const a2 = m.run(["a", "b"], async (waited) => { order.push(`a2 waited=${waited}`); });
  const c = m.run("c", async (waited) => { order.push(`c waited=${waited}`); });
  await Promise.all([a1, a2, c]);
  expect(order).toEqual(["c waited=false", "a1", "a2 waited=true"]);
});

test("reads taken before a run that came and went on the same key are stale, though nobody waited", async () => {
  const m = new KeyedMutex();
  const since = m.mark();
  await m.run("opp:1", async () => undefined);
  expect(await m.run(["opp:1", "ref:1"], async (waited) => waited, since)).toBe(true);
  expect(await m.run("opp:2", async (waited) => waited, since)).toBe(false);
  expect(await m.run("opp:1", async (waited) => waited, m.mark())).toBe(false);
});

test("a pass over more pairs than the limit is answered exactly while its mark is open", async () => {
  const m = new KeyedMutex(100);
  const since = m.mark();
  const stale: string[] = [];
  for (let i = 0; i < 1_000; i++) {
    const key = `opp:${i}`;
    if (await m.run(key, async (waited) => waited, since)) stale.push(key);
  }
  expect(stale).toEqual([]);
  m.unmark(since);
});

test("a key forgotten once no mark needs it counts as having run: one read too many, never a stale plan", async () => {
  const m = new KeyedMutex(2);
  const since = m.mark();
  m.unmark(since);
  for (const k of ["a", "b", "c"]) await m.run(k, async () => undefined);
  expect(await m.run("a", async (waited) => waited, since)).toBe(true);
  const now = m.mark();
  expect(await m.run("z", async (waited) => waited, now)).toBe(false);
  m.unmark(now);
});
