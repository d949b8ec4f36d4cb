/**
 * What both sides looked like after the last successful sync, stored on the opportunity
 * (`cosell_syncsnapshot`). Per mapped field it keeps the canonical value each side had.
 *
 * In memory the values sit in two arrays indexed by a layout (the mapping's field names in name
 * order), so the planner reads them by position and parsing builds no per-field objects.
 *
 * Stored forms (both read, newest written):
 * - v2, compact: `{"v":2,"m":"<layout fingerprint>",…,"f":[value, {"d":…,"p":…}, {}]}` — values in
 *   layout order; a value both sides share is stored once, `{}` is a field with no baseline yet.
 *   Written for layouts of a mapping loaded in this process (loadMapping registers them); a v2 text
 *   whose fingerprint no loaded mapping has is read as no snapshot, the same as any unreadable text.
 * - v1, self-describing: `{"v":1,…,"f":{"<name>": value | {"d":…,"p":…}}}` — the older format, still
 *   written for snapshots whose layout belongs to no loaded mapping.
 */
import { OPPORTUNITY_STATE } from "../schema/dynamics";
import { REFERRAL_STATUSES, REFERRAL_SUBSTATUSES, type ReferralStatus, type ReferralSubstatus } from "../schema/referral";
import { canonicalEqual, type Canonical } from "./transforms";

export interface FieldSnapshot {
  dynamics: Canonical;
  partnerCenter: Canonical;
}

/** The field names a snapshot holds values for, in name order; one shared object per set of names. */
export interface SnapshotLayout {
  readonly names: readonly string[];
  readonly fingerprint: string;
}

/** A field's value in a snapshot; undefined where the field has no baseline yet. */
export type SnapshotValue = Canonical | undefined;

export interface SyncSnapshot {
  version: 1;
  referralId: string | null;
  status: ReferralStatus | null;
  substatus: ReferralSubstatus | null;
  /** Opportunity statecode (OPPORTUNITY_STATE). */
  state: number | null;
  layout: SnapshotLayout;
  /** Per layout name, the value Dynamics had (undefined: no baseline). */
  dynamics: readonly SnapshotValue[];
  /** Per layout name, the value Partner Center had; the same array as `dynamics` when every field agrees. */
  partnerCenter: readonly SnapshotValue[];
  /**
   * The related rows the Dynamics side was read from (the opportunity's customer, contact and
   * currency lookups). A sync planned from the step's post-image, which carries the lookups but not
   * the rows, may take those rows as last synced only while the lookups still name these.
   * Absent in snapshots written before it existed (or by a baseline that did not read the deal).
   */
  links?: DealLinks;
}

/** The ids of the rows behind the `account.`, `contact.` and `currency.` columns of a deal (null: none). */
export interface DealLinks {
  account: string | null;
  contact: string | null;
  currency: string | null;
}

/** The links of a deal's opportunity row, as the Web API names its lookups. */
export function linksOf(opportunity: { _customerid_value?: string | null; _parentcontactid_value?: string | null; _transactioncurrencyid_value?: string | null }): DealLinks {
  const id = (v: string | null | undefined) => (v ? v.toLowerCase() : null);
  return { account: id(opportunity._customerid_value), contact: id(opportunity._parentcontactid_value), currency: id(opportunity._transactioncurrencyid_value) };
}

export function sameLinks(a: DealLinks | undefined, b: DealLinks | undefined): boolean {
  if (a === b) return true;
  return !!a && !!b && a.account === b.account && a.contact === b.contact && a.currency === b.currency;
}

/* ---------- layouts ---------- */

/** Two 32-bit FNV-1a lanes with different offsets: 16 hex digits, so distinct mappings do not collide in practice. */
function fingerprintOf(names: readonly string[]): string {
  let a = 0x811c9dc5;
  let b = 0x050c5d1f;
  const text = names.join("\n");
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x01000193) ^ (b >>> 13);
  }
  return (a >>> 0).toString(16).padStart(8, "0") + (b >>> 0).toString(16).padStart(8, "0");
}

/** Layouts of the mappings loaded in this process, by fingerprint: what a v2 text can be read with. */
const registered = new Map<string, SnapshotLayout>();

function makeLayout(sortedNames: readonly string[]): SnapshotLayout {
  const fingerprint = fingerprintOf(sortedNames);
  const known = registered.get(fingerprint);
  if (known && sameNames(known.names, sortedNames)) return known;
  return { names: sortedNames, fingerprint };
}

const sameNames = (a: readonly string[], b: readonly string[]): boolean => a.length === b.length && a.every((n, i) => n === b[i]);

/** The layout for a set of field names (any order); registered ones are reused. */
export function layoutFor(names: readonly string[]): SnapshotLayout {
  return makeLayout([...names].sort());
}

