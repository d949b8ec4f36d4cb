/**
 * Planning a seller's save from what the last sync agreed, without reading Partner Center or the
 * deal's related rows (api/README.md, "Round trips").
 *
 * The stored snapshot says, per mapped field, what the referral held at the last sync, and the
 * stored ETag is the version of the referral it describes (both are written in one change set).
 * So the referral "as last synced" can be planned against, and the PATCH it leads to goes with
 * If-Match on that ETag: if Partner Center has changed anything since, the PATCH fails (412) and
 * the pair is read in full and merged three ways as usual, so Microsoft's changes are never
 * written over. Pure: the service decides when to use it and carries the writes out.
 */
import type { Referral } from "../schema/referral";
import { valueAt } from "./convert";
import type { PartnerCenterWrite } from "./effects";
import type { Mapping } from "./mapping";
import { setIn } from "./paths";
import type { SyncSnapshot } from "./snapshot";
import { canonicalEqual } from "./transforms";

/** Paths of the status operations (status.ts statusOps): whole values, never composed from other data. */
const STATUS_PATHS: ReadonlySet<string> = new Set(["/status", "/substatus", "/statusReason"]);

/**
 * The referral as the snapshot describes it, or null when the snapshot cannot stand in for it:
 * a status it does not know or one that depends on what it does not hold (a New referral may be
 * awaiting the partner's answer, which needs its direction), a mapped field without a baseline,
 * or a value that does not read back as stored. Only the members the plan reads are set: the id,
 * the status and every mapped field; null values are left out, so a write to one is an `add`
 * (RFC 6902: sets the member whether or not Partner Center holds it).
 */
export function referralAsLastSynced(snapshot: SyncSnapshot, mapping: Mapping, referralId: string): Referral | null {
  if (snapshot.status !== "Active" && snapshot.status !== "Closed") return null;
  if (!snapshot.substatus || (snapshot.referralId && snapshot.referralId.toLowerCase() !== referralId.toLowerCase())) return null;
  const at = new Map(snapshot.layout.names.map((name, i) => [name, i]));
  const referral: Record<string, unknown> = { id: referralId, status: snapshot.status, substatus: snapshot.substatus };
  for (const field of mapping.fields) {
    const i = at.get(field.name);
    const value = i === undefined ? undefined : snapshot.partnerCenter[i];
    if (value === undefined) return null;
    if (value !== null) setIn(referral, field.segments, field.transform.toReferral(value));
  }
  // Written back through each field's transform, every value must read as the snapshot has it.
  for (const field of mapping.fields) {
    const stored = snapshot.partnerCenter[at.get(field.name)!]!;
    if (!canonicalEqual(field.transform.fromReferral(valueAt(referral, field)), stored)) return null;
  }
  return referral as unknown as Referral;
}

/** Whether every mapped field has a baseline on both sides (a save then has something to be compared with). */
export function snapshotCovers(snapshot: SyncSnapshot, mapping: Mapping): boolean {
  const at = new Map(snapshot.layout.names.map((name, i) => [name, i]));
  return mapping.fields.every((field) => {
    const i = at.get(field.name);
    return i !== undefined && snapshot.dynamics[i] !== undefined && snapshot.partnerCenter[i] !== undefined;
  });
}

/**
 * Whether a write planned against referralAsLastSynced can be sent as it is: a PATCH whose every
 * operation sets one mapped field's own value, or the status. A PUT, or an operation carrying a
 * whole member (a contact's e-mail goes as all of `/customerProfile/team`), would send members the
 * snapshot does not hold, so those are planned from the referral as read instead.
 */
export function isSelfContainedPatch(write: PartnerCenterWrite, mapping: Mapping): write is Extract<PartnerCenterWrite, { kind: "patch" }> {
  if (write.kind !== "patch") return false;
  const own = new Set(mapping.fields.map((f) => f.pointer));
  return write.ops.every((op) => STATUS_PATHS.has(op.path) || own.has(op.path));
}

/**
 * Whether Partner Center's answer holds, in every mapped field and the status, what the write
 * expected: when it does not, the referral was not as the snapshot said, and the sync has to be
 * planned again from the referral as read.
 */
export function answerAsExpected(answer: Referral, expected: Referral, mapping: Mapping): boolean {
  if (answer.status !== expected.status || answer.substatus !== expected.substatus) return false;
  return mapping.fields.every((field) =>
    canonicalEqual(field.transform.fromReferral(valueAt(answer, field)), field.transform.fromReferral(valueAt(expected, field))),
  );
}
