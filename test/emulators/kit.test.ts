/**
 * The emulators' kit: an added latency is never shorter than asked (the latency bench's floor
 * depends on it), and a delivery with no delay configured goes out without waiting for a timer.
 */
import { addedLatency } from "../../emulators/kit/faults";
import { WebhookDispatcher, type Delivery } from "../../emulators/kit/dispatcher";

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
