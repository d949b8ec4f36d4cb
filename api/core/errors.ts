/**
 * Every failure becomes one of a few kinds with a stable code, written to the sync event
 * (`cosell_errorcode`) and counted in /health, so failures can be counted and replayed.
 * Codes are `<SIDE>_<KIND>` (e.g. `PC_THROTTLED`, `DV_CONCURRENCY`); `INVALID_REQUEST` (a request
 * or a setting the service cannot use), `SIGN_IN_EXPIRED`, `STATE_UNAVAILABLE` and `BUG` stand
 * alone. The list of them all is sync/schema/sync-errors.ts (the panel words each one).
 */
import type { SyncErrorCode } from "../../sync/schema/sync-errors";

export type FailureKind =
  | "validation"
  | "concurrency"
  | "throttled"
  | "credential"
  | "notFound"
  | "transient"
  | "bug";

export interface ClassifiedFailure {
  kind: FailureKind;
  code: SyncErrorCode;
  message: string;
  /** Worth another attempt later (reconcile or a webhook redelivery will retry it). */
  retryable: boolean;
}

/** The two clients expose `kind` on their errors; anything else is our own bug. */
const CLIENT_KINDS: Record<string, FailureKind> = {
  concurrency: "concurrency",
  throttled: "throttled",
  credential: "credential",
  notFound: "notFound",
  validation: "validation",
  transient: "transient",
  unknown: "transient",
};

/** What the seller reads on the form when the service's Partner Center sign-in no longer works (D.9). */
export const SIGN_IN_EXPIRED_TEXT = "Partner Center sign-in expired — ask your Co-sell admin to run the login command again.";

/**
 * Partner Center refused our sign-in: the silent refresh failed (SignInExpiredError) or the API
 * refused the token even after a refresh (a credential PartnerCenterError). Only a person running
 * the login command fixes either, so both get the same code and message.
 */
function isPartnerCenterSignInFailure(error: Error): boolean {
  if (error.name === "SignInExpiredError") return true;
  if (error.name !== "PartnerCenterError") return false;
  const { kind, code } = error as { kind?: unknown; code?: unknown };
  return kind === "credential" || (typeof code === "string" && code.toLowerCase() === "signinexpired");
}

const RETRYABLE: ReadonlySet<FailureKind> = new Set(["concurrency", "throttled", "transient"]);

/** Raised by the service itself when a request or a record cannot be used as it is. */
export class ServiceValidationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ServiceValidationError";
  }
}

function sideOf(error: Error): "PC" | "DV" | undefined {
  if (error.name.startsWith("PartnerCenter") || error.name === "SignInExpiredError") return "PC";
  if (error.name.startsWith("Dataverse") || error.name === "ConcurrencyError") return "DV";
  return undefined;
}

export function classifyFailure(error: unknown): ClassifiedFailure {
  const message = error instanceof Error ? error.message : String(error);
  if (!(error instanceof Error)) return { kind: "bug", code: "BUG", message, retryable: false };
  if (isPartnerCenterSignInFailure(error)) {
    return { kind: "credential", code: "SIGN_IN_EXPIRED", message: SIGN_IN_EXPIRED_TEXT, retryable: false };
  }
  // The sign-in service was out of reach while refreshing: the sign-in itself may be fine.
  if (error.name === "SignInUnavailableError") return { kind: "transient", code: "PC_SIGN_IN_UNAVAILABLE", message, retryable: true };
  if (error instanceof ServiceValidationError) {
    return { kind: "validation", code: "INVALID_REQUEST", message, retryable: false };
  }
  if (error.name === "TimeoutError") return { kind: "transient", code: "TIMEOUT", message, retryable: true };
  // The instances' shared state (api/shared-state) could not be asked: nothing was done, so all of it can be tried again.
  if (error.name === "SharedStateUnavailableError") return { kind: "transient", code: "STATE_UNAVAILABLE", message, retryable: true };
  const side = sideOf(error);
  const rawKind = (error as { kind?: unknown }).kind;
  const kind =
    error.name === "ConcurrencyError" ? "concurrency" : typeof rawKind === "string" ? CLIENT_KINDS[rawKind] : undefined;
  if (side && kind) {
    return { kind, code: `${side}_${kind.replace(/[A-Z]/g, (c) => "_" + c).toUpperCase()}` as SyncErrorCode, message, retryable: RETRYABLE.has(kind) };
  }
  // fetch's network failures are TypeErrors carrying a cause: passing trouble, not a bug.
  if (error.name === "TypeError" && (error as { cause?: unknown }).cause !== undefined) {
    return { kind: "transient", code: "NETWORK", message, retryable: true };
  }
  return { kind: "bug", code: "BUG", message, retryable: false };
}
