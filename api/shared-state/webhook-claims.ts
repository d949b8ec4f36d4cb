/**
 * De-duplication of Partner Center webhooks across instances. Partner Center delivers an event
 * again when it gets no 2xx (10 attempts), and may deliver it twice anyway; the event is marked
 * handled only once its sync succeeded, as before, and in between it is claimed:
 *
 *   claim (insert-if-absent) → sync → done (the mark stays for REMEMBER_MS)
 *                                   ↘ release (delete) when Partner Center is to deliver it again
 *
 * A second delivery while the first is syncing waits a little for the claim to settle, and
 * otherwise is answered "busy" so Partner Center delivers it again; a claim left by a crashed
 * instance expires after CLAIM_MS and is taken over (If-Match on the expired entity).
 */
import { createHash } from "node:crypto";
import type { EntityKey, EntityTable, EntityValue } from "./entity-table";

/** Longer than any sync takes (its retries included): a live claim is never taken over. */
export const CLAIM_MS = 2 * 60_000;
/** Partner Center's redeliveries of one event (10 attempts) come within this. */
export const REMEMBER_MS = 24 * 60 * 60_000;

export interface WebhookClaim {
  key: string;
  etag: string;
}

export type ClaimResult = { state: "claimed"; claim: WebhookClaim } | { state: "done" } | { state: "busy"; until: Date };

export interface WebhookDedupe {
  /** Claims the event for this instance, or says it was handled, or that another instance is at it. */
  claim(dedupeKey: string): Promise<ClaimResult>;
  /** Marks the claimed event handled. */
  complete(claim: WebhookClaim): Promise<void>;
  /** Gives the claim up, so the redelivery is synced. */
  release(claim: WebhookClaim): Promise<void>;
}

interface ClaimEntity extends EntityValue {
  /** The dedupe key itself (the row key is its hash), for whoever reads the table. */
  dedupeKey: string;
  state: "claimed" | "done";
  holder: string;
}

export interface WebhookClaimsOptions {
  now: () => Date;
  /** Who claims: this instance, for whoever reads the table. */
  holder: string;
  claimMs?: number;
  rememberMs?: number;
  /** How long a delivery waits for another instance's claim to settle before it answers "busy". */
  busyWaitMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

export class WebhookClaims implements WebhookDedupe {
  private readonly claimMs: number;
  private readonly rememberMs: number;
  private readonly busyWaitMs: number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly table: EntityTable, private readonly options: WebhookClaimsOptions) {
    this.claimMs = options.claimMs ?? CLAIM_MS;
    this.rememberMs = options.rememberMs ?? REMEMBER_MS;
    this.busyWaitMs = options.busyWaitMs ?? 10_000;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  async claim(dedupeKey: string): Promise<ClaimResult> {
    for (let waited = 0, pause = 50; ; waited += pause, pause = Math.min(pause * 2, 1000)) {
      const result = await this.tryClaim(dedupeKey);
      if (result.state !== "busy" || waited + pause > this.busyWaitMs) return result;
      await this.sleep(pause);
    }
  }

  async complete(claim: WebhookClaim): Promise<void> {
    // If our claim expired and another instance took it over, that one owns the event now: leave it.
    await this.table.replace(keyOf(claim.key), this.entity(claim.key, "done", this.rememberMs), claim.etag);
  }

  async release(claim: WebhookClaim): Promise<void> {
    await this.table.remove(keyOf(claim.key), claim.etag);
  }

  private async tryClaim(dedupeKey: string): Promise<ClaimResult> {
    const key = keyOf(dedupeKey);
    // A few rounds at most: each lost race means another instance wrote the entity just now.
    for (let round = 0; round < 3; round++) {
      const inserted = await this.table.insert(key, this.entity(dedupeKey, "claimed", this.claimMs));
      if (inserted) return { state: "claimed", claim: { key: dedupeKey, etag: inserted } };
      const current = await this.table.read<ClaimEntity>(key);
      if (!current) continue; // released meanwhile: insert again
      if (current.value.expiresAt.getTime() > this.options.now().getTime()) {
        return current.value.state === "done" ? { state: "done" } : { state: "busy", until: current.value.expiresAt };
      }
      // Expired: a handled mark forgotten, or the claim of an instance that crashed.
      const taken = await this.table.replace(key, this.entity(dedupeKey, "claimed", this.claimMs), current.etag);
      if (taken) return { state: "claimed", claim: { key: dedupeKey, etag: taken } };
    }
    return { state: "busy", until: new Date(this.options.now().getTime() + this.claimMs) };
  }

  private entity(dedupeKey: string, state: ClaimEntity["state"], forMs: number): ClaimEntity {
    return { dedupeKey, state, holder: this.options.holder, expiresAt: new Date(this.options.now().getTime() + forMs) };
  }
}

/**
 * The row key is a hash: dedupe keys carry characters row keys may not (`/`, `#`, `?`) and are
 * of any length. The partition is the hash's first two digits, spreading the load over 256.
 */
function keyOf(dedupeKey: string): EntityKey {
  const hash = createHash("sha256").update(dedupeKey).digest("hex");
  return { partition: hash.slice(0, 2), row: hash };
}
