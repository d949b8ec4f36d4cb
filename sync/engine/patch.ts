/**
 * JSON Patch (RFC 6902) as Partner Center takes it: only `replace` and `add` (partner-center.md §1.5).
 */
import { fromPointer, getIn, setIn, toPointer, type PathSegment } from "./paths";

export type JsonPatchOp = { op: "replace" | "add"; path: string; value: unknown };

export class PatchError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PatchError";
  }
}

const clone = <T>(value: T): T => (value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T));

/** A new document with the operations applied in order; the input is not changed. */
export function applyPatch<T>(document: T, ops: readonly JsonPatchOp[]): T {
  const root = { doc: clone(document) } as { doc: unknown };
  ops.forEach((op, i) => {
    if (op.op !== "replace" && op.op !== "add") throw new PatchError(`Operation ${i}: "${String(op.op)}" is not supported (only replace and add).`);
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
 * The operations that set `value` at each path of `original`: `replace` where the member exists,
 * otherwise one `add` of the shallowest missing ancestor, holding every write beneath it.
 */
export function patchForWrites(original: unknown, writes: ReadonlyArray<{ segments: readonly PathSegment[]; value: unknown }>): JsonPatchOp[] {
  const ops: JsonPatchOp[] = [];
  const built = new Map<string, { op: JsonPatchOp; depth: number }>();
  for (const { segments, value } of writes) {
    let depth = 1;
    while (depth < segments.length && getIn(original, segments.slice(0, depth)) != null) depth++;
    let target = segments.slice(0, depth);
    const container = getIn(original, target.slice(0, -1));
    // An array can only grow at its end; past that, the whole array is replaced.
    if (Array.isArray(container) && (target[target.length - 1] as number) > container.length) target = target.slice(0, -1);
    if (target.length === segments.length) {
      // A member holding `undefined` is absent once serialised: it has to be added.
      const present = container != null && typeof container === "object" &&
        (container as Record<string, unknown>)[target[target.length - 1] as string] !== undefined;
      ops.push({ op: present ? "replace" : "add", path: toPointer(target), value: clone(value) });
      continue;
    }
    // The ancestor is missing (or null, or an array too short): build it from every write beneath it.
    const pointer = toPointer(target);
    let entry = built.get(pointer);
    if (!entry) {
      const existing = getIn(original, target);
      const holder = { v: existing != null && typeof existing === "object" ? clone(existing) : typeof segments[target.length] === "number" ? [] : {} };
      const parent = getIn(original, target.slice(0, -1)) as Record<string, unknown> | unknown[] | undefined;
      const key = target[target.length - 1];
      const present = parent != null && (parent as Record<string, unknown>)[key as string] !== undefined;
      entry = { op: { op: present ? "replace" : "add", path: pointer, value: holder.v }, depth: target.length };
      built.set(pointer, entry);
      ops.push(entry.op);
    }
    setIn({ root: entry.op.value } as Record<string, unknown>, ["root", ...segments.slice(entry.depth)], clone(value));
  }
  return ops;
}
