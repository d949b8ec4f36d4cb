/**
 * Entry point of the ribbon web resource `cosell_/ribbon.js`, exposed as the global `CoSell.Ribbon`.
 * The RibbonDiffXml calls these functions with `<CrmParameter Value="PrimaryControl"/>` (the form context).
 */
import { createRibbonCommands, type FormContext, type RibbonCommands } from "./commands";
import { xrmHost } from "./host";

let commands: RibbonCommands | undefined;
// Xrm is read on first use, not at load: the script may load before the client has set it up.
const ribbon = (): RibbonCommands => (commands ??= createRibbonCommands(xrmHost()));

export const syncNow = (form: FormContext): Promise<void> => ribbon().syncNow(form);
export const acceptReferral = (form: FormContext): Promise<void> => ribbon().acceptReferral(form);
export const declineReferral = (form: FormContext): Promise<void> => ribbon().declineReferral(form);
export const openInPartnerCenter = (form: FormContext): Promise<void> => ribbon().openInPartnerCenter(form);
export const canSyncNow = (form: FormContext): boolean => ribbon().canSyncNow(form);
export const canRespond = (form: FormContext): boolean => ribbon().canRespond(form);
export const canOpenInPartnerCenter = (form: FormContext): boolean => ribbon().canOpenInPartnerCenter(form);
