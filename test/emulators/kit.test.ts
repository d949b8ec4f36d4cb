/**
 * The emulators' kit: an added latency is never shorter than asked (the latency bench's floor
 * depends on it) and holds the emulator's own work inside it, as a real round trip does; a fault
 * answers without the route running; a delivery with no delay configured goes out without waiting
 * for a timer; a failed one is made again as its sender's documented policy says.
 */
import { http, HttpResponse } from "msw";
import { setupServer } from "msw/node";
import { addedLatency, FaultController, withFaults } from "../../emulators/kit/faults";
import { WebhookDispatcher, type Delivery } from "../../emulators/kit/dispatcher";
import { STEP_REDELIVERY } from "../../emulators/dataverse/steps";

test("an added latency lasts at least as long as asked, short or long", async () => {
  for (const ms of [1, 2, 5, 12]) {
    const t0 = performance.now();
    await addedLatency(ms);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(ms);
  }
});

test("an added latency lets other work run while it waits", async () => {
  let ran = false;
  setImmediate(() => (ran = true));
  await addedLatency(3);
  expect(ran).toBe(true);
});

describe("an emulator's routes behind its faults", () => {
  const BASE = "https://emulated.example/api";
  const faults = new FaultController(7, (kind) => ({ error: kind }));
  let ran = 0;
  let ranAt = 0;
  // A route that does 10 ms of work on the thread, as a heavy $batch would.
  const busy = http.all(`${BASE}/work`, () => {
    ran++;
    ranAt = performance.now();
    const until = performance.now() + 10;
    while (performance.now() < until);
    return HttpResponse.json({ done: true });
  });
  const server = setupServer(withFaults([BASE], faults, [busy]), http.get("https://elsewhere.example/x", () => HttpResponse.text("other")));
  beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
  afterAll(() => server.close());
  beforeEach(() => {
    faults.clear();
    ran = 0;
  });

  test("the latency is the round trip's wall time: the route's own work is inside it, not added to it", async () => {
    faults.set([{ path: /\/work$/, latencyMs: 40 }]);
    const t0 = performance.now();
    const res = await fetch(`${BASE}/work`);
    const took = performance.now() - t0;
    expect(await res.json()).toEqual({ done: true });
    expect(took).toBeGreaterThanOrEqual(40);
    // The work ran when the request came in (before, it waited out the latency first and added its 10 ms after).
    expect(ranAt - t0).toBeLessThan(30);
  });

  test("a throttled request is answered 429 after the latency, and the route never runs", async () => {
    faults.set([{ path: /\/work$/, latencyMs: 5, throttleRate: 1, retryAfterSeconds: 2 }]);
    const res = await fetch(`${BASE}/work`, { method: "POST" });
    expect(res.status).toBe(429);
    expect(res.headers.get("Retry-After")).toBe("2");
    expect(await res.json()).toEqual({ error: "throttled" });
    expect(ran).toBe(0);
    expect(faults.stats.throttled).toBeGreaterThan(0);
  });

  test("with no rule the route answers at once, and other hosts are not the emulator's", async () => {
    expect(await (await fetch(`${BASE}/work`)).json()).toEqual({ done: true });
    expect(await (await fetch("https://elsewhere.example/x")).text()).toBe("other");
    expect(ran).toBe(1);
  });
});

test("deliveries with no delay configured are sent in order, each once, and drain waits for them", async () => {
  const sent: string[] = [];
  const dispatcher = new WebhookDispatcher(async (d: Delivery) => {
    sent.push(d.body);
    return new Response(null, { status: 204 });
  });
  for (const body of ["a", "b", "c"]) dispatcher.enqueue({ url: "https://receiver.example/hook", headers: {}, body });
  expect(sent).toEqual([]);
  await dispatcher.drain();
  expect(sent).toEqual(["a", "b", "c"]);
  expect(dispatcher.log.map((r) => r.outcome)).toEqual(["delivered", "delivered", "delivered"]);
});

describe("Dataverse's web hook calls, sync and async: one more attempt on 502, 503 and 504 only", () => {
  /** A receiver answering `statuses` in turn (then 204), and the async dispatcher of a Dataverse step. */
  async function attempts(statuses: number[], how: "async" | "sync"): Promise<Array<[number | undefined, string, boolean | undefined]>> {
    const dispatcher = new WebhookDispatcher(async () => new Response(null, { status: statuses.shift() ?? 204 }), 7, () => new Date(), STEP_REDELIVERY);
    const delivery = { url: "https://receiver.example/api/dataverse", headers: {}, body: "{}" };
    if (how === "sync") await dispatcher.deliverNow(delivery);
    else {
      dispatcher.enqueue(delivery);
      await dispatcher.drain();
    }
    return dispatcher.log.map((r) => [r.status, r.outcome, r.gaveUp]);
  }

  test.each(["async", "sync"] as const)("%s", async (how) => {
    expect(await attempts([503], how)).toEqual([[503, "failed", undefined], [204, "delivered", undefined]]);
    expect(await attempts([502, 504], how)).toEqual([[502, "failed", undefined], [504, "failed", true]]);
    expect(await attempts([500], how)).toEqual([[500, "failed", true]]);
    expect(await attempts([429], how)).toEqual([[429, "failed", true]]);
  });
});
