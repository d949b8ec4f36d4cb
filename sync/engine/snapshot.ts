/**
 * What both sides looked like after the last successful sync, stored on the opportunity
 * (`cosell_syncsnapshot`). Per field it keeps the canonical value each side had; usually they are
 * equal and stored once, a field whose direction lets the sides differ is stored as a pair.
 */
import { OPPORTUNITY_STATE } from "./dynamics";
import { REFERRAL_STATUSES, REFERRAL_SUBSTATUSES, type ReferralStatus, type ReferralSubstatus } from "./referral";
import { canonicalEqual, type Canonical } from "./transforms";

export interface FieldSnapshot {
  dynamics: Canonical;
  partnerCenter: Canonical;
}

export interface SyncSnapshot {
  version: 1;
  referralId: string | null;
  status: ReferralStatus | null;
  substatus: ReferralSubstatus | null;
  /** Opportunity statecode (OPPORTUNITY_STATE). */
  state: number | null;
  fields: Record<string, FieldSnapshot>;
}

export function emptySnapshot(): SyncSnapshot {
  return { version: 1, referralId: null, status: null, substatus: null, state: null, fields: {} };
}

type Stored = string | number | boolean | null | string[];
function isStored(v: unknown): v is Stored {
  switch (typeof v) {
    case "string":
    case "number":
    case "boolean":
      return true;
    case "object":
      return v === null || (Array.isArray(v) && v.every((x) => typeof x === "string"));
    default:
      return false;
  }
}
const STATES: readonly unknown[] = Object.values(OPPORTUNITY_STATE);
const isPair = (v: unknown): v is { d: Stored; p: Stored } =>
  v != null && typeof v === "object" && !Array.isArray(v) && Object.keys(v).length === 2 &&
  "d" in v && "p" in v && isStored((v as { d: unknown }).d) && isStored((v as { p: unknown }).p);

/** The text a snapshot was read from or written as, so an unchanged snapshot is not serialised again. */
const TEXT = new WeakMap<SyncSnapshot, string>();

const json = (v: Canonical): string => (typeof v === "string" ? JSON.stringify(v) : v === null ? "null" : Array.isArray(v) ? JSON.stringify(v) : String(v));

/**
 * Compact, deterministic JSON (fields in name order). Written out by hand: this runs once per
 * changed pair, and field names are plain identifiers (the mapping schema allows nothing else).
 */
export function serializeSnapshot(snapshot: SyncSnapshot): string {
  const names = Object.keys(snapshot.fields);
  // Usually already in order (the planner builds them so); sorting only when not.
  if (names.some((name, i) => i > 0 && names[i - 1] > name)) names.sort();
  let fields = "";
  for (const name of names) {
    const { dynamics, partnerCenter } = snapshot.fields[name];
    const value = canonicalEqual(dynamics, partnerCenter) ? json(dynamics) : `{"d":${json(dynamics)},"p":${json(partnerCenter)}}`;
    fields += `${fields ? "," : ""}${JSON.stringify(name)}:${value}`;
  }
  const head = JSON.stringify({ v: 1, r: snapshot.referralId, s: snapshot.status, ss: snapshot.substatus, st: snapshot.state });
  const text = `${head.slice(0, -1)},"f":{${fields}}}`;
  TEXT.set(snapshot, text);
  return text;
}

/** serializeSnapshot, reusing the text the snapshot came from when there is one. */
export function snapshotText(snapshot: SyncSnapshot): string {
  return TEXT.get(snapshot) ?? serializeSnapshot(snapshot);
}

export function snapshotsEqual(a: SyncSnapshot, b: SyncSnapshot): boolean {
  if (a.referralId !== b.referralId || a.status !== b.status || a.substatus !== b.substatus || a.state !== b.state) return false;
  const names = Object.keys(a.fields);
  if (names.length !== Object.keys(b.fields).length) return false;
  for (const name of names) {
    const x = a.fields[name];
    const y = b.fields[name];
    if (x === y) continue;
    if (!y || !canonicalEqual(x.dynamics, y.dynamics) || !canonicalEqual(x.partnerCenter, y.partnerCenter)) return false;
  }
  return true;
}

/** The snapshot stored in the column, or null for anything that is not one (never throws). */
export function parseSnapshot(text: string | null | undefined): SyncSnapshot | null {
  if (typeof text !== "string" || text.trim() === "") return null;
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return null;
  }
  if (raw == null || typeof raw !== "object" || Array.isArray(raw)) return null;
  const o = raw as Record<string, unknown>;
  if (o.v !== 1 || o.f == null || typeof o.f !== "object" || Array.isArray(o.f)) return null;
  if (o.r != null && typeof o.r !== "string") return null;
  if (o.s != null && !(REFERRAL_STATUSES as readonly unknown[]).includes(o.s)) return null;
  if (o.ss != null && !(REFERRAL_SUBSTATUSES as readonly unknown[]).includes(o.ss)) return null;
  if (o.st != null && !STATES.includes(o.st)) return null;
  const fields: Record<string, FieldSnapshot> = {};
  for (const [name, value] of Object.entries(o.f as Record<string, unknown>)) {
    if (isStored(value)) {
      fields[name] = { dynamics: value, partnerCenter: value };
    } else if (isPair(value)) {
      fields[name] = { dynamics: value.d, partnerCenter: value.p };
    } else {
      return null;
    }
  }
  const snapshot: SyncSnapshot = {
    version: 1,
    referralId: (o.r as string | null | undefined) ?? null,
    status: (o.s as ReferralStatus | null | undefined) ?? null,
    substatus: (o.ss as ReferralSubstatus | null | undefined) ?? null,
    state: (o.st as number | null | undefined) ?? null,
    fields,
  };
  TEXT.set(snapshot, text);
  return snapshot;
}
