/**
 * What went wrong with a command, in words a seller can act on. Dataverse rejects with
 * `{ errorCode, message }` (errorCode as a positive decimal) or, for transport failures, a plain Error.
 */

/** SecLib::AccessCheckEx / PrivilegeDenied. */
const NO_PERMISSION = new Set([0x80040220, 0x80042f09]);
/** ConcurrencyVersionMismatch and its optimistic-concurrency relatives. */
const RECORD_CHANGED = new Set([0x80060882, 0x80060883]);
/** ObjectDoesNotExist: the record was deleted meanwhile. */
const RECORD_GONE = new Set([0x80040217]);

export interface Failure {
  /** One or two sentences for the dialog. */
  message: string;
  /** Code and server text for support; never a stack trace. */
  details: string;
}

export const FAILURE_MESSAGES = {
  serviceUnreachable:
    "The co-sell service did not answer, so nothing was sent to Partner Center. Try again in a few minutes; if it keeps failing, ask your admin to check the co-sell service.",
  noPermission: "You don't have permission to do this. Ask your admin to give you the co-sell role.",
  recordChanged: "Someone else changed this opportunity at the same time. The form now shows their changes; check them and try again.",
  recordGone: "This opportunity no longer exists; it may have been deleted.",
  offline: "Dynamics 365 could not be reached. Check your connection and try again.",
  saveFailed: "The opportunity could not be saved, so nothing was sent. Fix what the form shows and try again.",
} as const;

function fields(error: unknown): { code?: number; status?: number; text: string } {
  if (typeof error === "object" && error !== null) {
    const e = error as { errorCode?: unknown; status?: unknown; message?: unknown; statusText?: unknown };
    const code = typeof e.errorCode === "number" ? e.errorCode : undefined;
    const status = typeof e.status === "number" ? e.status : undefined;
    const text = typeof e.message === "string" ? e.message : typeof e.statusText === "string" ? e.statusText : "";
    return { code, status, text };
  }
  return { text: typeof error === "string" ? error : "" };
}

export function describeFailure(error: unknown): Failure {
  const { code, status, text } = fields(error);
  // Only the first line: server messages sometimes carry a trace after it.
  const firstLine = text.split(/\r?\n/)[0].trim().slice(0, 500);
  const details = [code !== undefined ? `0x${code.toString(16)}` : status !== undefined ? `HTTP ${status}` : "", firstLine]
    .filter(Boolean)
    .join(": ");
  const message =
    (code !== undefined && NO_PERMISSION.has(code)) || status === 403 ? FAILURE_MESSAGES.noPermission
    : (code !== undefined && RECORD_CHANGED.has(code)) || status === 412 ? FAILURE_MESSAGES.recordChanged
    : (code !== undefined && RECORD_GONE.has(code)) || status === 404 ? FAILURE_MESSAGES.recordGone
    : code === undefined && status === undefined && (error instanceof TypeError || /network|failed to fetch|offline/i.test(text))
      ? FAILURE_MESSAGES.offline
    : FAILURE_MESSAGES.serviceUnreachable;
  return { message, details };
}
