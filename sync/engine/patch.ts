/**
 * JSON Patch (RFC 6902) as Partner Center takes it: `replace` and `add` on the swagger's paths
 * (sync/contracts/partner-center-referrals.ts).
 */
import { PATCH_OPS, patchPathFor, type PatchOp } from "../contracts/partner-center-referrals";
import { fromPointer, getIn, setIn, toPointer, type PathSegment } from "./paths";

export type JsonPatchOp = { op: PatchOp; path: string; value: unknown };

export class PatchError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PatchError";
  }
}

/** A deep copy of JSON data (a referral and the values written into it are nothing else); a primitive is itself. */
function clone<T>(value: T): T {
  if (value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map(clone) as T;
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(value)) copy[key] = clone((value as Record<string, unknown>)[key]);
  return copy as T;
}

/** A new document with the operations applied in order; the input is not changed. */
export function applyPatch<T>(document: T, ops: readonly JsonPatchOp[]): T {
  const root = { doc: clone(document) } as { doc: unknown };
  ops.forEach((op, i) => {
    if (!(PATCH_OPS as readonly string[]).includes(op.op)) throw new PatchError(`Operation ${i}: "${String(op.op)}" is not supported (only ${PATCH_OPS.join(" and ")}).`);
    const segments = fromPointer(op.path);
    if (segments.length === 0) {
      root.doc = clone(op.value);
      return;
    }
    const parent = getIn(root.doc, segments.slice(0, -1));
    const key = segments[segments.length - 1] as string;
    if (parent == null || typeof parent !== "object") throw new PatchError(`Operation ${i}: the parent of ${op.path} does not exist.`);
    if (Array.isArray(parent)) {
      const index = key === "-" ? parent.length : /^\d+$/.test(key) ? Number(key) : NaN;
      const max = op.op === "add" ? parent.length : parent.length - 1;
      if (!(index >= 0 && index <= max)) throw new PatchError(`Operation ${i}: ${op.path} is not an index of the array.`);
      if (op.op === "add") parent.splice(index, 0, clone(op.value));
      else parent[index] = clone(op.value);
      return;
    }
    const record = parent as Record<string, unknown>;
    if (op.op === "replace" && !(key in record)) throw new PatchError(`Operation ${i}: ${op.path} does not exist, so it cannot be replaced.`);
    record[key] = clone(op.value);
  });
  return root.doc as T;
}

/**
 * The operations that set `value` at each path of `original`, on the paths Partner Center's PATCH
 * takes (PATCH_PATHS): a write at an allowed path goes as it is; one beneath an allowed path (a
 * contact's e-mail under `/customerProfile/team`) goes as that whole member, holding every write
 * beneath it. `replace` where the member exists (even as null), otherwise `add`. A write with no
 * allowed path is an error: the mapping checker keeps such fields to create only.
 */
export function patchForWrites(original: unknown, writes: ReadonlyArray<{ segments: readonly PathSegment[]; value: unknown }>): JsonPatchOp[] {
  const ops: JsonPatchOp[] = [];
  const byPath = new Map<string, { op: JsonPatchOp; depth: number }>();
  for (const { segments, value } of writes) {
    const pointer = toPointer(segments);
    const path = patchPathFor(pointer);
    if (path === undefined) throw new PatchError(`${pointer} cannot be patched: Partner Center takes it only when the referral is created.`);
    let entry = byPath.get(path);
    if (!entry) {
      const depth = fromPointer(path).length;
      const existing = getIn(original, segments.slice(0, depth));
      const start = depth === segments.length ? undefined
        : existing != null && typeof existing === "object" ? clone(existing) : typeof segments[depth] === "number" ? [] : {};
      entry = { op: { op: existing !== undefined ? "replace" : "add", path, value: start }, depth };
      byPath.set(path, entry);
      ops.push(entry.op);
    }
    if (entry.depth === segments.length) entry.op.value = clone(value);
    else setIn({ root: entry.op.value } as Record<string, unknown>, ["root", ...segments.slice(entry.depth)], clone(value));
  }
  return ops;
}
