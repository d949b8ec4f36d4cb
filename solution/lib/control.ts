/**
 * The PCF panel: its built manifest is the truth for its name, properties and files. The form's
 * controlDescription is written from it (solution-format.md §5).
 */
import { OPPORTUNITY_COLUMNS } from "../../sync/schema/dynamics";
import { el, kid, kids, need, type XNode, XmlError } from "./xml";

export interface ManifestProperty {
  name: string;
  usage: string;
  ofType?: string;
  ofTypeGroup?: string;
  defaultValue?: string;
}
export interface ControlManifest {
  namespace: string;
  constructorName: string;
  /** Stored name `<prefix>_<namespace>.<constructor>` (what forms and RootComponents use). */
  storedName: string;
  version: string;
  properties: ManifestProperty[];
  typeGroups: Record<string, string[]>;
  /** Files the manifest names (code, css, resx), relative to the control folder. */
  files: string[];
}

export function readManifest(root: XNode, where: string, prefix: string): ControlManifest {
  const control = need(root, "control", where);
  const attr = (n: string): string | undefined => (Object.hasOwn(control.attrs, n) ? control.attrs[n] : undefined);
  const [namespace, constructorName, version] = [attr("namespace"), attr("constructor"), attr("version")];
  if (!namespace || !constructorName || !version) throw new XmlError(`${where}: <control> needs namespace, constructor and version`);
  const resources = need(control, "resources", where);
  const files = resources.children.filter((r) => r.attrs.path).map((r) => r.attrs.path);
  const typeGroups = Object.fromEntries(kids(control, "type-group").map((g) => [g.attrs.name, kids(g, "type").map((t) => t.text)]));
  const properties = kids(control, "property").map((p) => ({
    name: p.attrs.name, usage: p.attrs.usage, ofType: p.attrs["of-type"], ofTypeGroup: p.attrs["of-type-group"], defaultValue: p.attrs["default-value"],
  }));
  return { namespace, constructorName, storedName: `${prefix}_${namespace}.${constructorName}`, version, properties, typeGroups, files };
}

/** Which column a bound property shows: the OPPORTUNITY_COLUMNS entry of the same key. */
export function boundColumn(property: ManifestProperty): string {
  const column = (OPPORTUNITY_COLUMNS as Record<string, string>)[property.name];
  if (!column) throw new XmlError(`ControlManifest.xml: bound property "${property.name}" has no opportunity column of that key in OPPORTUNITY_COLUMNS (sync/schema/dynamics.ts)`);
  return column;
}

/** The PCF type names a column can bind to (Type + Format of the packed column). */
export function pcfTypesOf(column: XNode): string[] {
  const type = kid(column, "Type")?.text;
  const format = kid(column, "Format")?.text;
  switch (type) {
    case "bit": return ["TwoOptions"];
    case "picklist": return ["OptionSet"];
    case "ntext": return ["Multiple"];
    case "datetime": return format === "date" ? ["DateAndTime.DateOnly"] : ["DateAndTime.DateAndTime"];
    case "nvarchar":
      return ({ url: ["SingleLine.URL"], textarea: ["SingleLine.TextArea"], email: ["SingleLine.Email"], phone: ["SingleLine.Phone"] } as Record<string, string[]>)[format ?? ""] ?? ["SingleLine.Text"];
    default: return [];
  }
}
export function acceptedTypes(p: ManifestProperty, m: ControlManifest): string[] {
  return p.ofType ? [p.ofType] : m.typeGroups[p.ofTypeGroup ?? ""] ?? [];
}

const CHECKBOX_CLASS = "{B0C6723A-8503-4FD7-BB28-C8A06AC933C2}";
/** `<controlDescription>` for the panel: the column's default control first, then the panel per form factor. */
export function controlDescription(m: ControlManifest, uniqueId: string, primaryColumn: string): XNode {
  const parameters = () => el("parameters", {}, m.properties.map((p) =>
    p.usage === "bound"
      ? el(p.name, {}, boundColumn(p))
      : el(p.name, { type: p.ofType ?? "SingleLine.Text", static: "true" }, p.defaultValue ?? ""),
  ));
  return el("controlDescription", { forControl: uniqueId }, [
    el("customControl", { id: CHECKBOX_CLASS }, [el("parameters", {}, [el("datafieldname", {}, primaryColumn)])]),
    ...["0", "1", "2"].map((ff) => el("customControl", { formFactor: ff, name: m.storedName }, [parameters()])),
  ]);
}
