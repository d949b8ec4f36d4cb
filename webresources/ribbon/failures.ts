/**
 * What went wrong with a command, in words a seller can act on. Dataverse rejects with
 * `{ errorCode, message }` (errorCode as a positive decimal) or, for transport failures, a plain Error.
 */
import { textsFor, type Texts } from "../texts";

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

/** The English texts (tests and support read them); describeFailure takes the user's. */
export const FAILURE_MESSAGES = textsFor(1033).failures;

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

export function describeFailure(error: unknown, messages: Texts["failures"] = FAILURE_MESSAGES): Failure {
  const { code, status, text } = fields(error);
  // Only the first line: server messages sometimes carry a trace after it.
  const firstLine = text.split(/\r?\n/)[0].trim().slice(0, 500);
  const details = [code !== undefined ? `0x${code.toString(16)}` : status !== undefined ? `HTTP ${status}` : "", firstLine]
    .filter(Boolean)
    .join(": ");
  const message =
    (code !== undefined && NO_PERMISSION.has(code)) || status === 403 ? messages.noPermission
    : (code !== undefined && RECORD_CHANGED.has(code)) || status === 412 ? messages.recordChanged
    : (code !== undefined && RECORD_GONE.has(code)) || status === 404 ? messages.recordGone
    : code === undefined && status === undefined && (error instanceof TypeError || /network|failed to fetch|offline/i.test(text))
      ? messages.offline
    : messages.serviceUnreachable;
  return { message, details };
}
