/**
 * The Dynamics 365 side: the opportunity with its co-sell columns, its customer account and
 * contact, and the co-sell tables. Logical names are the Dataverse ones; this file is the one
 * place in code that spells them (the solution source declares the same columns; a packer test
 * keeps the two equal).
 */
import type { AssistanceRequestCode, CloseReasonCode } from "./referral";

/** The publisher's CustomizationOptionValuePrefix: every choice value is prefix × 10000 + n. Never change it. */
export const OPTION_VALUE_PREFIX = 73150;
const option = (n: number): number => OPTION_VALUE_PREFIX * 10000 + n;

/** Co-sell columns added to `opportunity`. */
export const OPPORTUNITY_COLUMNS = {
  syncWithPartnerCenter: "cosell_syncwithpartnercenter",
  referralId: "cosell_referralid",
  referralLink: "cosell_referrallink",
  howCanMicrosoftHelp: "cosell_howcanmicrosofthelp",
  solutionIds: "cosell_solutionids",
  syncStatus: "cosell_syncstatus",
  syncError: "cosell_syncerror",
  /** What the sync error's first line says, as a code (SYNC_ERROR_CODES): the panel words it in the user's language. */
  syncErrorCode: "cosell_syncerrorcode",
  lastSyncedOn: "cosell_lastsyncedon",
  referralETag: "cosell_referraletag",
  syncSnapshot: "cosell_syncsnapshot",
  closeReason: "cosell_closereason",
  /** Who sees the referral: Microsoft's sellers, or no one but the partner (a private deal). */
  referralVisibility: "cosell_referralvisibility",
  /** Microsoft's CRM (MSX) id of the deal, filled from `trackingInfo.microsoftMsxId`; read-only. */
  microsoftCrmId: "cosell_microsoftcrmid",
  /** What the seller tells Microsoft: sent to the referral's `details.notes`; the Description stays the seller's own. */
  notesForMicrosoft: "cosell_notesformicrosoft",
  /** What Microsoft wrote in `details.notes`, filled by the sync; read-only on the form. */
  notesFromMicrosoft: "cosell_notesfrommicrosoft",
} as const;

/** Co-sell columns added to `lead` (inbound referrals Partner Center classifies as leads). */
export const LEAD_COLUMNS = {
  referralId: "cosell_referralid",
  referralLink: "cosell_referrallink",
} as const;

/** Sync status choice (`cosell_syncstatus`): what the panel shows. */
export const SYNC_STATUS = {
  NotSynced: option(0),
  Pending: option(1),
  Synced: option(2),
  Error: option(3),
  AwaitingResponse: option(4),
  ClosedInPartnerCenter: option(5),
  SignInExpired: option(6),
  ExpiredInPartnerCenter: option(7),
} as const;
export type SyncStatusName = keyof typeof SYNC_STATUS;

/**
 * A co-sell deal that needs someone: in one of `statuses`, or Pending (not carried across yet) for
 * longer than a reconcile interval since it was last written. The service's /health/stuck applies
 * it with the configured interval; the solution's "Co-sell needing attention" view with the
 * default one, since a view's FetchXML holds a fixed number (the packer's tests keep them equal).
 */
export const NEEDS_ATTENTION = {
  statuses: ["Error", "SignInExpired"] as const satisfies readonly SyncStatusName[],
  pending: "Pending" as const satisfies SyncStatusName,
  /** The default reconcile interval, in minutes. */
  defaultPendingMinutes: 15,
};
export type SyncStatusValue = (typeof SYNC_STATUS)[SyncStatusName];

export const SYNC_STATUS_LABELS: Record<SyncStatusName, string> = {
  NotSynced: "Not synced",
  Pending: "Pending",
  Synced: "Synced",
  Error: "Error",
  AwaitingResponse: "Awaiting your response",
  ClosedInPartnerCenter: "Closed in Partner Center",
  SignInExpired: "Sign-in expired",
  ExpiredInPartnerCenter: "Expired in Partner Center",
};

export function syncStatusName(value: number | null | undefined): SyncStatusName | undefined {
  return (Object.keys(SYNC_STATUS) as SyncStatusName[]).find((k) => SYNC_STATUS[k] === value);
}

