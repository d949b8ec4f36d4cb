export { DataverseClient, OPPORTUNITY_SELECT, ACCOUNT_SELECT, CONTACT_SELECT } from "./client";
export type { DataverseClientOptions, CloseOptions, SyncEventInput, SyncEventRecord, Page, BatchOperation } from "./client";
export { DataverseError, ConcurrencyError, toDataverseError, type DataverseErrorKind } from "./errors";
export { Semaphore } from "./semaphore";
export { staticTokenProvider, msalTokenProvider, type TokenProvider, type ClientCredentials } from "./token";
export * from "./remote-execution-context";
