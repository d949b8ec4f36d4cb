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
  if (!info || info.entityTypeName !== "opportunity") return null;
  const id = info.entityId;
  return typeof id === "string" && id.trim() !== "" ? id : null;
}

const LOCALES: Readonly<Record<number, string>> = { 1033: "en-US", 1042: "ko-KR" };

/** The user's language as a BCP 47 tag, for dates and relative times. */
export function localeOf(context: ComponentFramework.Context<IInputs>): string {
  return LOCALES[context.userSettings.languageId] || "en-US";
}

/** The form is read-only, the control disabled, or the user may not edit the sync column. */
export function isReadOnly(context: ComponentFramework.Context<IInputs>): boolean {
  const security = context.parameters.syncWithPartnerCenter.security;
  return context.mode.isControlDisabled || (!!security && security.editable === false);
}

/**
 * The bound columns as plain values; one the host has no value for is null. Read off the host's own
 * parameters (each manifest property, named as its PanelValues field), so the bundle carries no list of
 * them; a property the host leaves out (a form bound before the property existed) stays unset.
 */
export function panelValuesOf(p: IInputs): PanelValues {
  const values: Record<string, unknown> = {};
  for (const name in p) {
    const raw = p[name as keyof IInputs].raw;
    values[name] = raw ?? null;
  }
  values.syncWithPartnerCenter = p.syncWithPartnerCenter.raw === true;
  return values as unknown as PanelValues;
}
