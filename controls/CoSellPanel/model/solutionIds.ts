import { MAX_SOLUTIONS, SOLUTION_ID_PATTERN } from "../../../sync/schema/referral";

export type SolutionIdRefusal = "empty" | "format" | "duplicate" | "limit";

/** Why a typed solution ID cannot join the list, or null when it can. Duplicates ignore case, as Partner Center does. */
export function refuseSolutionId(candidate: string, existing: readonly string[]): SolutionIdRefusal | null {
  const id = candidate.trim();
  if (id === "") return "empty";
  if (!SOLUTION_ID_PATTERN.test(id)) return "format";
  if (existing.some((e) => e.toUpperCase() === id.toUpperCase())) return "duplicate";
  if (existing.length >= MAX_SOLUTIONS) return "limit";
  return null;
}

/** The stored form: `;`-separated, and no value at all for an empty list. */
export function joinSolutionIds(ids: readonly string[]): string | null {
  return ids.length === 0 ? null : ids.join(";");
}
