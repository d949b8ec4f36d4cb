/**
 * The one failure of the shared state: the store could not be asked (down, unreachable, timed
 * out, refused our key). Every caller can wait for it to come back — Partner Center redelivers a
 * webhook, the budget keeps its counts, the next reconcile tick tries again — so it is retryable
 * (`STATE_UNAVAILABLE`, core/errors.ts), never a bug.
 */
export class SharedStateUnavailableError extends Error {
  constructor(readonly detail: string, options?: { cause?: unknown }) {
    super("The service's shared state (Azure Table storage) cannot be reached; nothing was done, try again later.", options);
    this.name = "SharedStateUnavailableError";
  }
}