/** "How can Microsoft help?" choice (`cosell_howcanmicrosofthelp`) ↔ `inviteContext.assistanceRequestCode` (D.4). */
export const HELP_TYPES: ReadonlyArray<{ value: number; code: Exclude<AssistanceRequestCode, "Unknown"> }> = [
  { value: option(0), code: "WorkloadSpecificValueProposition" },
  { value: option(1), code: "CustomerTechnicalArchitecture" },
  { value: option(2), code: "ProofOfConceptOrDemo" },
  { value: option(3), code: "QuotesOrLicensing" },
  { value: option(4), code: "PostSalesCustomerSuccess" },
  { value: option(5), code: "GeneralOrOther" },
];
/** Their English labels (the solution's option labels); apart, so the panel, which has its own strings, does not carry them. */
export const HELP_TYPE_LABELS: Record<(typeof HELP_TYPES)[number]["code"], string> = {
  WorkloadSpecificValueProposition: "Workload-specific value proposition",
  CustomerTechnicalArchitecture: "Customer technical architecture",
  ProofOfConceptOrDemo: "Proof of concept / Demo",
  QuotesOrLicensing: "Quotes and licensing",
  PostSalesCustomerSuccess: "Post-sales customer success",
  GeneralOrOther: "General or other",
};

/**
 * Referral visibility choice (`cosell_referralvisibility`) ↔ `consent.consentToShareReferralWithMicrosoftSellers`
 * (create-a-referral: false makes a private deal). No value means visible, as every deal was before the choice existed.
 */
export const REFERRAL_VISIBILITY = {
  MicrosoftSellers: option(20),
  Private: option(21),
} as const;
export const REFERRAL_VISIBILITY_LABELS: Record<keyof typeof REFERRAL_VISIBILITY, string> = {
  MicrosoftSellers: "Visible to Microsoft sellers",
  Private: "Private (not shared with Microsoft sellers)",
};

/** Close reason choice (`cosell_closereason`) ↔ the eight decline/lost reasons (partner-center.md §2.4). */
export function closeReasonValue(code: CloseReasonCode): number {
  return option(100 + code);
}
export function closeReasonCode(value: number | null | undefined): CloseReasonCode | undefined {
  if (value == null) return undefined;
  const code = value - option(100);
  return code >= 1 && code <= 8 ? (code as CloseReasonCode) : undefined;
}

/** Opportunity statecode / statuscode (system values). */
export const OPPORTUNITY_STATE = { Open: 0, Won: 1, Lost: 2 } as const;
export const OPPORTUNITY_STATUS = { InProgress: 1, OnHold: 2, Won: 3, Canceled: 4, OutSold: 5 } as const;

export interface OpportunityRecord {
  opportunityid: string;
  name?: string | null;
  description?: string | null;
  estimatedvalue?: number | null;
  /** Date only, `YYYY-MM-DD`. */
  estimatedclosedate?: string | null;
  statecode?: number;
  statuscode?: number;
  modifiedon?: string;
  createdon?: string;
  _customerid_value?: string | null;
  _parentcontactid_value?: string | null;
  _transactioncurrencyid_value?: string | null;
  cosell_syncwithpartnercenter?: boolean | null;
  cosell_referralid?: string | null;
  cosell_referrallink?: string | null;
  cosell_howcanmicrosofthelp?: number | null;
  /** Solution IDs separated by `;` (D.5). */
  cosell_solutionids?: string | null;
  cosell_syncstatus?: number | null;
  cosell_syncerror?: string | null;
  cosell_syncerrorcode?: string | null;
  cosell_lastsyncedon?: string | null;
  cosell_referraletag?: string | null;
  /** JSON of the engine's SyncSnapshot. */
  cosell_syncsnapshot?: string | null;
  cosell_closereason?: number | null;
  /** REFERRAL_VISIBILITY; null: visible to Microsoft sellers. */
  cosell_referralvisibility?: number | null;
  cosell_microsoftcrmid?: string | null;
  "@odata.etag"?: string;
  [column: string]: unknown;
}

export interface AccountRecord {
  accountid: string;
  name?: string | null;
  address1_line1?: string | null;
  address1_line2?: string | null;
  address1_city?: string | null;
  address1_stateorprovince?: string | null;
  address1_postalcode?: string | null;
  address1_country?: string | null;
  numberofemployees?: number | null;
  [column: string]: unknown;
}

export interface ContactRecord {
  contactid: string;
  firstname?: string | null;
  lastname?: string | null;
  emailaddress1?: string | null;
  telephone1?: string | null;
  [column: string]: unknown;
}

export interface CurrencyRecord {
  transactioncurrencyid?: string;
  isocurrencycode: string;
  /** Decimals the currency's money columns keep (Dataverse transactioncurrency.currencyprecision). */
  currencyprecision?: number | null;
}

/** Decimals a currency column keeps when the currency record does not say (Dataverse's default precision). */
export const DEFAULT_CURRENCY_PRECISION = 2;

/** Everything the engine sees of one deal on the Dynamics side. Mapping paths name these parts: `opportunity.x`, `account.x`, `contact.x`, `currency.x`. */
export interface DynamicsDeal {
  opportunity: OpportunityRecord;
  account: AccountRecord | null;
  contact: ContactRecord | null;
  currency: CurrencyRecord | null;
}

