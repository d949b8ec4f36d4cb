export { DataverseClient, OPPORTUNITY_SELECT, ACCOUNT_SELECT, CONTACT_SELECT, REFERRAL_IDS_PER_QUERY, MAX_BATCH_OPERATIONS } from "./client";
export type { DataverseClientOptions, CloseOptions, SyncEventInput, SyncEventRecord, Page, BatchOperation, DealWithETag, ChangeSetResult } from "./client";
export { buildChangeSetBatch, parseChangeSetBatchResponse, type ChangeSetAnswer, type BatchResponsePart } from "./batch";
export { DataverseError, ConcurrencyError, toDataverseError, type DataverseErrorKind } from "./errors";
export { Semaphore } from "./semaphore";
export { staticTokenProvider, msalTokenProvider, type TokenProvider, type ClientCredentials } from "./token";
export * from "./remote-execution-context";
