import type { DynamicsDeal } from "../../../sync/schema/dynamics";

/** The co-sell columns bound to the panel, as plain values (no PCF types). */
export interface PanelValues {
  syncWithPartnerCenter: boolean;
  howCanMicrosoftHelp: number | null;
  /** `;`-separated solution IDs, exactly as stored. */
  solutionIds: string | null;
  referralId: string | null;
  referralLink: string | null;
  syncStatus: number | null;
  syncError: string | null;
  /** What the error's first line says, as a code (SYNC_ERROR_CODES); null on a form bound before the column existed. */
  syncErrorCode: string | null;
  lastSyncedOn: Date | null;
  /** REFERRAL_VISIBILITY; null: visible to Microsoft sellers. */
  referralVisibility: number | null;
  /** Microsoft's CRM (MSX) id of the deal; written by the co-sell service only. */
  microsoftCrmId: string | null;
  /** The seller's notes to Microsoft (sent to the referral's notes). */
  notesForMicrosoft: string | null;
  /** Microsoft's notes on the referral; written by the co-sell service only. */
  notesFromMicrosoft: string | null;
}

/** The columns a seller edits in the panel; the others are written by the co-sell service. */
export type EditableField = "syncWithPartnerCenter" | "howCanMicrosoftHelp" | "solutionIds" | "referralVisibility" | "notesForMicrosoft";
export type PanelEdit = Partial<Pick<PanelValues, EditableField>>;

export const EMPTY_PANEL_VALUES: PanelValues = {
  syncWithPartnerCenter: false,
  howCanMicrosoftHelp: null,
  solutionIds: null,
  referralId: null,
  referralLink: null,
  syncStatus: null,
  syncError: null,
  syncErrorCode: null,
  lastSyncedOn: null,
  referralVisibility: null,
  microsoftCrmId: null,
  notesForMicrosoft: null,
  notesFromMicrosoft: null,
};

/** The loaded deal as it will be once the panel's unsaved values are saved: what validation must judge. */
export function withPanelValues(deal: DynamicsDeal, values: PanelValues): DynamicsDeal {
  const opportunity = {
    ...deal.opportunity,
    cosell_syncwithpartnercenter: values.syncWithPartnerCenter,
    cosell_howcanmicrosofthelp: values.howCanMicrosoftHelp,
    cosell_solutionids: values.solutionIds,
    cosell_referralvisibility: values.referralVisibility,
    cosell_notesformicrosoft: values.notesForMicrosoft,
  };
  return { ...deal, opportunity };
}