/** The audit table `cosell_syncevent`. */
export const SYNC_EVENT_TABLE = { logicalName: "cosell_syncevent", entitySet: "cosell_syncevents" } as const;
export const SYNC_EVENT_COLUMNS = {
  id: "cosell_synceventid",
  name: "cosell_name",
  opportunity: "cosell_opportunity",
  occurredOn: "cosell_occurredon",
  direction: "cosell_direction",
  trigger: "cosell_trigger",
  result: "cosell_result",
  initiatedBy: "cosell_initiatedby",
  changes: "cosell_changes",
  conflicts: "cosell_conflicts",
  errorCode: "cosell_errorcode",
  errorMessage: "cosell_errormessage",
  referralId: "cosell_referralid",
  operationId: "cosell_operationid",
  correlationId: "cosell_correlationid",
} as const;

/** Web API query options for an opportunity's sync events, newest first: the panel's timeline and the ribbon's outcome read the same order. */
export const syncEventsQuery = (opportunityId: string, select: readonly string[]): string =>
  `?$select=${select.join(",")}&$filter=_${SYNC_EVENT_COLUMNS.opportunity}_value eq ${opportunityId}` +
  `&$orderby=${SYNC_EVENT_COLUMNS.occurredOn} desc,createdon desc`;

/** The result a sync event's choice value stands for (null for a value this version does not know). */
export const syncResultOf = (value: unknown): SyncResult | null => SYNC_RESULTS.find((r) => syncResultValue(r) === value) ?? null;

/**
 * The MaxLength of the text columns the service writes free text into, as the solution declares
 * them (solution/src/Entities/<table>/Entity.xml; test/solution/text-lengths.test.ts keeps them equal).
 * Dataverse refuses a longer value, and then nothing of the write is kept.
 */
export const TEXT_LENGTHS = {
  [OPPORTUNITY_COLUMNS.syncError]: 10_000,
  [OPPORTUNITY_COLUMNS.notesForMicrosoft]: 2_000,
  [OPPORTUNITY_COLUMNS.notesFromMicrosoft]: 2_000,
  [SYNC_EVENT_COLUMNS.name]: 100,
  [SYNC_EVENT_COLUMNS.initiatedBy]: 200,
  [SYNC_EVENT_COLUMNS.errorCode]: 100,
  [SYNC_EVENT_COLUMNS.errorMessage]: 4_000,
  [SYNC_EVENT_COLUMNS.referralId]: 100,
  [SYNC_EVENT_COLUMNS.operationId]: 100,
  [SYNC_EVENT_COLUMNS.correlationId]: 100,
} as const;

/** `text` as a column of `maxLength` can hold it: cut with an ellipsis, never refused. */
export function fitText(text: string, maxLength: number): string {
  return text.length > maxLength ? `${text.slice(0, maxLength - 1)}…` : text;
}

export const SYNC_DIRECTIONS = ["none", "toPartnerCenter", "toDynamics", "both"] as const;
export type SyncDirection = (typeof SYNC_DIRECTIONS)[number];
export const SYNC_TRIGGERS = [
  "syncNow", "respond", "dataverseChange", "partnerCenterWebhook", "reconcile", "backfill",
] as const;
export type SyncTrigger = (typeof SYNC_TRIGGERS)[number];
export const SYNC_RESULTS = ["success", "noChange", "validationFailed", "rejected", "error"] as const;
export type SyncResult = (typeof SYNC_RESULTS)[number];

/** Choice values of the sync event's direction / trigger / result columns, in the order above. */
export const syncDirectionValue = (d: SyncDirection): number => option(200 + SYNC_DIRECTIONS.indexOf(d));
export const syncTriggerValue = (t: SyncTrigger): number => option(300 + SYNC_TRIGGERS.indexOf(t));
export const syncResultValue = (r: SyncResult): number => option(400 + SYNC_RESULTS.indexOf(r));

/** The settings table `cosell_setting` (one row per named setting; `cosell_name` is unique). */
export const SETTING_TABLE = { logicalName: "cosell_setting", entitySet: "cosell_settings" } as const;
export const SETTING_COLUMNS = { id: "cosell_settingid", name: "cosell_name", value: "cosell_value" } as const;
export const SETTING_NAMES = {
  reconcileWatermark: "reconcile.watermark",
  mappingDocument: "mapping.document",
} as const;

/** Environment variables the solution carries (service URL for the install command). */
export const ENVIRONMENT_VARIABLES = { serviceUrl: "cosell_ServiceUrl" } as const;

/** Custom APIs (bound to opportunity) and their request parameters. */
export const CUSTOM_APIS = {
  syncOpportunity: { uniqueName: "cosell_SyncOpportunity", parameters: [] as const },
  respondToReferral: { uniqueName: "cosell_RespondToReferral", parameters: ["Decision", "Reason"] as const },
} as const;
export type ReferralDecision = "accept" | "decline";