/** Registers a mapping's layout so snapshots written with it are stored, and read back, compactly. */
export function registerLayout(names: readonly string[]): SnapshotLayout {
  const layout = layoutFor(names);
  const known = registered.get(layout.fingerprint);
  if (known && !sameNames(known.names, layout.names)) return layout; // a fingerprint clash: stay on v1 for this one
  registered.set(layout.fingerprint, layout);
  return layout;
}

const EMPTY_LAYOUT: SnapshotLayout = { names: [], fingerprint: fingerprintOf([]) };

export function emptySnapshot(): SyncSnapshot {
  return { version: 1, referralId: null, status: null, substatus: null, state: null, layout: EMPTY_LAYOUT, dynamics: [], partnerCenter: [] };
}

/** A snapshot from per-field values by name (tests, tools); fields not listed have no baseline. */
export function snapshotWithFields(
  head: Pick<SyncSnapshot, "referralId" | "status" | "substatus" | "state">,
  fields: Readonly<Record<string, FieldSnapshot>>,
): SyncSnapshot {
  const layout = layoutFor(Object.keys(fields));
  return {
    version: 1, ...head, layout,
    dynamics: layout.names.map((n) => fields[n].dynamics),
    partnerCenter: layout.names.map((n) => fields[n].partnerCenter),
  };
}

/** The snapshot's values by field name (fields without a baseline left out), for reading and tests. */
export function snapshotFields(snapshot: SyncSnapshot): Record<string, FieldSnapshot> {
  const out: Record<string, FieldSnapshot> = {};
  snapshot.layout.names.forEach((name, i) => {
    const dynamics = snapshot.dynamics[i];
    const partnerCenter = snapshot.partnerCenter[i];
    if (dynamics !== undefined && partnerCenter !== undefined) out[name] = { dynamics, partnerCenter };
  });
  return out;
}

/* ---------- writing ---------- */

/**
 * The text each snapshot was read from or written as, so an unchanged snapshot is not serialised
 * again. A symbol property defined non-enumerable: invisible to equality checks and JSON, and no
 * weak table for the collector to trace.
 */
const TEXT = Symbol("snapshot text");
type WithText = SyncSnapshot & { [TEXT]?: string };
const remember = (snapshot: SyncSnapshot, text: string): void => {
  Object.defineProperty(snapshot, TEXT, { value: text, configurable: true });
};

const EMPTY_ENTRY = Object.freeze({});

/** One field as stored: the shared value, a d/p pair, or `{}` for no baseline. */
function entry(d: SnapshotValue, p: SnapshotValue): unknown {
  if (d === undefined || p === undefined) return EMPTY_ENTRY;
  return d === p || canonicalEqual(d, p) ? d : { d, p };
}

/** Compact, deterministic JSON (one JSON.stringify call: it runs once per changed pair). */
export function serializeSnapshot(snapshot: SyncSnapshot): string {
  const { layout, dynamics, partnerCenter } = snapshot;
  const { referralId: r, status: s, substatus: ss, state: st } = snapshot;
  // Written only when known, so a snapshot without them keeps the text it had.
  const l = snapshot.links ? [snapshot.links.account, snapshot.links.contact, snapshot.links.currency] : undefined;
  let text: string;
  if (registered.get(layout.fingerprint) === layout) {
    const f: unknown[] = [];
    for (let i = 0; i < layout.names.length; i++) f.push(entry(dynamics[i], partnerCenter[i]));
    text = JSON.stringify({ v: 2, m: layout.fingerprint, r, s, ss, st, l, f });
  } else {
    const f: Record<string, unknown> = {};
    layout.names.forEach((name, i) => {
      if (dynamics[i] !== undefined && partnerCenter[i] !== undefined) f[name] = entry(dynamics[i], partnerCenter[i]);
    });
    text = JSON.stringify({ v: 1, r, s, ss, st, l, f });
  }
  remember(snapshot, text);
  return text;
}

/** serializeSnapshot, reusing the text the snapshot came from when there is one. */
export function snapshotText(snapshot: SyncSnapshot): string {
  return (snapshot as WithText)[TEXT] ?? serializeSnapshot(snapshot);
}

export function snapshotsEqual(a: SyncSnapshot, b: SyncSnapshot): boolean {
  if (a === b) return true;
  if (a.referralId !== b.referralId || a.status !== b.status || a.substatus !== b.substatus || a.state !== b.state) return false;
  // A snapshot from before links were kept is not rewritten for them alone: the next real change stores them.
  if (a.links && b.links && !sameLinks(a.links, b.links)) return false;
  if (a.layout !== b.layout && !sameNames(a.layout.names, b.layout.names)) return false;
  return sameValues(a.dynamics, b.dynamics) && sameValues(a.partnerCenter, b.partnerCenter);
}

