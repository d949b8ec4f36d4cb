/**
 * Columns as Dataverse exports them. The source declares only what varies (type, name, size,
 * options, labels); this module writes every element in the order real exports use
 * (solution-format.md §4), and the system columns a new user-owned table must carry.
 */
import { el, kid, type XNode, XmlError } from "./xml";

/** Elements every column carries, in export order, with a custom column's values. */
const COMMON: ReadonlyArray<[string, string]> = [
  ["Type", ""], ["Name", ""], ["LogicalName", ""], ["RequiredLevel", "none"],
  ["DisplayMask", "ValidForAdvancedFind|ValidForForm|ValidForGrid"], ["ImeMode", "auto"],
  ["ValidForUpdateApi", "1"], ["ValidForReadApi", "1"], ["ValidForCreateApi", "1"], ["IsCustomField", "1"],
  ["IsAuditEnabled", "1"], ["IsSecured", "0"], ["IntroducedVersion", "1.0.0.0"], ["IsCustomizable", "1"],
  ["IsRenameable", "1"], ["CanModifySearchSettings", "1"], ["CanModifyRequirementLevelSettings", "1"],
  ["CanModifyAdditionalSettings", "1"], ["SourceType", "0"], ["IsGlobalFilterEnabled", "0"],
  ["IsSortableEnabled", "0"], ["CanModifyGlobalFilterSettings", "1"], ["CanModifyIsSortableSettings", "1"],
  ["IsDataSourceSecret", "0"], ["AutoNumberFormat", ""], ["IsSearchable", "0"], ["IsFilterable", "0"],
  ["IsRetrievable", "0"], ["IsLocalizable", "0"],
];
/** Where an export puts IsLogical when a column has it (system lookups): right after IsAuditEnabled. */
const OPTIONAL_AFTER: Record<string, string> = { IsLogical: "IsAuditEnabled" };

/** Each kind's own elements, in order, with defaults ("" = must come from the source). */
const KIND: Record<string, ReadonlyArray<[string, string | null]>> = {
  bit: [["AppDefaultValue", "0"], ["optionset", null]],
  picklist: [["AppDefaultValue", "-1"], ["optionset", null]],
  state: [["optionset", null]],
  status: [["optionset", null]],
  nvarchar: [["Format", "text"], ["MaxLength", "100"], ["Length", "computed"]],
  ntext: [["Format", "textarea"], ["MaxLength", "2000"], ["Length", "computed"]],
  datetime: [["Format", "datetime"], ["CanChangeDateTimeBehavior", "1"], ["Behavior", "1"]],
  lookup: [["LookupStyle", "single"], ["LookupTypes", ""]],
  owner: [["LookupStyle", "single"], ["LookupTypes", ""]],
  int: [["Format", ""], ["MinValue", "-2147483648"], ["MaxValue", "2147483647"]],
  primarykey: [],
};
export const COLUMN_TYPES = Object.keys(KIND);

/** Completes one source `<attribute>`: every element, export order, Length = 2 × MaxLength. */
export function completeAttribute(src: XNode, where: string): XNode {
  const phys = src.attrs.PhysicalName;
  const at = `${where}: column ${phys ?? "(no PhysicalName)"}`;
  if (!phys) throw new XmlError(`${at}: <attribute> needs a PhysicalName`);
  const type = kid(src, "Type")?.text;
  if (!type || !(type in KIND)) throw new XmlError(`${at}: <Type> must be one of ${COLUMN_TYPES.join(", ")} (got "${type ?? ""}")`);
  const name = kid(src, "Name")?.text;
  if (name !== phys.toLowerCase()) throw new XmlError(`${at}: <Name> must be the lowercase PhysicalName "${phys.toLowerCase()}" (got "${name ?? ""}")`);
  const known = new Set<string>([...COMMON.map(([n]) => n), ...Object.keys(OPTIONAL_AFTER), ...KIND[type].map(([n]) => n), "displaynames", "Descriptions"]);
  const stray = src.children.find((c) => !known.has(c.name));
  if (stray) throw new XmlError(`${at}: <${stray.name}> does not belong on a ${type} column`);
  if (!kid(src, "displaynames")) throw new XmlError(`${at}: needs <displaynames>`);

  const out: XNode[] = [];
  for (const [n, dflt] of COMMON) {
    out.push(kid(src, n) ?? el(n, {}, n === "LogicalName" ? name : dflt));
    for (const [opt, after] of Object.entries(OPTIONAL_AFTER)) {
      const o = kid(src, opt);
      if (after === n && o) out.push(o);
    }
  }
  for (const [n, dflt] of KIND[type]) {
    const given = kid(src, n);
    if (n === "Length") {
      const max = Number(out.find((c) => c.name === "MaxLength")?.text);
      if (given && Number(given.text) !== 2 * max) throw new XmlError(`${at}: Length must be twice MaxLength (${2 * max})`);
      out.push(el("Length", {}, 2 * max));
    } else if (n === "optionset") {
      if (!given) throw new XmlError(`${at}: a ${type} column needs its <optionset>`);
      out.push(completeOptionSet(given, src, at));
    } else if (n === "LookupTypes") {
      out.push(given ?? el("LookupTypes", {}, []));
    } else {
      out.push(given ?? el(n, {}, dflt ?? ""));
    }
  }
  out.push(kid(src, "displaynames")!);
  out.push(kid(src, "Descriptions") ?? el("Descriptions", {}, []));
  return { ...src, children: out };
}

