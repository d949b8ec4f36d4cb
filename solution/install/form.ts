/**
 * Adds the co-sell section to an org's own Opportunity main form (solution-format.md §5): the
 * form differs per org, so the section goes into the form the org has, once (found by name).
 */
import { kid, parseXml, toXml, walk } from "../lib/xml";

export interface FormEdit { formxml: string; changed: boolean }

/** Puts the section at the end of the first tab's first column and its controlDescription after <tabs>. */
export function addSection(formxml: string, section: { name: string; xml: string; controlDescriptionXml: string }, where: string): FormEdit {
  const form = parseXml(formxml, where);
  if ([...walk(form)].some((n) => n.name === "section" && n.attrs.name === section.name)) return { formxml, changed: false };
  const tab = kid(kid(form, "tabs") ?? fail(where, "<tabs>"), "tab") ?? fail(where, "a <tab>");
  const column = kid(kid(tab, "columns") ?? fail(where, "<columns> in its first tab"), "column") ?? fail(where, "a <column> in its first tab");
  const sections = kid(column, "sections") ?? fail(where, "<sections> in the first tab's first column");
  sections.children.push(parseXml(section.xml, "section"));
  const description = parseXml(section.controlDescriptionXml, "controlDescription");
  let descriptions = kid(form, "controlDescriptions");
  if (!descriptions) {
    descriptions = { name: "controlDescriptions", attrs: {}, children: [], text: "" };
    const at = form.children.findIndex((c) => c.name === "tabs");
    form.children.splice(at + 1, 0, descriptions);
  }
  descriptions.children.push(description);
  return { formxml: toXml(form), changed: true };
}

function fail(where: string, what: string): never {
  throw new Error(`${where}: the form has no ${what}; add the "Microsoft Co-sell" section by hand (solution/INSTALL.md)`);
}
