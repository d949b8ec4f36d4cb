/**
 * Outbound webhook delivery from an emulator (Partner Center events, Dataverse step calls), with
 * the faults real delivery has: drop, duplicate, delay, reorder, and the sender's own redelivery of
 * a failed attempt (each emulator's RedeliveryPolicy, from its service's documentation). Seeded, so a
 * failing run can be replayed. Synchronous deliveries (Dataverse sync steps) bypass the faults: the
 * caller waits, through their redelivery too.
 */
import { seededRandom, type Random } from "./random";

/** Resolves after `ms`; with none asked for, on the next turn of the event loop, not after setTimeout's 1 ms minimum. */
const pause = (ms: number): Promise<void> => new Promise<void>((resolve) => (ms > 0 ? setTimeout(resolve, ms) : setImmediate(resolve)));

export interface DeliveryFaults {
  dropRate?: number;
  duplicateRate?: number;
  /** Each delivery waits a random time up to this long. */
  maxDelayMs?: number;
  /** Probability that a delivery is held back and sent after the next one. */
  reorderRate?: number;
}

export interface Delivery {
  url: string;
  headers: Record<string, string>;
  body: string;
}

export interface DeliveryRecord extends Delivery {
  at: string;
  status?: number;
  error?: string;
  outcome: "delivered" | "failed" | "dropped";
  /** Which attempt at this delivery it was, from 1. */
  attempt?: number;
  /** A failed attempt after which the sender tries no more. */
  gaveUp?: boolean;
}

/** When a sender tries a failed delivery again. */
export interface RedeliveryPolicy {
  /** Attempts in all, the first one included. */
  attempts: number;
  /** Whether a failed attempt is tried again, by its answer's status (undefined: no answer). */
  retries(status: number | undefined): boolean;
  /** The wait before attempt `attempt` (2 and up). */
  delayMs(attempt: number): number;
}

/** One attempt and no more. */
export const NO_REDELIVERY: RedeliveryPolicy = { attempts: 1, retries: () => false, delayMs: () => 0 };

export type Sender = (delivery: Delivery) => Promise<Response>;

const fetchSender: Sender = (d) => fetch(d.url, { method: "POST", headers: d.headers, body: d.body });

export class WebhookDispatcher {
  faults: DeliveryFaults = {};
  readonly log: DeliveryRecord[] = [];
  private random: Random;
  private held: Delivery | undefined;
  private inFlight = new Set<Promise<void>>();

  constructor(
    private readonly send: Sender = fetchSender,
    seed = 7,
    private readonly now: () => Date = () => new Date(),
    private readonly redelivery: RedeliveryPolicy = NO_REDELIVERY,
  ) {
    this.random = seededRandom(seed);
  }

  reseed(seed: number): void {
    this.random = seededRandom(seed);
  }

  /**
   * Delivers now, with the sender's redelivery but no faults, and returns the last attempt: a sync
   * step. `onAttempt` sees each attempt as it ends (a test event's results list every one).
   */
  async deliverNow(delivery: Delivery, onAttempt?: (record: DeliveryRecord) => void): Promise<DeliveryRecord> {
    return this.deliver(delivery, onAttempt);
  }

  /** Queues a delivery in the background with the configured faults: an async event. */
  enqueue(delivery: Delivery): void {
    const f = this.faults;
    if (this.random() < (f.dropRate ?? 0)) {
      this.log.push({ ...delivery, at: this.now().toISOString(), outcome: "dropped" });
      return;
    }
    const copies = this.random() < (f.duplicateRate ?? 0) ? 2 : 1;
    for (let i = 0; i < copies; i++) {
      if (this.held === undefined && this.random() < (f.reorderRate ?? 0)) {
        this.held = delivery;
        continue;
      }
      this.schedule(delivery);
      if (this.held) {
        const later = this.held;
        this.held = undefined;
        this.schedule(later);
      }
    }
  }

  /** Resolves when every queued delivery has been attempted, redeliveries included (a held one is sent too). */
  async drain(): Promise<void> {
    if (this.held) {
      const h = this.held;
      this.held = undefined;
      this.schedule(h);
    }
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
  }

  private schedule(delivery: Delivery): void {
    const p: Promise<void> = pause(Math.floor(this.random() * (this.faults.maxDelayMs ?? 0)))
      .then(() => this.deliver(delivery))
      .then(() => undefined)
      .finally(() => this.inFlight.delete(p));
    this.inFlight.add(p);
  }

  /** Attempts until one is delivered, the policy lets a failure go, or the attempts are used up. */
  private async deliver(delivery: Delivery, onAttempt?: (record: DeliveryRecord) => void): Promise<DeliveryRecord> {
    const policy = this.redelivery;
    for (let attempt = 1; ; attempt++) {
      const record = await this.attempt(delivery, attempt);
      const last = record.outcome === "delivered" || attempt >= policy.attempts || !policy.retries(record.status);
      if (last && record.outcome !== "delivered" && policy.attempts > 1) record.gaveUp = true;
      onAttempt?.(record);
      if (last) return record;
      await pause(policy.delayMs(attempt + 1));
    }
  }

  private async attempt(delivery: Delivery, attempt: number): Promise<DeliveryRecord> {
    const record: DeliveryRecord = { ...delivery, at: this.now().toISOString(), outcome: "failed", attempt };
    try {
      const res = await this.send(delivery);
      record.status = res.status;
      record.outcome = res.ok ? "delivered" : "failed";
    } catch (e) {
      record.error = e instanceof Error ? e.message : String(e);
    }
    this.log.push(record);
    return record;
  }
}
