/**
 * Outbound webhook delivery from an emulator (Partner Center events, Dataverse step calls), with
 * the faults real delivery has: drop, duplicate, delay, reorder. Seeded, so a failing run can be
 * replayed. Synchronous deliveries (Dataverse sync steps) bypass the faults: the caller waits.
 */
import { seededRandom, type Random } from "./random";

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
}

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
  ) {
    this.random = seededRandom(seed);
  }

  reseed(seed: number): void {
    this.random = seededRandom(seed);
  }

  /** Delivers now and returns the receiver's answer (no faults): a sync step. */
  async deliverNow(delivery: Delivery): Promise<DeliveryRecord> {
    return this.attempt(delivery);
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

  /** Resolves when every queued delivery has been attempted (a held one is sent too). */
  async drain(): Promise<void> {
    if (this.held) {
      const h = this.held;
      this.held = undefined;
      this.schedule(h);
    }
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
  }

  private schedule(delivery: Delivery): void {
    const wait = Math.floor(this.random() * (this.faults.maxDelayMs ?? 0));
    // No delay asked for: sent on the next turn of the event loop, not after setTimeout's 1 ms minimum.
    const p: Promise<void> = new Promise<void>((resolve) => (wait > 0 ? setTimeout(resolve, wait) : setImmediate(resolve)))
      .then(() => this.attempt(delivery))
      .then(() => undefined)
      .finally(() => this.inFlight.delete(p));
    this.inFlight.add(p);
  }

  private async attempt(delivery: Delivery): Promise<DeliveryRecord> {
    const record: DeliveryRecord = { ...delivery, at: this.now().toISOString(), outcome: "failed" };
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
