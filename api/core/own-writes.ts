/**
 * Partner Center writes the service made whose snapshot has not reached Dataverse yet.
 *
 * The pipeline writes Partner Center first, then one Dataverse change set that stores the new
 * snapshot. When that change set fails (a seller saved the opportunity in between: 412), the
 * stored snapshot still describes the state before our Partner Center write. Planned against it,
 * the values we just sent look like edits made in Partner Center; where the seller has edited the
 * same field again meanwhile both sides "changed", and the conflict policy (newest wins, by
 * timestamps that cannot tell our echo from a person's edit) may pick our stale echo and write it
 * over the seller's newer value. So until the snapshot is stored, the re-plan uses a baseline that
 * knows what we wrote: Partner Center's side holds the values our write left there, Dynamics'
 * side is unchanged (nothing reached Dataverse), so the seller's newer edits are still seen as
 * theirs, and Partner Center changes we had planned to bring across are still seen as changes.
 * The same holds when our write's answer never came (a request that timed out may land later).
 */
import type { Referral } from "../../sync/schema/referral";
import { OPPORTUNITY_STATE, type DynamicsDeal } from "../../sync/schema/dynamics";
import { valueAt } from "../../sync/engine/convert";
import { getColumn } from "../../sync/engine/paths";
import { canonicalEqual } from "../../sync/engine/transforms";
import { linksOf, type DealLinks, type SnapshotValue } from "../../sync/engine/snapshot";
import type { Mapping, SyncSnapshot } from "../../sync/engine";

/**
 * The baseline of a pair the service creates in Dynamics from a referral, stored in the same
 * create as the data it describes: per mapped field, what we wrote (`written`, by table; a table
 * left out was not written by us, e.g. an existing account we matched, and gets no baseline) and
 * what the referral holds. Without it the pair would have no baseline until a second request
 * stored one, and in between a seller's edit would be settled by timestamps that our own next
 * Partner Center write (an accept) makes look newer.
 */
export function baselineOfCreated(
  mapping: Mapping,
  referral: Referral,
  written: Partial<Record<"opportunity" | "account" | "contact" | "currency", Record<string, unknown>>>,
  state: number,
  links?: DealLinks,
): SyncSnapshot {
  const dynamics: SnapshotValue[] = mapping.layout.names.map(() => undefined);
  const partnerCenter: SnapshotValue[] = mapping.layout.names.map(() => undefined);
  mapping.fields.forEach((field, i) => {
    const table = written[field.columnRef.table as keyof typeof written];
    if (!table) return;
    dynamics[mapping.slots[i]] = field.transform.fromDynamics(table[field.columnRef.column] ?? null);
    partnerCenter[mapping.slots[i]] = field.transform.fromReferral(valueAt(referral, field));
  });
  return {
    version: 1, referralId: referral.id, status: referral.status, substatus: referral.substatus, state, layout: mapping.layout, dynamics, partnerCenter,
    // The rows the opportunity is made with: its first save can then be planned from the step's image (two round trips).
    ...(links ? { links } : {}),
  };
}

/** A Partner Center write of ours, as far as we know it. */
export interface OwnWrite {
  /** The snapshot text stored on the opportunity when we wrote; the write is pending while it is still there. */
  stored: string | null;
  /** The baseline the write was planned against. */
  used: SyncSnapshot | null;
  /** The referral our If-Match write applied to (null: we created it). */
  before: Referral | null;
  /** The opportunity as the write was planned from: a create sent its values. */
  deal: DynamicsDeal;
  /**
   * What the referral holds after our write: Partner Center's answer, or, before one came (a
   * request that timed out may still land), what we sent.
   */
  written: unknown;
}

/**
 * The write's `used` baseline with Partner Center's side moved to our values where they are ours:
 * every mapped field our write changed (`written` differs from `before`) and that Partner Center
 * holds `now` exactly as we wrote it. A field Partner Center holds differently (our write did not
 * land, or someone changed it since) keeps the old baseline, so that change still counts. The
 * status stays as `used` has it, so a close Dataverse has not carried out yet still counts too.
 *
 * A create is different: a referral that exists was made with our values, so each of Partner
 * Center's values is ours, and Dynamics' side is what the create was planned from. Without that
 * the pair would have no baseline at all, and a deal value Microsoft changed before the link was
 * stored would be settled by timestamps: a seller's later save of another field would send the
 * created value back over Microsoft's.
 */
