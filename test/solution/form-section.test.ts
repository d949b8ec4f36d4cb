/**
 * dist/form-section.xml is what the install command applies to the Opportunity form, and it has
 * the shape solution-format.md §5 read off real exported forms.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { loadDefinitions } from "../../solution/install/definitions";
import { formSectionForReview } from "../../solution/install/form";
import { kid, kids, parseXml, walk } from "../../solution/lib/xml";
import { itUnlessMissing, ROOT, SHARED } from "./build-output";

const section = loadDefinitions(ROOT).section;
const review = formSectionForReview(section);
const form = parseXml(review, "form-section.xml");
const nodes = [...walk(form)];

it("the file the build writes is the review text of the section the install command sends", () => {
  const built = join(ROOT, "dist/form-section.xml");
  expect(existsSync(built)).toBe(true);
  expect(readFileSync(built, "utf8")).toBe(review);
});

it("§5: one section cosell_cosell whose control's uniqueid ties it to a controlDescription for all three form factors", () => {
  const sections = nodes.filter((n) => n.name === "section");
  expect(sections.map((s) => s.attrs.name)).toEqual(["cosell_cosell"]);
  const control = nodes.find((n) => n.name === "control")!;
  expect(control.attrs).toMatchObject({ id: "cosell_syncwithpartnercenter", datafieldname: "cosell_syncwithpartnercenter", disabled: "false" });
  const description = nodes.find((n) => n.name === "controlDescription")!;
  expect(description.attrs.forControl).toBe(control.attrs.uniqueid);
  const custom = kids(description, "customControl");
  expect(custom[0].attrs.formFactor).toBeUndefined();
  expect(custom.slice(1).map((c) => [c.attrs.formFactor, c.attrs.id])).toEqual([["0", undefined], ["1", undefined], ["2", undefined]]);
  for (const c of custom.slice(1)) expect(kid(kid(c, "parameters")!, "syncWithPartnerCenter")?.text).toBe("cosell_syncwithpartnercenter");
});

// The facts below are read off real exports in the team's ../shared, which a user's clone lacks.
const doc = join(SHARED, "docs/solution-format.md");
itUnlessMissing("§5's class ids and stored control name are the ones the section uses", [
  [!existsSync(doc), "form section check against solution-format.md §5 skipped: ../shared/docs not found"],
], () => {
  const text = readFileSync(doc, "utf8");
  const s5 = text.slice(text.indexOf("## 5."), text.indexOf("## 6."));
  const control = nodes.find((n) => n.name === "control")!;
  const custom = kids(nodes.find((n) => n.name === "controlDescription")!, "customControl");
  const guid = (label: RegExp) => s5.match(label)![1];
  expect(control.attrs.classid).toBe(guid(/classid="(\{[0-9A-F-]+\})"/));
  expect(custom[0].attrs.id).toBe(guid(/check-box class `(\{[0-9A-F-]+\})`/));
  expect(s5).toContain(`\`${custom[1].attrs.name}\``);
  expect(s5).toMatch(/formFactor="0" and formFactor="1"/);
  // <section>, <cell> and <control> as §5 writes them: the same attributes, the same fixed values
  // (`{guid}` and `…` stand for ids and sizes of our own).
  for (const name of ["section", "cell", "control"]) {
    const tag = s5.replace(/\s+/g, " ").match(new RegExp(`<${name} ([^>]*?)/?>`))![1];
    const written = Object.fromEntries([...tag.matchAll(/([\w:]+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    const ours = nodes.find((n) => n.name === name)!.attrs;
    expect(Object.keys(ours).sort()).toEqual(Object.keys(written).sort());
    for (const [attr, value] of Object.entries(written)) if (!/^\{guid\}$|…/.test(value)) expect([name, attr, ours[attr]]).toEqual([name, attr, value]);
  }
  // A bound parameter is the column's name with no attributes; a fixed one says its type and static="true".
  for (const p of kid(custom[1], "parameters")!.children) {
    if (Object.keys(p.attrs).length) expect(p.attrs).toMatchObject({ static: "true", type: expect.any(String) });
    else expect(p.text).toMatch(/^cosell_[a-z_]+$|^[a-z_]+$/);
  }
});
