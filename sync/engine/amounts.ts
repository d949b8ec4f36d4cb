/**
 * Amounts as Dataverse stores them and a person reads them: the money range, the decimals a
 * currency keeps, and numbers written out in full (a seller's 99999999999999999 must never come
 * back as 1e17).
 */
import { MONEY_RANGE } from "../contracts/money";

const MONEY_LIMIT = MONEY_RANGE.max;

/** A number as a person writes it: thousands separators, never exponent form (1e17). */
export function plainNumber(n: number): string {
  return Number.isInteger(n) ? BigInt(n).toLocaleString("en-US") : n.toLocaleString("en-US", { maximumFractionDigits: 20 });
}

/** Whether `value` has more than `decimals` places (compared after printing, so 0.1 + 0.2 is not "3 places"). */
function hasMoreDecimals(value: number, decimals: number): boolean {
  return Math.abs(Number(value.toFixed(decimals)) - value) > Number.EPSILON * Math.max(1, Math.abs(value));
}

/** Why an amount cannot be stored as it is: not finite, beyond MONEY_LIMIT, or more decimals than `decimals`. */
export function amountProblem(value: unknown, decimals: number): string | undefined {
  if (value == null) return undefined;
  if (typeof value !== "number" || !Number.isFinite(value)) return `${typeof value === "number" ? String(value) : JSON.stringify(value)} is not a finite number`;
  if (Math.abs(value) > MONEY_LIMIT) return `${plainNumber(value)} is more than Dataverse can hold (at most ${plainNumber(MONEY_LIMIT)})`;
  if (hasMoreDecimals(value, decimals)) return `${plainNumber(value)} has more than ${decimals} decimal${decimals === 1 ? "" : "s"}`;
  return undefined;
}

