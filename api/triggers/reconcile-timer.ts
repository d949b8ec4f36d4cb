/**
 * The reconcile timer of the standalone server and the sandbox (Azure Functions has its own timer
 * trigger). A slow pass is never overlapped by the next tick, and a failed pass is logged, not thrown.
 * Give it the service's `scheduledReconcile`: with several instances, the reconcile lease lets one
 * of them run each pass (the others log that they skipped it).
 */
import type { Logger } from "../core/logger";

export function startReconcileTimer(reconcile: () => Promise<unknown>, intervalMs: number, logger: Logger): { stop(): Promise<void> } {
  let running: Promise<void> | undefined;
  const timer = setInterval(() => {
    if (running) return;
    running = reconcile()
      .then(() => undefined, (e: unknown) => logger.error({ err: e }, "reconcile failed"))
      .finally(() => (running = undefined));
  }, intervalMs);
  return {
    /** Stops the ticks and waits for a pass in flight, so nothing is cut off mid-write. */
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
