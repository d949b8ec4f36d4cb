/**
 * The panel's user-visible text. The words live in strings/CoSellPanel.<lcid>.resx (read through
 * context.resources.getString); components receive them as one plain object so they stay PCF-free.
 */
export const STRING_KEYS = [
  "Panel_Title",
  "Panel_ReadOnly",
  "Status_Heading",
  "Status_NotSynced",
  "Status_NotSynced_Hint",
  "Status_Pending",
  "Status_Pending_Hint",
  "Status_Synced",
  "Status_LastSynced",
  "Status_Error",
  "Status_Error_Fix",
  "Status_Error_NoDetail",
  "Status_AwaitingResponse",
  "Status_AwaitingResponse_Hint",
  "Status_ClosedInPartnerCenter",
  "Status_ClosedInPartnerCenter_Hint",
  "Status_SignInExpired",
  "Status_SignInExpired_Hint",
  "Status_ExpiredInPartnerCenter",
  "Status_ExpiredInPartnerCenter_Hint",
  "Sync_Label",
  "Sync_On",
  "Sync_Off",
  "Validation_Heading",
  "Validation_Ready",
  "Validation_NeedsRecord",
  "Validation_Loading",
  "Validation_LoadFailed",
  "Help_Label",
  "Help_None",
  "Help_WorkloadSpecificValueProposition",
  "Help_CustomerTechnicalArchitecture",
  "Help_ProofOfConceptOrDemo",
  "Help_QuotesOrLicensing",
  "Help_PostSalesCustomerSuccess",
  "Help_GeneralOrOther",
  "Solutions_Label",
  "Solutions_Input",
  "Solutions_Add",
  "Solutions_Remove",
  "Solutions_Empty",
  "Solutions_Count",
  "Solutions_ErrorEmpty",
  "Solutions_ErrorFormat",
  "Solutions_ErrorDuplicate",
  "Solutions_ErrorLimit",
  "Link_Label",
  "Link_Open",
  "Link_NewTab",
  "Link_None",
  "Link_Unsafe",
  "Link_ReferralId",
  "History_Heading",
  "History_NoRecord",
  "History_Loading",
  "History_Empty",
  "History_LoadFailed",
  "History_ShowMore",
  "History_Retry",
  "History_By",
  "History_Changes",
  "History_Conflicts",
  "History_Conflict",
  "History_Error",
  "History_EmptyValue",
  "History_Unreadable",
  "History_Unknown",
  "Direction_none",
  "Direction_toPartnerCenter",
  "Direction_toDynamics",
  "Direction_both",
  "Trigger_syncNow",
  "Trigger_respond",
  "Trigger_dataverseChange",
  "Trigger_partnerCenterWebhook",
  "Trigger_reconcile",
  "Trigger_backfill",
  "Result_success",
  "Result_noChange",
  "Result_validationFailed",
  "Result_rejected",
  "Result_error",
  "Side_dynamics",
  "Side_partnerCenter",
  "Winner_dynamics",
  "Winner_partnerCenter",
] as const;

export type StringKey = (typeof STRING_KEYS)[number];
export type PanelStrings = Readonly<Record<StringKey, string>>;

export function loadStrings(getString: (key: string) => string): PanelStrings {
  const strings = {} as Record<StringKey, string>;
  for (const key of STRING_KEYS) strings[key] = getString(key);
  return strings;
}

/** Fills `{0}`, `{1}`… the way .resx templates are written; an unknown slot stays visible. */
export function format(template: string, ...args: Array<string | number>): string {
  return template.replace(/\{(\d+)\}/g, (slot, index: string) => {
    const value = args[Number(index)];
    return value === undefined ? slot : String(value);
  });
}
