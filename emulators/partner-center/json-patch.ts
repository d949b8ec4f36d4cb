/** RFC 6902 `add` / `replace` over a JSON document, as the Referrals API supports (§1.5). */
import { ERROR_CODES, PATCH_OPS } from "../../sync/contracts/partner-center-referrals";
import { ApiError } from "./rules";

export interface PatchOp {
  op: string;
  path: string;
  value?: unknown;
}

const bad = (message: string, target: string) => new ApiError(400, ERROR_CODES.invalidRequest, message, target);

/** RFC 6901 pointer → segments. */
export function pointer(path: string): string[] {
  if (path === "") return [];
  if (!path.startsWith("/")) throw bad(`"${path}" is not a JSON pointer`, path);
  return path.slice(1).split("/").map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"));
}

export function parsePatch(body: unknown): PatchOp[] {
  if (!Array.isArray(body)) throw bad("A JSON Patch document (an array of operations) is required", "body");
  return body.map((op, i) => {
    if (op === null || typeof op !== "object") throw bad(`operation ${i} is not an object`, `[${i}]`);
    const { op: name, path, value } = op as Record<string, unknown>;
    if (!(PATCH_OPS as readonly unknown[]).includes(name)) throw bad(`operation ${i}: "${String(name)}" is not supported; only ${PATCH_OPS.join(" and ")} are`, `[${i}].op`);
    if (typeof path !== "string") throw bad(`operation ${i} has no path`, `[${i}].path`);
    if (!("value" in (op as object))) throw bad(`operation ${i} (${name} ${path}) has no value`, path);
    return { op: name as string, path, value };
  });
}

/**
 * Applies ops to a deep copy. Both ops need an existing parent. The service patches a typed model,
 * where every schema property exists (possibly null), so `replace` of an absent member is allowed;
 * array indexes must exist for `replace`.
 */
export function applyPatch<T>(doc: T, ops: PatchOp[]): T {
  const root = structuredClone(doc) as unknown;
  for (const op of ops) {
    const segs = pointer(op.path);
    if (segs.length === 0) throw bad("replacing the whole document is not supported", op.path);
    let parent: unknown = root;
    for (const s of segs.slice(0, -1)) {
      const next = Array.isArray(parent) ? parent[Number(s)] : (parent as Record<string, unknown> | null)?.[s];
      if (next === undefined || next === null || typeof next !== "object") throw bad(`path ${op.path} does not exist`, op.path);
      parent = next;
    }
    const last = segs[segs.length - 1];
    const value = structuredClone(op.value);
    if (Array.isArray(parent)) {
      const index = last === "-" ? parent.length : Number(last);
      if (!/^(\d+|-)$/.test(last) || index > parent.length || (op.op === "replace" && index >= parent.length)) {
        throw bad(`array index ${last} is out of range in ${op.path}`, op.path);
      }
      if (op.op === "add") parent.splice(index, 0, value);
      else parent[index] = value;
    } else {
      (parent as Record<string, unknown>)[last] = value;
    }
  }
  return root as T;
}
