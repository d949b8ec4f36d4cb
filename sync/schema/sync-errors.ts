/**
 * The codes of what a recorded sync error says (`cosell_syncerrorcode` next to `cosell_syncerror`,
 * and `cosell_errorcode` on its sync event), in one list: the service records them, the panel
 * words each in the user's language (`Error_<code>` in its .resx; a test keeps the two equal).
 *
 * Where the first line of the error is always the same sentence (`fixed`), the panel's wording
 * replaces it. Elsewhere the line carries what only the recording knows (Partner Center's own
 * message, the values not written, the field a rejected action needed), and the panel shows it
 * under its wording, as the service wrote it.
 */
const SIDE_KINDS = ["CONCURRENCY", "THROTTLED", "CREDENTIAL", "NOT_FOUND", "VALIDATION", "TRANSIENT"] as const;

export const SYNC_ERROR_CODES = [
  // The engine's own.
  "VALIDATION_FAILED", "REJECTED", "CLOSED_NOT_SENT", "NOT_WRITTEN", "SYNC_OFF",
  // A failed call or a failure of the service (api/core/errors.ts): `<SIDE>_<KIND>` and the rest.
  ...SIDE_KINDS.flatMap((kind) => [`PC_${kind}`, `DV_${kind}`] as const),
  "INVALID_REQUEST", "SIGN_IN_EXPIRED", "PC_SIGN_IN_UNAVAILABLE", "TIMEOUT", "STATE_UNAVAILABLE", "NETWORK", "BUG",
] as const;

export type SyncErrorCode = (typeof SYNC_ERROR_CODES)[number];

/** Codes whose recorded first line is always one sentence of ours: the panel's wording stands in for it. */
export const FIXED_TEXT_CODES: ReadonlySet<SyncErrorCode> = new Set<SyncErrorCode>(["VALIDATION_FAILED", "CLOSED_NOT_SENT", "SYNC_OFF", "SIGN_IN_EXPIRED"]);

/**
 * A recorded error's lines: the first says what happened, each further one is a fix (the engine's
 * problemsText writes them so). Blank lines and stray spaces are not lines; anything not text is none.
 */
export const recordedErrorLines = (text: unknown): string[] =>
  typeof text === "string" ? text.split(/\r?\n/).map((line) => line.trim()).filter(Boolean) : [];

/** The code as recorded, if this version knows it (an older or newer service may write others). */
export const syncErrorCodeOf = (value: unknown): SyncErrorCode | null =>
  typeof value === "string" && (SYNC_ERROR_CODES as readonly string[]).includes(value) ? (value as SyncErrorCode) : null;
