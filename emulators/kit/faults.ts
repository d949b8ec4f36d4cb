/**
 * Fault injection for emulated routes: added latency, error rates (429 with Retry-After, 500,
 * 503) and timeouts, decided by a seeded PRNG. `withFaults` wraps an emulator's own handlers in
 * one msw handler that answers through them, or with the fault. Each emulator says what its
 * service's fault bodies look like.
 */
import { getResponse, http, HttpResponse, delay, type HttpHandler } from "msw";
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

  /**
   * Answers a request through `routes` with the faults of the first matching rule. An added latency
   * is the round trip's wall time, the emulated service's own work included: the routes answer at
   * once and the response is held until the latency is up. Microsoft's servers do their work inside
   * the round trip the caller waits for; an emulator that worked after its wait would add its own
   * CPU time (a `$batch` takes about 1.5 ms here) to every call, and the latency bench would count it
   * as the service's. A fault (429, 500, 503) comes after the latency with nothing done; a timeout
   * hangs for `hangMs`.
   */
  async answer(request: Request, routes: HttpHandler[]): Promise<Response | undefined> {
    const url = new URL(request.url);
    const rule = this.match(request.method, url.pathname);
    if (!rule) return getResponse(routes, request);
    const started = performance.now();
    const fault = this.roll(rule, url.pathname);
    if (fault === "hang") {
      await delay(rule.hangMs ?? 30_000);
      return new HttpResponse(null, { status: 504 });
    }
    const response = fault ?? (await getResponse(routes, request));
    if (rule.latencyMs) await addedLatency(rule.latencyMs - (performance.now() - started));
    return response;
  }

  /** The fault a rule rolls for one request, if any: a response, or "hang" for a timeout. */
  private roll(rule: RouteFaults, target: string): Response | "hang" | undefined {
    const roll = this.random();
    let edge = rule.throttleRate ?? 0;
    if (roll < edge) {
      this.stats.throttled++;
      return HttpResponse.json(this.bodies("throttled", rule, target) as object, { status: 429, headers: { "Retry-After": String(rule.retryAfterSeconds ?? 1) } });
    }
    edge += rule.serverErrorRate ?? 0;
    if (roll < edge) {
      this.stats.serverErrors++;
      return HttpResponse.json(this.bodies("serverError", rule, target) as object, { status: 500 });
    }
    edge += rule.unavailableRate ?? 0;
    if (roll < edge) {
      this.stats.unavailable++;
      return HttpResponse.json(this.bodies("unavailable", rule, target) as object, { status: 503, headers: { "Retry-After": String(rule.retryAfterSeconds ?? 1) } });
    }
    edge += rule.timeoutRate ?? 0;
    if (roll < edge) {
      this.stats.timeouts++;
      return "hang";
    }
    return undefined;
  }
}

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/**
 * One msw handler for every request under `baseUrls` (each URL itself and anything below it): it
 * answers through the emulator's `routes` with the controller's faults. One handler per emulator
 * also spares requests to the other hosts from being matched against its routes.
 */
export function withFaults(baseUrls: readonly string[], faults: FaultController, routes: readonly HttpHandler[]): HttpHandler {
  const bases = baseUrls.map((u) => escapeRegExp(u.replace(/\/$/, ""))).join("|");
  const own = [...routes];
  return http.all(new RegExp(`^(?:${bases})(?:[/?#].*)?$`), ({ request }) => faults.answer(request, own));
}
