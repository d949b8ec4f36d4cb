/**
 * Adds the co-sell section to an org's own Opportunity main form (solution-format.md §5): the
 * form differs per org, so the section goes into the form the org has, once (found by name). A form
 * that has the section from an earlier version gets the panel's newer bindings: a property the form
 * does not bind is never read from, nor written to, its column.
 */
import { kid, kids, parseXml, toXml, walk, type XNode } from "../lib/xml";

export interface FormEdit {
  formxml: string;
  changed: boolean;
  /** What changed: the section was added, or the panel in it bound to the columns it lacked. */
  action?: "added" | "rebound";
}

/** Puts the section at the end of the first tab's first column and its controlDescription after <tabs>. */
export function addSection(formxml: string, section: { name: string; xml: string; controlDescriptionXml: string }, where: string): FormEdit {
  const form = parseXml(formxml, where);
  const description = parseXml(section.controlDescriptionXml, "controlDescription");
  if ([...walk(form)].some((n) => n.name === "section" && n.attrs.name === section.name)) return updateDescription(form, formxml, description);
  const tab = kid(kid(form, "tabs") ?? fail(where, "<tabs>"), "tab") ?? fail(where, "a <tab>");
  const column = kid(kid(tab, "columns") ?? fail(where, "<columns> in its first tab"), "column") ?? fail(where, "a <column> in its first tab");
  const sections = kid(column, "sections") ?? fail(where, "<sections> in the first tab's first column");
  sections.children.push(parseXml(section.xml, "section"));
  descriptionsOf(form).children.push(description);
  return { formxml: toXml(form), changed: true, action: "added" };
}

/** The section is there: rewrite its controlDescription only when it lacks one of the panel's parameters. */
function updateDescription(form: XNode, formxml: string, wanted: XNode): FormEdit {
  const descriptions = descriptionsOf(form);
  const id = (n: XNode): string => (n.attrs.forControl ?? "").toLowerCase();
  const at = descriptions.children.findIndex((c) => c.name === "controlDescription" && id(c) === id(wanted));
  if (at >= 0 && bindsAll(descriptions.children[at], wanted)) return { formxml, changed: false };
  if (at >= 0) descriptions.children[at] = wanted;
  else descriptions.children.push(wanted);
  return { formxml: toXml(form), changed: true, action: "rebound" };
}

/** Every per-form-factor entry of `wanted` is in `existing` with at least its parameters (order and values as the org keeps them). */
function bindsAll(existing: XNode, wanted: XNode): boolean {
  const perFactor = (d: XNode) => kids(d, "customControl").filter((c) => c.attrs.formFactor !== undefined);
  const names = (c: XNode | undefined) => new Set((c && kid(c, "parameters")?.children.map((p) => p.name)) ?? []);
  return perFactor(wanted).every((w) => {
    const have = names(perFactor(existing).find((e) => e.attrs.formFactor === w.attrs.formFactor && e.attrs.name === w.attrs.name));
    return [...names(w)].every((n) => have.has(n));
  });
}

function descriptionsOf(form: XNode): XNode {
  let descriptions = kid(form, "controlDescriptions");
  if (!descriptions) {
    descriptions = { name: "controlDescriptions", attrs: {}, children: [], text: "" };
    const at = form.children.findIndex((c) => c.name === "tabs");
    form.children.splice(at + 1, 0, descriptions);
  }
  return descriptions;
}

function fail(where: string, what: string): never {
  throw new Error(`${where}: the form has no ${what}; add the "Microsoft Co-sell" section by hand (solution/INSTALL.md)`);
}

/** The smallest main form the section can go into: what the section adds to a form, and nothing else. */
const EMPTY_FORM = "<form><tabs><tab><columns><column><sections></sections></column></columns></tab></tabs></form>";

/**
 * The section and its controlDescription as `addSection` puts them into a form, written by the
 * build to dist/form-section.xml so an admin can review what the install command will apply.
 */
export function formSectionForReview(section: { name: string; xml: string; controlDescriptionXml: string }): string {
  return addSection(EMPTY_FORM, section, "form-section.xml").formxml;
}
