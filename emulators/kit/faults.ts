/**
 * Fault injection for emulated routes: added latency, error rates (429 with Retry-After, 500,
 * 503) and timeouts, decided by a seeded PRNG. `faultHandler` is an msw handler placed before an
 * emulator's own handlers: it answers with the fault, or returns nothing so the request falls
 * through to the emulator. Each emulator says what its service's fault bodies look like.
 */
import { http, HttpResponse, delay, type HttpHandler } from "msw";
import { seededRandom, type Random } from "./random";

export interface RouteFaults {
  /** Which requests: method (any if absent) and a pathname pattern. */
  method?: string;
  path: RegExp;
  /** Added to every matching request. */
  latencyMs?: number;
  /** Probability of answering 429 with Retry-After. */
  throttleRate?: number;
  retryAfterSeconds?: number;
  /** Which documented limit a 429 reports, where the service has several (Dataverse's three). */
  limit?: string;
  /** Probability of answering 500 / 503. */
  serverErrorRate?: number;
  unavailableRate?: number;
  /** Probability of never answering within `hangMs` (the client's timeout must fire). */
  timeoutRate?: number;
  hangMs?: number;
}

export interface FaultStats {
  throttled: number;
  serverErrors: number;
  unavailable: number;
  timeouts: number;
}

export type FaultKind = "throttled" | "serverError" | "unavailable";
/** The JSON body a service answers a fault with; `target` is the request's path. */
export type FaultBodies = (kind: FaultKind, rule: RouteFaults, target: string) => unknown;

/** How early the timer of an added latency wakes, to finish the wait on the clock. */
const TIMER_SLACK_MS = 2;

/**
 * Waits `ms`, as exactly as the event loop allows. A timer alone fires late, by its granularity
 * and, on a VM, by the time an idle CPU takes to wake: over three calls that is milliseconds the
 * latency bench would count as the service's. So the timer wakes a little early and the rest is
 * waited on the clock, one event-loop turn at a time (other work keeps running).
 */
export async function addedLatency(ms: number): Promise<void> {
  const until = performance.now() + ms;
  if (ms > TIMER_SLACK_MS) await new Promise((resolve) => setTimeout(resolve, ms - TIMER_SLACK_MS));
  while (performance.now() < until) await new Promise((resolve) => setImmediate(resolve));
}

/** Mutable at run time, so tests and the sandbox's health view can turn faults on and off. */
export class FaultController {
  rules: RouteFaults[] = [];
  readonly stats: FaultStats = { throttled: 0, serverErrors: 0, unavailable: 0, timeouts: 0 };
  private random: Random;

  constructor(seed: number, private readonly bodies: FaultBodies) {
    this.random = seededRandom(seed);
  }

  reseed(seed: number): void {
    this.random = seededRandom(seed);
  }

  set(rules: RouteFaults[]): void {
    this.rules = rules;
  }

  clear(): void {
    this.rules = [];
  }

  private match(method: string, pathname: string): RouteFaults | undefined {
    return this.rules.find((r) => (!r.method || r.method.toUpperCase() === method) && r.path.test(pathname));
  }

  /** The fault to inject for a request, or undefined to let it through. */
  async decide(request: Request): Promise<Response | undefined> {
    const url = new URL(request.url);
    const rule = this.match(request.method, url.pathname);
    if (!rule) return undefined;
    if (rule.latencyMs) await addedLatency(rule.latencyMs);
    const roll = this.random();
    let edge = rule.throttleRate ?? 0;
    if (roll < edge) {
      this.stats.throttled++;
      return HttpResponse.json(this.bodies("throttled", rule, url.pathname) as object, { status: 429, headers: { "Retry-After": String(rule.retryAfterSeconds ?? 1) } });
    }
    edge += rule.serverErrorRate ?? 0;
    if (roll < edge) {
      this.stats.serverErrors++;
      return HttpResponse.json(this.bodies("serverError", rule, url.pathname) as object, { status: 500 });
    }
    edge += rule.unavailableRate ?? 0;
    if (roll < edge) {
      this.stats.unavailable++;
      return HttpResponse.json(this.bodies("unavailable", rule, url.pathname) as object, { status: 503, headers: { "Retry-After": String(rule.retryAfterSeconds ?? 1) } });
    }
    edge += rule.timeoutRate ?? 0;
    if (roll < edge) {
      this.stats.timeouts++;
      await delay(rule.hangMs ?? 30_000);
      return new HttpResponse(null, { status: 504 });
    }
    return undefined;
  }
}

/** An msw handler that injects the controller's faults for any URL under `baseUrl`. */
export function faultHandler(baseUrl: string, faults: FaultController): HttpHandler {
  return http.all(`${baseUrl.replace(/\/$/, "")}/*`, async ({ request }) => faults.decide(request));
}
