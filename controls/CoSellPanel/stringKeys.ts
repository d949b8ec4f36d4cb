/**
 * Every key of the panel's .resx files, and their type. Each engine choice (status, help type,
 * referral visibility, sync direction, trigger, result) has a key named after the engine's own lists,
 * so a new choice in the engine needs its text here, and the .resx test names what is missing.
 * Only the type reaches the bundle (strings.ts reads texts as they are used); the list is for tests.
 */
import {
  HELP_TYPES, REFERRAL_VISIBILITY, SYNC_DIRECTIONS, SYNC_RESULTS, SYNC_STATUS, SYNC_TRIGGERS,
  type SyncDirection, type SyncResult, type SyncStatusName, type SyncTrigger,
} from "../../sync/schema/dynamics";
import defaultMapping from "../../sync/engine/default-mapping.json";
import { VALIDATION_CODES } from "../../sync/engine/validation-messages";
import { SYNC_ERROR_CODES, type SyncErrorCode } from "../../sync/schema/sync-errors";

/**
 * The codes of the problems the engine's validation reports, each with its sentence as
 * `Problem_<code>` ({0}… fill with the problem's args): the engine's own list of them.
 */
export const PROBLEM_CODES: readonly string[] = VALIDATION_CODES;

/** The fields a sync event names that have a label: the default mapping's, and the rows the engine adds itself (status moves, the link to the referral). */
export const LABELLED_FIELDS: readonly string[] = [
  ...defaultMapping.fields.map((f) => f.name),
  "referralStatus", "statusReason", "opportunityState", "closeReason", "referralId",
];

/** The panel's own keys. */
const PANEL_KEYS = [
  "Panel_Title", "Panel_ReadOnly",
  "Status_Heading", "Status_LastSynced", "Status_Error_Fix", "Status_Error_NoDetail", "Status_Error_Fixed", "Status_NotSynced_Hint",
  "Status_Pending_Hint", "Status_AwaitingResponse_Hint", "Status_ClosedInPartnerCenter_Hint",
  "Status_SignInExpired_Hint", "Status_ExpiredInPartnerCenter_Hint",
  "Sync_Label", "Sync_On", "Sync_Off",
  "Validation_Heading", "Validation_Ready", "Validation_NeedsRecord", "Validation_Loading",
  "Validation_LoadFailed",
  "Help_Label", "Help_None",
  "Visibility_Label", "Visibility_PrivateHint",
  "Solutions_Label", "Solutions_Input", "Solutions_Add", "Solutions_Remove", "Solutions_Empty",
  "Solutions_Count", "Solutions_ErrorEmpty", "Solutions_ErrorFormat", "Solutions_ErrorDuplicate",
  "Solutions_ErrorLimit",
  "Link_Label", "Link_Open", "Link_NewTab", "Link_None", "Link_Unsafe", "Link_ReferralId",
  "Link_MicrosoftCrmId",
  "Notes_ForMicrosoft_Label", "Notes_ForMicrosoft_Hint", "Notes_FromMicrosoft_Label", "Notes_FromMicrosoft_None",
  "History_Heading", "History_NoRecord", "History_Loading", "History_Empty", "History_LoadFailed",
  "History_ShowMore", "History_Retry", "History_By", "History_Changes", "History_Conflicts",
  "History_Conflict", "History_Error", "History_EmptyValue", "History_Unreadable", "History_Unknown",
  "Side_dynamics", "Side_partnerCenter",
  "Winner_dynamics", "Winner_partnerCenter",
  "Action_Shared", "Action_Created", "Action_Linked", "Action_Accepted", "Action_Declined", "Action_WonSent", "Action_LostSent", "Action_ClosedWon", "Action_ClosedLost", "Action_SentField", "Action_Sent", "Action_MicrosoftUpdatedField", "Action_MicrosoftUpdated", "Action_Synced", "Action_Checked", "Action_NotSent", "Action_Failed", "Action_Recorded",
] as const;

type HelpCode = (typeof HELP_TYPES)[number]["code"];

export type StringKey =
  | (typeof PANEL_KEYS)[number]
  | `Status_${SyncStatusName}`
  | `Help_${HelpCode}`
  | `Visibility_${keyof typeof REFERRAL_VISIBILITY}`
  | `Direction_${SyncDirection}`
  | `Trigger_${SyncTrigger}`
  | `Result_${SyncResult}`
  | `Field_${string}`
  | `Problem_${string}`
  | `Error_${SyncErrorCode}`;

const prefixed = (prefix: string, names: readonly string[]): string[] => names.map((n) => `${prefix}_${n}`);

/** Every key the panel reads, in no particular order. */
export const STRING_KEYS = ([...PANEL_KEYS] as string[]).concat(
  prefixed("Status", Object.keys(SYNC_STATUS)),
  prefixed("Help", HELP_TYPES.map((h) => h.code)),
  prefixed("Visibility", Object.keys(REFERRAL_VISIBILITY)),
  prefixed("Direction", SYNC_DIRECTIONS),
  prefixed("Trigger", SYNC_TRIGGERS),
  prefixed("Result", SYNC_RESULTS),
  prefixed("Field", LABELLED_FIELDS),
  prefixed("Problem", PROBLEM_CODES),
  prefixed("Error", SYNC_ERROR_CODES),
) as readonly StringKey[];