/** A local option set takes the column's labels; values and option labels come from the source. */
function completeOptionSet(os: XNode, column: XNode, at: string): XNode {
  const type = kid(os, "OptionSetType");
  const list = kid(os, "options") ?? kid(os, "states") ?? kid(os, "statuses");
  if (!type || !list) throw new XmlError(`${at}: <optionset> needs <OptionSetType> and its option list`);
  return {
    ...os,
    children: [
      type,
      kid(os, "IntroducedVersion") ?? el("IntroducedVersion", {}, "1.0.0.0"),
      kid(os, "IsCustomizable") ?? el("IsCustomizable", {}, "1"),
      kid(os, "displaynames") ?? kid(column, "displaynames")!,
      kid(os, "Descriptions") ?? kid(column, "Descriptions") ?? el("Descriptions", {}, []),
      list,
    ],
  };
}

const label = (tag: string, text: string): XNode =>
  el(`${tag}s`, {}, [el(tag, { description: text, languagecode: 1033 })]);

interface SystemColumn {
  phys: string;
  type: string;
  display: string;
  description: string;
  /** Overrides of the custom-column defaults. */
  set: Record<string, string>;
  /** Columns without a DisplayMask in exports (the owning-* lookups and time zone numbers). */
  noMask?: boolean;
  kind?: XNode[];
}

const SYSTEM_LOCKED = { IsCustomField: "0", ValidForUpdateApi: "0", ValidForCreateApi: "0", IsAuditEnabled: "0" };
const dateKind = (format: string): XNode[] => [el("Format", {}, format), el("CanChangeDateTimeBehavior", {}, "0"), el("Behavior", {}, "1")];
const intKind = (min: string): XNode[] => [el("Format", {}, ""), el("MinValue", {}, min), el("MaxValue", {}, "2147483647")];

