/**
 * Retry with `Retry-After`, exponential backoff with full jitter, bounded attempts and a timeout on
 * every attempt. Shared by the Partner Center client (fetch) and the Dataverse client
 * (dynamics-web-api), each of which says what is worth retrying.
 */

export interface RetryPolicy {
  /** Total attempts, the first included. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** A server's Retry-After is honoured up to this long; beyond it we give up rather than hang. */
  maxRetryAfterMs: number;
  /** Each attempt is aborted after this long. */
  timeoutMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 5,
  baseDelayMs: 200,
  maxDelayMs: 10_000,
  maxRetryAfterMs: 60_000,
  timeoutMs: 20_000,
};

/** What the caller decides about one outcome. */
export type RetryVerdict =
  | { retry: false }
  | { retry: true; retryAfterMs?: number; reason: string };

export interface RetryEnv {
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  onRetry?: (info: { attempt: number; delayMs: number; reason: string }) => void;
}

export class TimeoutError extends Error {
  constructor(public readonly timeoutMs: number) {
    super(`no answer within ${timeoutMs} ms`);
    this.name = "TimeoutError";
  }
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Full-jitter exponential backoff: a random wait in [0, min(cap, base·2^attempt)). */
export function backoffDelay(attempt: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
  return Math.floor(random() * ceiling);
}

/** `Retry-After` is either delta-seconds or an HTTP date. */
export function parseRetryAfter(value: string | null | undefined, nowMs: number = Date.now()): number | undefined {
  if (value == null || value.trim() === "") return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.round(seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs);
}

/**
 * Runs `attempt` until `classify` says stop or attempts run out. An attempt that throws is
 * classified too (timeouts arrive as TimeoutError). The last outcome is returned or thrown.
 */
export async function withRetry<T>(
  attempt: (signal: AbortSignal) => Promise<T>,
  classify: (outcome: { value?: T; error?: unknown }) => RetryVerdict,
  policy: RetryPolicy = DEFAULT_RETRY_POLICY,
  env: RetryEnv = {},
): Promise<T> {
  const sleep = env.sleep ?? defaultSleep;
  for (let n = 0; ; n++) {
    let value: T | undefined;
    let error: unknown;
    let failed = false;
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new TimeoutError(policy.timeoutMs)), policy.timeoutMs);
    try {
      value = await Promise.race([
        attempt(controller.signal),
        new Promise<never>((_, reject) =>
          controller.signal.addEventListener("abort", () => reject(new TimeoutError(policy.timeoutMs)), { once: true }),
        ),
      ]);
    } catch (e) {
      failed = true;
      error = e;
    } finally {
      clearTimeout(timer);
    }
    const verdict = classify(failed ? { error } : { value });
    const last = n + 1 >= policy.maxAttempts;
    if (!verdict.retry || last || (verdict.retryAfterMs ?? 0) > policy.maxRetryAfterMs) {
      if (failed) throw error;
      return value as T;
    }
    const delayMs = Math.max(verdict.retryAfterMs ?? 0, backoffDelay(n, policy, env.random));
    env.onRetry?.({ attempt: n + 1, delayMs, reason: verdict.reason });
    await sleep(delayMs);
  }
}
