/**
 * The reconcile lease: one entity naming the instance that reconciles and until when. Taken with
 * insert-if-absent, or by replacing (If-Match) a lease that expired — its holder crashed or hung;
 * renewed while the pass runs, deleted after. So when every instance's timer fires at once, one
 * of them reconciles the window and the others skip it.
 */
import type { EntityKey, EntityTable, EntityValue } from "./entity-table";

/** A holder that stops renewing (crashed) frees the lease after this. */
export const LEASE_MS = 60_000;

export interface HeldLease {
  etag: string;
  until: Date;
}

export type LeaseResult = { held: true; lease: HeldLease } | { held: false; holder: string; until: Date };

export interface Lease {
  /** How long a lease lasts unless renewed. */
  readonly durationMs: number;
  acquire(): Promise<LeaseResult>;
  /** Extends a held lease; false when it was lost (it expired and another instance took it). */
  renew(lease: HeldLease): Promise<HeldLease | undefined>;
  release(lease: HeldLease): Promise<void>;
}

interface LeaseEntity extends EntityValue {
  holder: string;
}

export interface LeaseOptions {
  now: () => Date;
  holder: string;
  name?: string;
  leaseMs?: number;
}

export class TableLease implements Lease {
  private readonly key: EntityKey;
  private readonly leaseMs: number;

  constructor(private readonly table: EntityTable, private readonly options: LeaseOptions) {
    this.key = { partition: "lease", row: options.name ?? "reconcile" };
    this.leaseMs = options.leaseMs ?? LEASE_MS;
  }

  get durationMs(): number {
    return this.leaseMs;
  }

  async acquire(): Promise<LeaseResult> {
    const entity = this.entity();
    const inserted = await this.table.insert(this.key, entity);
    if (inserted) return { held: true, lease: { etag: inserted, until: entity.expiresAt } };
    const current = await this.table.read<LeaseEntity>(this.key);
    // Released between our insert and our read: the next tick takes it.
    if (!current) return { held: false, holder: "(released just now)", until: this.options.now() };
    if (current.value.expiresAt.getTime() > this.options.now().getTime()) return { held: false, holder: current.value.holder, until: current.value.expiresAt };
    const taken = await this.table.replace(this.key, entity, current.etag);
    if (taken) return { held: true, lease: { etag: taken, until: entity.expiresAt } };
    const winner = await this.table.read<LeaseEntity>(this.key);
    return { held: false, holder: winner?.value.holder ?? "(unknown)", until: winner?.value.expiresAt ?? this.options.now() };
  }

  async renew(lease: HeldLease): Promise<HeldLease | undefined> {
    const entity = this.entity();
    const etag = await this.table.replace(this.key, entity, lease.etag);
    return etag ? { etag, until: entity.expiresAt } : undefined;
  }

  async release(lease: HeldLease): Promise<void> {
    await this.table.remove(this.key, lease.etag);
  }

  private entity(): LeaseEntity {
    return { holder: this.options.holder, expiresAt: new Date(this.options.now().getTime() + this.leaseMs) };
  }
}

export interface HoldHooks {
  /** The lease expired under a renewal and another instance took it: the pass runs on, its writes guarded by ETags. */
  onLost(): void;
  /** A renewal that could not reach the store (it is tried again at the next renewal). */
  onRenewError(error: unknown): void;
  /** The release failed: the lease frees itself when it expires. */
  onReleaseError(error: unknown): void;
}

/** Runs `run` while holding `lease`: renewed three times per lease period, released after (also on failure). */
export async function holdWhile<T>(lease: Lease, held: HeldLease, run: () => Promise<T>, hooks: HoldHooks): Promise<T> {
  let current: HeldLease | undefined = held;
  let renewing: Promise<void> | undefined;
  const timer = setInterval(() => {
    if (!current || renewing) return;
    renewing = lease
      .renew(current)
      .then((renewed) => {
        if (current && !renewed) hooks.onLost();
        current = renewed;
      }, hooks.onRenewError)
      .finally(() => (renewing = undefined));
  }, lease.durationMs / 3);
  timer.unref?.();
  try {
    return await run();
  } finally {
    clearInterval(timer);
    await renewing;
    if (current) await lease.release(current).catch(hooks.onReleaseError);
  }
}