/** The system columns of a user-owned table (Foodbank export's element values), the table's own names filled in. */
function userOwnedSystemColumns(schema: string, display: string): SystemColumn[] {
  const lower = schema.toLowerCase();
  const lookup = (phys: string, d: string, desc: string, extra: Partial<SystemColumn> = {}): SystemColumn => ({
    phys, type: "lookup", display: d, description: desc, set: { ...SYSTEM_LOCKED }, ...extra,
  });
  const stateOptions = el("optionset", { Name: `${lower}_statecode` }, [
    el("OptionSetType", {}, "state"),
    el("states", {}, [
      el("state", { value: 0, defaultstatus: 1, invariantname: "Active" }, [label("label", "Active")]),
      el("state", { value: 1, defaultstatus: 2, invariantname: "Inactive" }, [label("label", "Inactive")]),
    ]),
  ]);
  const statusOptions = el("optionset", { Name: `${lower}_statuscode` }, [
    el("OptionSetType", {}, "status"),
    el("statuses", {}, [
      el("status", { value: 1, state: 0 }, [label("label", "Active")]),
      el("status", { value: 2, state: 1 }, [label("label", "Inactive")]),
    ]),
  ]);
  return [
    { phys: `${schema}Id`, type: "primarykey", display, description: "Unique identifier for entity instances",
      set: { ...SYSTEM_LOCKED, ValidForCreateApi: "1", RequiredLevel: "systemrequired", DisplayMask: "ValidForAdvancedFind|RequiredForGrid", CanModifyRequirementLevelSettings: "0", IsFilterable: "1", IsRetrievable: "1" } },
    lookup("CreatedBy", "Created By", "Unique identifier of the user who created the record."),
    { phys: "CreatedOn", type: "datetime", display: "Created On", description: "Date and time when the record was created.",
      set: { ...SYSTEM_LOCKED, ImeMode: "inactive", IsFilterable: "1", IsRetrievable: "1" }, kind: dateKind("datetime") },
    lookup("CreatedOnBehalfBy", "Created By (Delegate)", "Unique identifier of the delegate user who created the record."),
    { phys: "ImportSequenceNumber", type: "int", display: "Import Sequence Number", description: "Sequence number of the import that created this record.",
      set: { ...SYSTEM_LOCKED, ValidForCreateApi: "1", IsAuditEnabled: "1", DisplayMask: "ValidForAdvancedFind", ImeMode: "disabled" }, kind: intKind("-2147483648") },
    lookup("ModifiedBy", "Modified By", "Unique identifier of the user who modified the record."),
    { phys: "ModifiedOn", type: "datetime", display: "Modified On", description: "Date and time when the record was modified.",
      set: { ...SYSTEM_LOCKED, ImeMode: "inactive", IsFilterable: "1", IsRetrievable: "1" }, kind: dateKind("datetime") },
    lookup("ModifiedOnBehalfBy", "Modified By (Delegate)", "Unique identifier of the delegate user who modified the record."),
    { phys: "OverriddenCreatedOn", type: "datetime", display: "Record Created On", description: "Date and time that the record was migrated.",
      set: { ...SYSTEM_LOCKED, ValidForCreateApi: "1", IsAuditEnabled: "1", DisplayMask: "ValidForAdvancedFind|ValidForGrid", ImeMode: "inactive" }, kind: dateKind("date") },
    { phys: "OwnerId", type: "owner", display: "Owner", description: "Owner Id",
      set: { IsCustomField: "0", RequiredLevel: "systemrequired", DisplayMask: "ValidForAdvancedFind|ValidForForm|ValidForGrid|RequiredForForm", IsFilterable: "1" },
      kind: [el("LookupStyle", {}, "single"), el("LookupTypes", {}, [
        el("LookupType", { id: "00000000-0000-0000-0000-000000000000" }, "8"),
        el("LookupType", { id: "00000000-0000-0000-0000-000000000000" }, "9"),
      ])] },
    lookup("OwningBusinessUnit", "Owning Business Unit", "Unique identifier for the business unit that owns the record", { noMask: true, set: { ...SYSTEM_LOCKED, IsFilterable: "1" } }),
    lookup("OwningTeam", "Owning Team", "Unique identifier for the team that owns the record.", { noMask: true, set: { ...SYSTEM_LOCKED, IsLogical: "1" } }),
    lookup("OwningUser", "Owning User", "Unique identifier for the user that owns the record.", { noMask: true, set: { ...SYSTEM_LOCKED, IsLogical: "1" } }),
    { phys: "statecode", type: "state", display: "Status", description: `Status of the ${display}`,
      set: { IsCustomField: "0", RequiredLevel: "systemrequired", ValidForCreateApi: "0", IsFilterable: "1" }, kind: [stateOptions] },
    { phys: "statuscode", type: "status", display: "Status Reason", description: `Reason for the status of the ${display}`,
      set: { IsCustomField: "0" }, kind: [statusOptions] },
    { phys: "TimeZoneRuleVersionNumber", type: "int", display: "Time Zone Rule Version Number", description: "For internal use only.",
      set: { IsCustomField: "0", IsAuditEnabled: "0" }, noMask: true, kind: intKind("-1") },
    { phys: "UTCConversionTimeZoneCode", type: "int", display: "UTC Conversion Time Zone Code", description: "Time zone code that was in use when the record was created.",
      set: { IsCustomField: "0", IsAuditEnabled: "0" }, noMask: true, kind: intKind("-1") },
  ];
}

/** The system columns of a new user-owned table, as complete `<attribute>` elements. */
export function systemAttributes(schema: string, display: string): XNode[] {
  return userOwnedSystemColumns(schema, display).map((c) => {
    const head = [el("Type", {}, c.type), el("Name", {}, c.phys.toLowerCase()), ...Object.entries(c.set).map(([k, v]) => el(k, {}, v))];
    const src = el("attribute", { PhysicalName: c.phys }, [
      ...head, ...(c.kind ?? []), label("displayname", c.display), label("Description", c.description),
    ]);
    const done = completeAttribute(src, `system column of ${schema}`);
    return c.noMask ? { ...done, children: done.children.filter((n) => n.name !== "DisplayMask") } : done;
  });
}

/** Sort key of exports: PhysicalName ignoring case. */
export const byPhysicalName = (a: XNode, b: XNode): number =>
  a.attrs.PhysicalName.toLowerCase().localeCompare(b.attrs.PhysicalName.toLowerCase());