export function baselineAfterOwnWrite(write: Omit<OwnWrite, "stored">, mapping: Mapping, now: Referral): SyncSnapshot {
  const { used, before, written } = write;
  if (!before) return baselineOfOwnCreate(write, mapping, now);
  const names = mapping.layout.names;
  const at = new Map((used?.layout.names ?? []).map((name, i) => [name, i]));
  const old = (side: "dynamics" | "partnerCenter", name: string): SnapshotValue => {
    const i = at.get(name);
    return used && i !== undefined ? used[side][i] : undefined;
  };
  const dynamics = names.map((name) => old("dynamics", name));
  const partnerCenter = names.map((name) => old("partnerCenter", name));
  mapping.fields.forEach((field, i) => {
    const ours = field.transform.fromReferral(valueAt(written, field));
    const was = before ? field.transform.fromReferral(valueAt(before, field)) : undefined;
    if (was !== undefined && canonicalEqual(was, ours)) return;
    const held = field.transform.fromReferral(valueAt(now, field));
    if (canonicalEqual(ours, held)) partnerCenter[mapping.slots[i]] = held;
  });
  return {
    version: 1,
    referralId: used?.referralId ?? null,
    status: used?.status ?? null,
    substatus: used?.substatus ?? null,
    state: used?.state ?? null,
    layout: mapping.layout,
    dynamics,
    partnerCenter,
    ...(used?.links ? { links: used.links } : {}),
  };
}

function baselineOfOwnCreate({ written, deal }: Omit<OwnWrite, "stored">, mapping: Mapping, now: Referral): SyncSnapshot {
  const dynamics: SnapshotValue[] = mapping.layout.names.map(() => undefined);
  const partnerCenter: SnapshotValue[] = mapping.layout.names.map(() => undefined);
  mapping.fields.forEach((field, i) => {
    dynamics[mapping.slots[i]] = field.transform.fromDynamics(getColumn(deal, field.columnRef));
    partnerCenter[mapping.slots[i]] = field.transform.fromReferral(valueAt(written, field));
  });
  // As the create's own plan has it (plan.ts): Partner Center answers an outgoing create with Active/Accepted.
  return {
    version: 1, referralId: now.id, status: "Active", substatus: "Accepted", state: deal.opportunity.statecode ?? OPPORTUNITY_STATE.Open,
    layout: mapping.layout, dynamics, partnerCenter, links: linksOf(deal.opportunity),
  };
}

/**
 * Per opportunity, our last Partner Center write while the stored snapshot is still the one it
 * was planned against. Process memory only: it makes this process's re-plans exact; an entry goes
 * stale (and is dropped) as soon as any other snapshot is stored.
 */
export class OwnWrites {
  private readonly pending = new Map<string, OwnWrite>();

  constructor(private readonly limit = 10_000) {}

  remember(opportunityId: string, write: OwnWrite): void {
    const key = opportunityId.toLowerCase();
    this.pending.delete(key);
    this.pending.set(key, write);
    if (this.pending.size > this.limit) this.pending.delete(this.pending.keys().next().value as string);
  }

  /** The baseline to plan with, when `stored` (the opportunity's snapshot text now) is the one our write was planned against. */
  baselineFor(opportunityId: string, stored: string | null, now: Referral | null, mapping: Mapping): SyncSnapshot | undefined {
    const key = opportunityId.toLowerCase();
    const write = this.pending.get(key);
    if (!write) return undefined;
    if (write.stored !== stored) {
      this.pending.delete(key);
      return undefined;
    }
    return now ? baselineAfterOwnWrite(write, mapping, now) : undefined;
  }

  /** Whether a write of ours is pending for the opportunity (its re-plans need the referral as read). */
  has(opportunityId: string): boolean {
    return this.pending.has(opportunityId.toLowerCase());
  }

  /** The snapshot describing our write is stored: nothing pending. */
  forget(opportunityId: string): void {
    this.pending.delete(opportunityId.toLowerCase());
  }
}
