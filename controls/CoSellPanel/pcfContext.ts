/** Reading the PCF context: the only module besides index.ts that knows the framework's shapes. */
import type { IInputs } from "./generated/ManifestTypes";
import type { PanelValues } from "./model/panelValues";

/**
 * The id of the opportunity on the form. `contextInfo` is not in the public typings but every
 * model-driven host fills it (dataverse.md §1.4); this is the one place that reads it. Null for a
 * new record, and for anything that is not an opportunity: the test harness passes a sample id with
 * no table name, and has no Web API to read it with.
 */
export function recordIdOf(context: ComponentFramework.Context<IInputs>): string | null {
  const mode = context.mode as ComponentFramework.Mode & { contextInfo?: { entityId?: string | null; entityTypeName?: string | null } };
  const info = mode.contextInfo;
  if (info?.entityTypeName !== "opportunity") return null;
  const id = info.entityId;
  return typeof id === "string" && id.trim() !== "" ? id : null;
}

const LOCALES: Readonly<Record<number, string>> = { 1033: "en-US", 1042: "ko-KR" };

/** The user's language as a BCP 47 tag, for dates and relative times. */
export function localeOf(context: ComponentFramework.Context<IInputs>): string {
  return LOCALES[context.userSettings.languageId] ?? "en-US";
}

/** The form is read-only, the control disabled, or the user may not edit the sync column. */
export function isReadOnly(context: ComponentFramework.Context<IInputs>): boolean {
  return context.mode.isControlDisabled || context.parameters.syncWithPartnerCenter.security?.editable === false;
}

export function panelValuesOf(p: IInputs): PanelValues {
  return {
    syncWithPartnerCenter: p.syncWithPartnerCenter.raw === true,
    howCanMicrosoftHelp: p.howCanMicrosoftHelp.raw ?? null,
    solutionIds: p.solutionIds.raw ?? null,
    referralId: p.referralId.raw ?? null,
    referralLink: p.referralLink.raw ?? null,
    syncStatus: p.syncStatus.raw ?? null,
    syncError: p.syncError.raw ?? null,
    lastSyncedOn: p.lastSyncedOn.raw ?? null,
  };
}