function sameValues(a: readonly SnapshotValue[], b: readonly SnapshotValue[]): boolean {
  if (a === b) return true;
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    const y = b[i];
    if (x === y) continue;
    if (x === undefined || y === undefined || !canonicalEqual(x, y)) return false;
  }
  return true;
}

/* ---------- reading ---------- */

function isStored(v: unknown): v is Canonical {
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

/** A stored field entry → [dynamics, partnerCenter]; null when it is not one. */
function readEntry(v: unknown, allowEmpty: boolean): [SnapshotValue, SnapshotValue] | null {
  if (isStored(v)) return [v, v];
  if (v == null || typeof v !== "object" || Array.isArray(v)) return null;
  let keys = 0;
  for (const key in v) {
    if (key !== "d" && key !== "p") return null;
    keys++;
  }
  if (keys === 0) return allowEmpty ? [undefined, undefined] : null;
  const { d, p } = v as { d?: unknown; p?: unknown };
  return keys === 2 && isStored(d) && isStored(p) ? [d, p] : null;
}

/** The snapshot stored in the column, or null for anything that is not one (never throws). */
export function parseSnapshot(text: string | null | undefined): SyncSnapshot | null {
  if (typeof text !== "string" || text === "") return null;
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return null;
  }
  if (raw == null || typeof raw !== "object" || Array.isArray(raw)) return null;
  const o = raw as Record<string, unknown>;
  if (o.r != null && typeof o.r !== "string") return null;
  if (o.s != null && !(REFERRAL_STATUSES as readonly unknown[]).includes(o.s)) return null;
  if (o.ss != null && !(REFERRAL_SUBSTATUSES as readonly unknown[]).includes(o.ss)) return null;
  if (o.st != null && !STATES.includes(o.st)) return null;
  const links = readLinks(o.l);
  if (links === null) return null;
  const values = o.v === 2 ? readCompact(o) : o.v === 1 ? readNamed(o.f) : null;
  if (!values) return null;
  const snapshot: SyncSnapshot = {
    version: 1,
    referralId: (o.r as string | null | undefined) ?? null,
    status: (o.s as ReferralStatus | null | undefined) ?? null,
    substatus: (o.ss as ReferralSubstatus | null | undefined) ?? null,
    state: (o.st as number | null | undefined) ?? null,
    layout: values.layout,
    dynamics: values.dynamics,
    partnerCenter: values.partnerCenter,
    ...(links ? { links } : {}),
  };
  remember(snapshot, text);
  return snapshot;
}

/** `[account, contact, currency]` ids (each a string or null); undefined when absent, null when malformed. */
function readLinks(l: unknown): DealLinks | undefined | null {
  if (l === undefined) return undefined;
  if (!Array.isArray(l) || l.length !== 3 || !l.every((x) => x === null || typeof x === "string")) return null;
  return { account: l[0] as string | null, contact: l[1] as string | null, currency: l[2] as string | null };
}

type Values = Pick<SyncSnapshot, "layout" | "dynamics" | "partnerCenter">;

function readCompact(o: Record<string, unknown>): Values | null {
  const layout = typeof o.m === "string" ? registered.get(o.m) : undefined;
  const f = o.f;
  if (!layout || !Array.isArray(f) || f.length !== layout.names.length) return null;
  // Usually every field agrees: then one array serves both sides.
  let partnerCenter: SnapshotValue[] | null = null;
  for (let i = 0; i < f.length; i++) {
    const v: unknown = f[i];
    // JSON gives strings, numbers, booleans and null as non-objects: stored as they are.
    if (v === null || typeof v !== "object" || isStored(v)) {
      if (partnerCenter) partnerCenter[i] = v as Canonical;
      continue;
    }
    const pair = readEntry(v, true);
    if (!pair) return null;
    partnerCenter ??= f.slice(0, i) as SnapshotValue[];
    f[i] = pair[0];
    partnerCenter[i] = pair[1];
  }
  return { layout, dynamics: f as SnapshotValue[], partnerCenter: partnerCenter ?? (f as SnapshotValue[]) };
}

function readNamed(f: unknown): Values | null {
  if (f == null || typeof f !== "object" || Array.isArray(f)) return null;
  const layout = layoutFor(Object.keys(f));
  const dynamics: SnapshotValue[] = [];
  const partnerCenter: SnapshotValue[] = [];
  for (const name of layout.names) {
    const pair = readEntry((f as Record<string, unknown>)[name], false);
    if (!pair) return null;
    dynamics.push(pair[0]);
    partnerCenter.push(pair[1]);
  }
  return { layout, dynamics, partnerCenter };
}
