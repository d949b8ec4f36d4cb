/**
 * Builds both zips from solution/src and the build output, unpacks them, and checks the rules of
 * solution-format.md §12: container, manifests, schema, tables, references, Custom APIs, names.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, cpSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as vm from "node:vm";
import { unzipSync } from "fflate";
import { pack } from "../../solution/pack";
import { assemble, formSection, rootComponentKey, stampControlVersion } from "../../solution/lib/assemble";
import { acceptedTypes, boundColumn, pcfTypesOf } from "../../solution/lib/control";
import { filteringAttributes } from "../../solution/lib/steps";
import { DEAL_IMAGE } from "../../sync/dataverse/opportunity-image";
import { TABLE_FLAG_NAMES } from "../../solution/lib/tables";
import { kid, kids, parseXml, textOf, walk, label1033, type XNode } from "../../solution/lib/xml";
import {
  CUSTOM_APIS, ENVIRONMENT_VARIABLES, HELP_TYPES, HELP_TYPE_LABELS, LEAD_COLUMNS, NEEDS_ATTENTION, OPPORTUNITY_COLUMNS, OPTION_VALUE_PREFIX,
  REFERRAL_VISIBILITY, REFERRAL_VISIBILITY_LABELS, SETTING_COLUMNS, SYNC_DIRECTIONS, SYNC_EVENT_COLUMNS, SYNC_RESULTS, SYNC_STATUS, SYNC_STATUS_LABELS, SYNC_TRIGGERS,
  closeReasonValue, syncDirectionValue, syncResultValue, syncTriggerValue,
} from "../../sync/schema/dynamics";
import { CLOSE_REASONS } from "../../sync/schema/referral";
import { buildOutput, itUnlessMissing, ROOT, SHARED } from "./build-output";

const build = buildOutput();
if (!build.real) console.warn(`out/ has no complete build: packing a stand-in (${build.outDir}). Run npm run build to check the real ribbon.js and control.`);
const dist = mkdtempSync(join(tmpdir(), "cosell-dist-"));
const zips = pack({ root: ROOT, outDir: build.outDir, distDir: dist });
afterAll(() => rmSync(dist, { recursive: true, force: true }));

interface Unpacked { raw: Buffer; entries: Record<string, Uint8Array>; text: (p: string) => string; xml: (p: string) => XNode }
function unpack(path: string): Unpacked {
  const raw = readFileSync(path);
  const entries = unzipSync(raw);
  const text = (p: string) => new TextDecoder().decode(entries[p]);
  return { raw, entries, text, xml: (p) => parseXml(text(p), p) };
}
const unmanaged = unpack(zips.unmanaged);
const managed = unpack(zips.managed);
const cust = unmanaged.xml("customizations.xml");
const sol = unmanaged.xml("solution.xml");
const entity = (schema: string) => kids(kid(cust, "Entities")!, "Entity").find((e) => kid(e, "Name")!.text === schema)!;
const columnsOf = (schema: string) => kids(kid(kid(kid(entity(schema), "EntityInfo")!, "entity")!, "attributes")!, "attribute");
const column = (schema: string, logical: string) => columnsOf(schema).find((a) => textOf(a, "LogicalName") === logical)!;
const options = (a: XNode) => kids(kid(kid(a, "optionset")!, "options")!, "option").map((o) => ({ value: Number(o.attrs.value), label: label1033(kid(o, "labels")) }));

/** Central directory of a zip: name and compression method of each entry. */
function centralDirectory(buf: Buffer): Array<{ name: string; method: number }> {
  const eocd = buf.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  const count = buf.readUInt16LE(eocd + 10);
  let at = buf.readUInt32LE(eocd + 16);
  const out = [];
  for (let i = 0; i < count; i++) {
    const nameLen = buf.readUInt16LE(at + 28), extra = buf.readUInt16LE(at + 30), comment = buf.readUInt16LE(at + 32);
    out.push({ method: buf.readUInt16LE(at + 10), name: buf.subarray(at + 46, at + 46 + nameLen).toString("utf8") });
    at += 46 + nameLen + extra + comment;
  }
  return out;
}

describe("the zip container", () => {
  it.each([["unmanaged", unmanaged], ["managed", managed]])("%s: root files, file entries only, all deflated", (_n, z) => {
    const dir = centralDirectory(z.raw);
    for (const f of ["[Content_Types].xml", "solution.xml", "customizations.xml"]) expect(dir.map((e) => e.name)).toContain(f);
    expect(dir.filter((e) => e.name.endsWith("/") || e.name.includes("\\"))).toEqual([]);
    expect(dir.filter((e) => e.method !== 8)).toEqual([]);
  });

  it("[Content_Types].xml has a BOM, a Default per extension and an Override per extension-less file", () => {
    const bytes = unmanaged.entries["[Content_Types].xml"];
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const types = parseXml(unmanaged.text("[Content_Types].xml"), "[Content_Types].xml");
    const names = Object.keys(unmanaged.entries);
    const exts = new Set(names.map((n) => /\.([^./]+)$/.exec(n)?.[1]?.toLowerCase()).filter(Boolean));
    expect(new Set(kids(types, "Default").map((d) => d.attrs.Extension))).toEqual(exts);
    const bare = names.filter((n) => !/\.[^./]+$/.test(n)).map((n) => `/${n}`).sort();
    expect(kids(types, "Override").map((o) => o.attrs.PartName).sort()).toEqual(bare);
    expect(bare.length).toBe(6); // the six web resources
  });

  it("solution.xml and customizations.xml start with <ImportExportXml and no declaration", () => {
    for (const f of ["solution.xml", "customizations.xml"]) expect(unmanaged.text(f).startsWith("<ImportExportXml")).toBe(true);
  });
});

describe("solution.xml", () => {
  it("root attributes in export order, the publisher and two nil addresses", () => {
    expect(Object.keys(sol.attrs)).toEqual(["version", "SolutionPackageVersion", "languagecode", "generatedBy", "xmlns:xsi"]);
    const sm = kid(sol, "SolutionManifest")!;
    expect(sm.children.map((c) => c.name)).toEqual(["UniqueName", "LocalizedNames", "Descriptions", "Version", "Managed", "Publisher", "RootComponents", "MissingDependencies"]);
    expect(textOf(sm, "UniqueName")).toBe("CoSellConnector");
    const pub = kid(sm, "Publisher")!;
    expect(pub.children.map((c) => c.name)).toEqual(["UniqueName", "LocalizedNames", "Descriptions", "EMailAddress", "SupportingWebsiteUrl", "CustomizationPrefix", "CustomizationOptionValuePrefix", "Addresses"]);
    expect(textOf(pub, "CustomizationPrefix")).toBe("cosell");
    expect(Number(textOf(pub, "CustomizationOptionValuePrefix"))).toBe(OPTION_VALUE_PREFIX);
    const addresses = kids(kid(pub, "Addresses")!, "Address");
    expect(addresses.map((a) => textOf(a, "AddressNumber"))).toEqual(["1", "2"]);
    for (const a of addresses) expect(a.children.filter((c) => !["AddressNumber", "AddressTypeCode", "ShippingMethodCode"].includes(c.name)).every((c) => c.attrs["xsi:nil"] === "true")).toBe(true);
  });

  it("Managed is 0 in the unmanaged zip and 1 in the managed one; the version is package.json's in four parts", () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")).version as string;
    const four = [...pkg.split("."), "0", "0", "0"].slice(0, 4).join(".");
    expect(textOf(kid(sol, "SolutionManifest")!, "Managed")).toBe("0");
    expect(textOf(kid(managed.xml("solution.xml"), "SolutionManifest")!, "Managed")).toBe("1");
    expect(textOf(kid(sol, "SolutionManifest")!, "Version")).toBe(four);
  });

  it("package.json is the one version source: the control in both zips carries it too, whatever the manifest source says", () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")).version as string;
    for (const z of [unmanaged, managed]) {
      const control = [...walk(z.xml("Controls/cosell_CoSell.CoSellPanel/ControlManifest.xml"))].find((n) => n.name === "control")!;
      expect(control.attrs.version).toBe(pkg.split("-")[0]);
    }
    expect(stampControlVersion('<manifest><control namespace="CoSell" version="0.0.1" constructor="X"/></manifest>', "2.3.4.0"))
      .toBe('<manifest><control namespace="CoSell" version="2.3.4" constructor="X"/></manifest>');
  });

  it("the sources hold no other version: Solution.xml's is a placeholder, the control manifest's is package.json's", () => {
    // pcf-scripts copies ControlManifest.Input.xml's version into out/ (what the harness loads), so it must not drift.
    const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")).version as string;
    const source = parseXml(readFileSync(join(ROOT, "solution/src/Other/Solution.xml"), "utf8"), "Solution.xml");
    expect(textOf(kid(source, "SolutionManifest")!, "Version")).toBe("0.0.0.0");
    const input = parseXml(readFileSync(join(ROOT, "controls/CoSellPanel/ControlManifest.Input.xml"), "utf8"), "ControlManifest.Input.xml");
    expect([...walk(input)].find((n) => n.name === "control")!.attrs.version).toBe(pkg.split("-")[0]);
  });

  it("npm version's hook writes package.json's version into the control manifest", () => {
    const copy = mkdtempSync(join(tmpdir(), "cosell-version-"));
    try {
      mkdirSync(join(copy, "controls/CoSellPanel"), { recursive: true });
      writeFileSync(join(copy, "package.json"), JSON.stringify({ version: "7.8.9" }));
      copyFileSync(join(ROOT, "controls/CoSellPanel/ControlManifest.Input.xml"), join(copy, "controls/CoSellPanel/ControlManifest.Input.xml"));
      execFileSync(process.execPath, [join(ROOT, "scripts/stamp-version.mjs"), copy], { stdio: "pipe" });
      const stamped = parseXml(readFileSync(join(copy, "controls/CoSellPanel/ControlManifest.Input.xml"), "utf8"), "ControlManifest.Input.xml");
      expect([...walk(stamped)].find((n) => n.name === "control")!.attrs.version).toBe("7.8.9");
      expect(JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")).scripts.version).toMatch(/scripts\/stamp-version\.mjs/);
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  });

  it("the only difference between the two zips is Managed", () => {
    expect(managed.text("customizations.xml")).toBe(unmanaged.text("customizations.xml"));
    expect(managed.text("solution.xml").replace("<Managed>1</Managed>", "<Managed>0</Managed>")).toBe(unmanaged.text("solution.xml"));
  });

  it("every RootComponent points at a component in the zip, none is duplicated, and no Custom API has one", () => {
    const roots = kids(kid(kid(sol, "SolutionManifest")!, "RootComponents")!, "RootComponent");
    const keys = roots.map(rootComponentKey);
    expect(new Set(keys).size).toBe(keys.length);
    const exists: Record<string, (r: XNode) => boolean> = {
      "1": (r) => !!kids(kid(cust, "Entities")!, "Entity").find((e) => kid(e, "Name")!.text.toLowerCase() === r.attrs.schemaName) && r.attrs.behavior === (["opportunity", "lead"].includes(r.attrs.schemaName) ? "2" : "0"),
      "20": (r) => kids(kid(cust, "Roles")!, "Role").some((x) => x.attrs.id.toLowerCase() === r.attrs.id),
      "60": (r) => kids(kid(cust, "Dashboards")!, "Dashboard").some((d) => textOf(d, "FormId") === r.attrs.id && r.attrs.behavior === "0"),
      "61": (r) => kids(kid(cust, "WebResources")!, "WebResource").some((w) => textOf(w, "Name") === r.attrs.schemaName),
      "66": (r) => kids(kid(cust, "CustomControls")!, "CustomControl").some((c) => textOf(c, "Name") === r.attrs.schemaName),
      "92": (r) => kids(kid(cust, "SdkMessageProcessingSteps")!, "SdkMessageProcessingStep").some((s) => s.attrs.SdkMessageProcessingStepId.toLowerCase() === r.attrs.id),
      "95": (r) => kids(kid(cust, "ServiceEndpoints")!, "ServiceEndpoint").some((s) => s.attrs.ServiceEndpointId.toLowerCase() === r.attrs.id),
      "380": (r) => `environmentvariabledefinitions/${r.attrs.schemaName}/environmentvariabledefinition.xml` in unmanaged.entries,
    };
    for (const r of roots) expect({ r: r.attrs, ok: exists[r.attrs.type]?.(r) ?? false }).toEqual({ r: r.attrs, ok: true });
    expect(new Set(roots.map((r) => r.attrs.type))).toEqual(new Set(["1", "20", "60", "61", "66", "92", "95", "380"]));
  });
});

describe("customizations.xml", () => {
  // Microsoft's schema travels in the team's ../shared, which a user's own clone does not have.
  const check = join(SHARED, "solution-schema/check");
  itUnlessMissing("validates against Microsoft's CustomizationsSolution.xsd (both zips)", [
    [!existsSync(check), "solution schema check skipped: ../shared/solution-schema not found"],
    [spawnSync("sh", ["-c", "command -v xmllint"]).status !== 0, "solution schema check skipped: xmllint is missing (apt-get install libxml2-utils)"],
  ], () => {
    const out = execFileSync(check, [zips.unmanaged, zips.managed], { cwd: ROOT, encoding: "utf8" });
    expect(out).toMatch(/ok .*CoSellConnector\.zip/);
    expect(out).toMatch(/ok .*CoSellConnector_managed\.zip/);
  });

  it("sections follow the schema order, Languages last, RibbonDiffXml last in each Entity", () => {
    const order = ["Entities", "Roles", "Workflows", "FieldSecurityProfiles", "Templates", "EntityMaps", "EntityRelationships", "OrganizationSettings", "optionsets", "Dashboards", "WebResources", "CustomControls", "SolutionPluginAssemblies", "SdkMessageProcessingSteps", "ServiceEndpoints", "EntityDataProviders", "Languages"];
    expect(cust.children.map((c) => c.name)).toEqual(order);
    expect(Object.keys(cust.attrs)).toEqual(["xmlns:xsi"]);
    for (const e of kids(kid(cust, "Entities")!, "Entity")) expect(e.children[e.children.length - 1].name).toBe("RibbonDiffXml");
  });
});

describe("tables and columns", () => {
  const newTables = ["cosell_SyncEvent", "cosell_Setting"];
  const systemColumns = (t: string) => [`${t}Id`, "CreatedBy", "CreatedOn", "CreatedOnBehalfBy", "ImportSequenceNumber", "ModifiedBy", "ModifiedOn", "ModifiedOnBehalfBy", "OverriddenCreatedOn", "OwnerId", "OwningBusinessUnit", "OwningTeam", "OwningUser", "statecode", "statuscode", "TimeZoneRuleVersionNumber", "UTCConversionTimeZoneCode"];

  it.each(newTables)("%s carries every table flag, every system column (sorted), one primary name", (t) => {
    const info = kid(kid(entity(t), "EntityInfo")!, "entity")!;
    for (const f of TABLE_FLAG_NAMES) expect({ f, present: !!kid(info, f) }).toEqual({ f, present: true });
    expect(textOf(info, "OwnershipTypeMask")).toBe("UserOwned");
    expect(kid(info, "ObjectTypeCode")).toBeUndefined();
    const phys = columnsOf(t).map((a) => a.attrs.PhysicalName);
    for (const s of systemColumns(t)) expect(phys).toContain(s);
    expect(phys).toEqual([...phys].sort((a, b) => a.toLowerCase().localeCompare(b.toLowerCase())));
    expect(columnsOf(t).filter((a) => textOf(a, "DisplayMask")?.split("|").includes("PrimaryName")).map((a) => textOf(a, "LogicalName"))).toEqual(["cosell_name"]);
    const pk = column(t, `${t.toLowerCase()}id`);
    expect([textOf(pk, "Type"), textOf(pk, "RequiredLevel"), textOf(pk, "DisplayMask"), textOf(pk, "ValidForUpdateApi"), textOf(pk, "IsCustomField")]).toEqual(["primarykey", "systemrequired", "ValidForAdvancedFind|RequiredForGrid", "0", "0"]);
  });

  it.each(newTables)("%s has its six system relationships", (t) => {
    const lower = t.toLowerCase();
    const rels = kids(kid(cust, "EntityRelationships")!, "EntityRelationship").filter((r) => textOf(r, "ReferencingEntityName") === t);
    const want = [`business_unit_${lower}`, `lk_${lower}_createdby`, `lk_${lower}_modifiedby`, `owner_${lower}`, `team_${lower}`, `user_${lower}`];
    for (const w of want) expect(rels.map((r) => r.attrs.Name)).toContain(w);
  });

  it("every column: export element order, Name = LogicalName = lowercase PhysicalName, Length = 2 × MaxLength", () => {
    const head = ["Type", "Name", "LogicalName", "RequiredLevel"];
    for (const e of kids(kid(cust, "Entities")!, "Entity")) {
      for (const a of columnsOf(kid(e, "Name")!.text)) {
        expect(a.children.slice(0, 4).map((c) => c.name)).toEqual(head);
        expect([textOf(a, "Name"), textOf(a, "LogicalName")]).toEqual([a.attrs.PhysicalName.toLowerCase(), a.attrs.PhysicalName.toLowerCase()]);
        expect(a.children.slice(-2).map((c) => c.name)).toEqual(["displaynames", "Descriptions"]);
        if (kid(a, "MaxLength")) expect(Number(textOf(a, "Length"))).toBe(2 * Number(textOf(a, "MaxLength")));
      }
    }
  });

  it("every lookup has its relationship, referencing the table by SchemaName", () => {
    const rels = kids(kid(cust, "EntityRelationships")!, "EntityRelationship");
    for (const e of kids(kid(cust, "Entities")!, "Entity")) {
      const t = kid(e, "Name")!.text;
      // The on-behalf-by lookups export without a relationship (the platform makes it), as in real exports.
      const lookups = columnsOf(t).filter((c) => ["lookup", "owner"].includes(textOf(c, "Type")!) && !/OnBehalfBy$/.test(c.attrs.PhysicalName));
      for (const a of lookups) {
        expect({ col: a.attrs.PhysicalName, rel: rels.some((r) => textOf(r, "ReferencingEntityName") === t && textOf(r, "ReferencingAttributeName") === a.attrs.PhysicalName) }).toEqual({ col: a.attrs.PhysicalName, rel: true });
      }
    }
    const custom = rels.find((r) => r.attrs.Name === "cosell_SyncEvent_Opportunity_Opportunity")!;
    expect([textOf(custom, "ReferencedEntityName"), textOf(custom, "ReferencingAttributeName"), textOf(custom, "CascadeDelete")]).toEqual(["Opportunity", "cosell_Opportunity", "RemoveLink"]);
  });

  it("every choice value is prefix × 10000 + n and unique within its column", () => {
    for (const e of kids(kid(cust, "Entities")!, "Entity")) {
      for (const a of columnsOf(kid(e, "Name")!.text).filter((c) => textOf(c, "Type") === "picklist")) {
        const values = options(a).map((o) => o.value);
        expect(new Set(values).size).toBe(values.length);
        for (const v of values) expect(Math.floor(v / 10000)).toBe(OPTION_VALUE_PREFIX);
      }
    }
  });
});

describe("one truth: the solution declares exactly the names and values of sync/schema/dynamics.ts", () => {
  const customLogical = (t: string) => columnsOf(t).filter((a) => textOf(a, "IsCustomField") === "1").map((a) => textOf(a, "LogicalName")).sort();

  it("opportunity and lead columns", () => {
    expect(customLogical("Opportunity")).toEqual(Object.values(OPPORTUNITY_COLUMNS).sort());
    expect(customLogical("Lead")).toEqual(Object.values(LEAD_COLUMNS).sort());
  });
  it("sync event and setting columns", () => {
    const se = columnsOf("cosell_SyncEvent").map((a) => textOf(a, "LogicalName"));
    for (const c of Object.values(SYNC_EVENT_COLUMNS)) expect(se).toContain(c);
    expect(customLogical("cosell_SyncEvent")).toEqual(Object.values(SYNC_EVENT_COLUMNS).filter((c) => c !== SYNC_EVENT_COLUMNS.id).sort());
    expect(customLogical("cosell_Setting")).toEqual(Object.values(SETTING_COLUMNS).filter((c) => c !== SETTING_COLUMNS.id).sort());
  });
  it("choice options and labels", () => {
    expect(options(column("Opportunity", OPPORTUNITY_COLUMNS.syncStatus))).toEqual(
      (Object.keys(SYNC_STATUS) as Array<keyof typeof SYNC_STATUS>).map((k) => ({ value: SYNC_STATUS[k], label: SYNC_STATUS_LABELS[k] })));
    expect(options(column("Opportunity", OPPORTUNITY_COLUMNS.howCanMicrosoftHelp))).toEqual(HELP_TYPES.map((h) => ({ value: h.value, label: HELP_TYPE_LABELS[h.code] })));
    expect(options(column("Opportunity", OPPORTUNITY_COLUMNS.closeReason))).toEqual(CLOSE_REASONS.map((r) => ({ value: closeReasonValue(r.code), label: r.text })));
    expect(options(column("Opportunity", OPPORTUNITY_COLUMNS.referralVisibility))).toEqual(
      (Object.keys(REFERRAL_VISIBILITY) as Array<keyof typeof REFERRAL_VISIBILITY>).map((k) => ({ value: REFERRAL_VISIBILITY[k], label: REFERRAL_VISIBILITY_LABELS[k] })));
    const crmId = column("Opportunity", OPPORTUNITY_COLUMNS.microsoftCrmId);
    expect([textOf(crmId, "Type"), textOf(crmId, "Format"), textOf(crmId, "MaxLength")]).toEqual(["nvarchar", "text", "100"]);
    expect(options(column("cosell_SyncEvent", SYNC_EVENT_COLUMNS.direction)).map((o) => o.value)).toEqual(SYNC_DIRECTIONS.map(syncDirectionValue));
    expect(options(column("cosell_SyncEvent", SYNC_EVENT_COLUMNS.trigger)).map((o) => o.value)).toEqual(SYNC_TRIGGERS.map(syncTriggerValue));
    expect(options(column("cosell_SyncEvent", SYNC_EVENT_COLUMNS.result)).map((o) => o.value)).toEqual(SYNC_RESULTS.map(syncResultValue));
    const toggle = column("Opportunity", OPPORTUNITY_COLUMNS.syncWithPartnerCenter);
    expect([textOf(toggle, "Type"), textOf(toggle, "AppDefaultValue")]).toEqual(["bit", "0"]);
  });
  it("alternate key on the referral identifier; environment variable; Custom APIs and their parameters", () => {
    const key = kid(kid(kid(kid(entity("Opportunity"), "EntityInfo")!, "entity")!, "EntityKeys")!, "EntityKey")!;
    expect(textOf(kid(key, "EntityKeyAttributes")!, "AttributeName")).toBe(OPPORTUNITY_COLUMNS.referralId);
    expect(`environmentvariabledefinitions/${ENVIRONMENT_VARIABLES.serviceUrl}/environmentvariabledefinition.xml` in unmanaged.entries).toBe(true);
    for (const api of Object.values(CUSTOM_APIS)) {
      const params = Object.keys(unmanaged.entries).filter((p) => p.startsWith(`customapis/${api.uniqueName}/customapirequestparameters/`)).map((p) => p.split("/")[3]);
      expect(params.sort()).toEqual([...api.parameters].sort());
    }
  });
  it("the lead → opportunity map carries the referral columns to the qualified opportunity", () => {
    const map = kid(kid(cust, "EntityMaps")!, "EntityMap")!;
    expect([textOf(map, "EntitySource"), textOf(map, "EntityTarget")]).toEqual(["lead", "opportunity"]);
    const pairs = kids(kid(map, "AttributeMaps")!, "AttributeMap").map((m) => [textOf(m, "AttributeSource"), textOf(m, "AttributeTarget")]);
    expect(pairs).toEqual(Object.values(LEAD_COLUMNS).map((c) => [c, c]));
    for (const [s] of pairs) expect(column("Opportunity", s!)).toBeDefined();
  });
});

describe("references resolve", () => {
  const ribbon = kid(entity("Opportunity"), "RibbonDiffXml")!;
  const all = [...walk(ribbon)];
  const webResourceNames = kids(kid(cust, "WebResources")!, "WebResource").map((w) => textOf(w, "Name")!);

  it("each button's command, rule and label exists; each $webresource: is shipped", () => {
    const commands = new Set(all.filter((n) => n.name === "CommandDefinition").map((n) => n.attrs.Id));
    const enableRules = new Set(all.filter((n) => n.name === "EnableRule" && n.children.length).map((n) => n.attrs.Id));
    const displayRules = new Set(all.filter((n) => n.name === "DisplayRule" && n.children.length).map((n) => n.attrs.Id));
    const labels = new Set(all.filter((n) => n.name === "LocLabel").map((n) => n.attrs.Id));
    const buttons = all.filter((n) => n.name === "Button");
    expect(buttons.map((b) => b.attrs.Id)).toEqual(["SyncNow", "OpenInPartnerCenter", "AcceptReferral", "DeclineReferral"].map((c) => `cosell.opportunity.${c}.Button`));
    for (const b of buttons) expect(commands.has(b.attrs.Command)).toBe(true);
    for (const n of all.filter((x) => x.name === "CommandDefinition")) {
      for (const r of kids(kid(n, "EnableRules")!, "EnableRule")) expect(enableRules.has(r.attrs.Id)).toBe(true);
      for (const r of kids(kid(n, "DisplayRules") ?? { children: [] } as unknown as XNode, "DisplayRule")) expect(displayRules.has(r.attrs.Id)).toBe(true);
    }
    for (const n of all) for (const v of Object.values(n.attrs)) {
      const label = /^\$LocLabels:(.+)$/.exec(v);
      if (label) expect(labels.has(label[1])).toBe(true);
      const wr = /^\$webresource:(.+)$/.exec(v);
      if (wr) expect(webResourceNames).toContain(wr[1]);
    }
  });

  it("each FunctionName exists in the built ribbon.js (evaluated with a stub window)", () => {
    const code = readFileSync(join(build.outDir, "webresources/cosell_/ribbon.js"), "utf8");
    const window: Record<string, unknown> = {};
    const context = vm.createContext({ window, self: window, globalThis: window, console, setTimeout, clearTimeout, Promise });
    Object.assign(window, context);
    vm.runInContext(code, context);
    const fns = [...new Set(all.filter((n) => n.attrs.FunctionName).map((n) => n.attrs.FunctionName))];
    expect(fns.sort()).toEqual(["acceptReferral", "canOpenInPartnerCenter", "canRespond", "canSyncNow", "declineReferral", "openInPartnerCenter", "syncNow"].map((f) => `CoSell.Ribbon.${f}`));
    for (const fn of fns) {
      const found = fn.split(".").reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k], (context as Record<string, unknown>).CoSell ? context : window);
      expect({ fn, type: typeof found }).toEqual({ fn, type: "function" });
    }
    for (const j of all.filter((n) => n.name === "JavaScriptFunction" || n.name === "CustomRule")) expect(kid(j, "CrmParameter")?.attrs.Value).toBe("PrimaryControl");
  });

  it("each web resource FileName is a zip entry, and each web resource file is referenced", () => {
    const fileNames = kids(kid(cust, "WebResources")!, "WebResource").map((w) => textOf(w, "FileName")!.slice(1));
    const entries = Object.keys(unmanaged.entries).filter((p) => p.startsWith("WebResources/"));
    expect(fileNames.sort()).toEqual(entries.sort());
    for (const w of kids(kid(cust, "WebResources")!, "WebResource")) {
      expect(textOf(w, "FileName")).toBe(`/WebResources/${textOf(w, "Name")!.replace(/[^A-Za-z0-9_-]/g, "")}${textOf(w, "WebResourceId")!.replace(/[{}]/g, "").toUpperCase()}`);
      const built = readFileSync(join(build.outDir, "webresources", textOf(w, "Name")!));
      expect(Buffer.from(unmanaged.entries[textOf(w, "FileName")!.slice(1)]).equals(built)).toBe(true);
    }
  });

  it("the control ships its manifest and every file the manifest names", () => {
    const cc = kid(kid(cust, "CustomControls")!, "CustomControl")!;
    expect(textOf(cc, "Name")).toBe("cosell_CoSell.CoSellPanel");
    const manifest = unmanaged.xml(textOf(cc, "FileName")!.slice(1));
    for (const r of kid(kid(manifest, "control")!, "resources")!.children.filter((c) => c.attrs.path)) {
      expect(`Controls/cosell_CoSell.CoSellPanel/${r.attrs.path}` in unmanaged.entries).toBe(true);
    }
  });

  it("the form section binds each manifest property to an existing column of a matching type", () => {
    const { manifest } = assemble({ root: ROOT, outDir: build.outDir }, false);
    const { section, description } = formSection(ROOT, manifest);
    const control = [...walk(section)].find((n) => n.name === "control")!;
    expect(description.attrs.forControl).toBe(control.attrs.uniqueid);
    expect(column("Opportunity", control.attrs.datafieldname)).toBeDefined();
    const perFactor = kids(description, "customControl").filter((c) => c.attrs.formFactor);
    expect(perFactor.map((c) => c.attrs.formFactor)).toEqual(["0", "1", "2"]);
    for (const cc of perFactor) {
      expect(cc.attrs.name).toBe(manifest.storedName);
      expect(kid(cc, "parameters")!.children.map((p) => p.name)).toEqual(manifest.properties.map((p) => p.name));
    }
    for (const p of manifest.properties.filter((x) => x.usage === "bound")) {
      const col = column("Opportunity", boundColumn(p));
      expect({ p: p.name, column: !!col }).toEqual({ p: p.name, column: true });
      expect({ p: p.name, fits: pcfTypesOf(col).some((t) => acceptedTypes(p, manifest).includes(t)) }).toEqual({ p: p.name, fits: true });
    }
  });

  it("each step's EventHandler is the shipped endpoint; the Update step filters on the mapped columns", () => {
    const endpoints = kids(kid(cust, "ServiceEndpoints")!, "ServiceEndpoint");
    expect(endpoints.map((e) => [textOf(e, "Contract"), textOf(e, "AuthType"), textOf(e, "MessageFormat")])).toEqual([["8", "5", "2"]]);
    const ids = endpoints.map((e) => e.attrs.ServiceEndpointId);
    const steps = kids(kid(cust, "SdkMessageProcessingSteps")!, "SdkMessageProcessingStep");
    expect(steps).toHaveLength(2);
    for (const s of steps) {
      // Real exports write element GUIDs (SdkMessageId, PluginTypeId) bare; attribute ids stay braced.
      expect(textOf(s, "SdkMessageId")).toMatch(/^[0-9a-f-]{36}$/);
      expect(textOf(s, "EventHandler")).toMatch(/^[0-9a-f-]{36}$/);
      expect(ids).toContain(`{${textOf(s, "EventHandler")}}`);
      expect([textOf(s, "EventHandlerTypeCode"), textOf(s, "Mode"), textOf(s, "Stage"), textOf(s, "PrimaryEntity")]).toEqual(["4618", "1", "40", "opportunity"]);
    }
    const update = steps.find((s) => textOf(s, "SdkMessageId") === "20bebb1b-ea3e-db11-86a7-000a3a5473e8")!;
    const filtering = textOf(update, "FilteringAttributes")!.split(",");
    expect(filtering).toEqual(filteringAttributes(ROOT));
    expect(filtering).toContain(OPPORTUNITY_COLUMNS.syncWithPartnerCenter);
    expect(filtering).toContain(OPPORTUNITY_COLUMNS.referralVisibility);
    expect(filtering).not.toContain(OPPORTUNITY_COLUMNS.syncStatus); // the service's own writes must not echo
    expect(filtering).not.toContain(OPPORTUNITY_COLUMNS.microsoftCrmId);
    // Its post-image carries every column the service reads of an opportunity and the row version, under the alias
    // that names that list (the service plans a save from it), in real exports' element order.
    const images = kids(kid(update, "SdkMessageProcessingStepImages")!, "SdkMessageProcessingStepImage");
    expect(images.map((i) => [i.attrs.Name, textOf(i, "EntityAlias"), textOf(i, "ImageType"), textOf(i, "MessagePropertyName"), textOf(i, "Attributes")])).toEqual([
      [DEAL_IMAGE.alias, DEAL_IMAGE.alias, "1", "Target", DEAL_IMAGE.attributes.join(",")],
    ]);
    expect(DEAL_IMAGE.attributes).toEqual(expect.arrayContaining(["customerid", "parentcontactid", "transactioncurrencyid", "versionnumber", OPPORTUNITY_COLUMNS.syncSnapshot, OPPORTUNITY_COLUMNS.referralETag]));
    expect(images[0].children.map((c) => c.name)).toEqual(["SdkMessageProcessingStepImageId", "Attributes", "EntityAlias", "ImageType", "MessagePropertyName", "IsCustomizable"]);
  });
});

describe("Custom APIs", () => {
  const apiFiles = Object.keys(unmanaged.entries).filter((p) => p.startsWith("customapis/"));
  it("bound to opportunity, no plug-in, sync-and-async steps allowed, an existing execute privilege", () => {
    for (const api of Object.values(CUSTOM_APIS)) {
      const x = unmanaged.xml(`customapis/${api.uniqueName}/customapi.xml`);
      expect(x.attrs.uniquename).toBe(api.uniqueName);
      // Frozen: these cannot change after the first import.
      expect([textOf(x, "bindingtype"), textOf(x, "boundentitylogicalname"), textOf(x, "isfunction"), textOf(x, "allowedcustomprocessingsteptype"), textOf(x, "workflowsdkstepenabled"), textOf(x, "plugintypeid")])
        .toEqual(["1", "opportunity", "0", "2", "0", ""]);
      const roles = kids(kid(cust, "Roles")!, "Role");
      const seller = roles.find((r) => r.attrs.name === "Co-sell seller")!;
      expect(kids(kid(seller, "RolePrivileges")!, "RolePrivilege").map((p) => p.attrs.name)).toContain(textOf(x, "executeprivilegename"));
    }
  });
  it("parameters: legal type, no Target, logicalentityname only for entity types, Decision required and Reason optional", () => {
    const params = apiFiles.filter((p) => p.endsWith("customapirequestparameter.xml")).map((p) => unmanaged.xml(p));
    for (const p of params) {
      const type = Number(textOf(p, "type"));
      expect(type).toBeGreaterThanOrEqual(0);
      expect(type).toBeLessThanOrEqual(12);
      if (![3, 4, 5].includes(type)) expect(textOf(p, "logicalentityname") ?? "").toBe("");
      expect(p.attrs.uniquename).not.toBe("Target");
    }
    const byName = Object.fromEntries(params.map((p) => [p.attrs.uniquename, [textOf(p, "type"), textOf(p, "isoptional"), textOf(p, "name")]]));
    expect(byName).toEqual({ Decision: ["10", "0", "cosell_RespondToReferral.Decision"], Reason: ["10", "1", "cosell_RespondToReferral.Reason"] });
    for (const p of apiFiles.filter((f) => f.includes("customapiresponseproperties/"))) expect(kid(unmanaged.xml(p), "isoptional")).toBeUndefined();
  });
});

describe("names, ids and secrets", () => {
  it("every new component carries the cosell prefix", () => {
    const names = [
      ...kids(kid(cust, "WebResources")!, "WebResource").map((w) => textOf(w, "Name")!),
      ...kids(kid(cust, "ServiceEndpoints")!, "ServiceEndpoint").map((e) => e.attrs.Name),
      ...Object.values(CUSTOM_APIS).map((a) => a.uniqueName),
      ...kids(kid(cust, "EntityRelationships")!, "EntityRelationship").filter((r) => !/^(business_unit|lk|owner|team|user)_/.test(r.attrs.Name)).map((r) => r.attrs.Name),
    ];
    for (const n of names) expect(n).toMatch(/^cosell_/);
    for (const n of [...walk(kid(entity("Opportunity"), "RibbonDiffXml")!)].filter((x) => x.attrs.Id)) expect(n.attrs.Id).toMatch(/^(cosell\.|Mscrm\.Templates$)/);
  });
  it("ids are kept in source: two builds are byte-identical in their XML", () => {
    const again = assemble({ root: ROOT, outDir: build.outDir }, false);
    expect(new TextDecoder().decode(again.files.get("customizations.xml"))).toBe(unmanaged.text("customizations.xml"));
  });
  it("no secret travels in the zip", () => {
    for (const [p, bytes] of Object.entries(unmanaged.entries)) {
      if (!/\.(xml|json)$/.test(p)) continue;
      expect(new TextDecoder().decode(bytes)).not.toMatch(/authvalue|x-cosell-key|SASKey>[^<]|client_secret/i);
    }
  });
});

describe("the admin's views and chart on opportunity", () => {
  const opp = () => entity("Opportunity");
  const views = () => kids(kid(kid(opp(), "SavedQueries")!, "savedqueries")!, "savedquery");
  const nameOf = (x: XNode) => kid(kid(x, "LocalizedNames")!, "LocalizedName")!.attrs.description;
  const view = (name: string) => views().find((v) => nameOf(v) === name)!;
  const fetchOf = (q: XNode) => kid(kid(kid(q, "fetchxml")!, "fetch")!, "entity")!;
  const conditions = (filter: XNode) =>
    kids(filter, "condition").map((c) => ({ attribute: c.attrs.attribute, operator: c.attrs.operator, value: c.attrs.value ?? kids(c, "value").map((v) => Number(v.text)) }));

  it("ships two public views in the opportunity shell, as exports do: no RootComponent of their own", () => {
    expect(views().map(nameOf).sort()).toEqual(["Co-sell needing attention", "Open co-sell deals"]);
    const ours = new Set(columnsOf("Opportunity").map((a) => textOf(a, "LogicalName")));
    for (const v of views()) {
      expect([textOf(v, "querytype"), textOf(v, "isdefault"), textOf(v, "isquickfindquery")]).toEqual(["0", "0", "0"]);
      expect(textOf(v, "savedqueryid")).toMatch(/^\{[0-9a-f-]{36}\}$/);
      const grid = kid(kid(v, "layoutxml")!, "grid")!;
      expect([grid.attrs.jump, kid(grid, "row")!.attrs.id]).toEqual(["name", "opportunityid"]);
      // Every cosell_ column a view shows or reads is one the solution adds.
      const named = [...kids(kid(grid, "row")!, "cell").map((c) => c.attrs.name), ...kids(fetchOf(v), "attribute").map((a) => a.attrs.name)];
      for (const c of named.filter((n) => n.startsWith("cosell_"))) expect({ c, known: ours.has(c) }).toEqual({ c, known: true });
    }
    const lines = kids(kid(kid(sol, "SolutionManifest")!, "RootComponents")!, "RootComponent");
    expect(lines.filter((r) => r.attrs.type === "26" || r.attrs.type === "59")).toEqual([]);
    expect(lines.find((r) => r.attrs.schemaName === "opportunity")!.attrs.behavior).toBe("2");
  });

  it("'Co-sell needing attention' applies the rule /health/stuck applies (sync/schema NEEDS_ATTENTION)", () => {
    const filter = kid(fetchOf(view("Co-sell needing attention")), "filter")!;
    expect(filter.attrs.type).toBe("or");
    expect(conditions(filter)).toEqual([{ attribute: OPPORTUNITY_COLUMNS.syncStatus, operator: "in", value: NEEDS_ATTENTION.statuses.map((n) => SYNC_STATUS[n]) }]);
    const pending = kids(filter, "filter");
    expect(pending.map((f) => f.attrs.type)).toEqual(["and"]);
    expect(conditions(pending[0])).toEqual([
      { attribute: OPPORTUNITY_COLUMNS.syncStatus, operator: "eq", value: String(SYNC_STATUS[NEEDS_ATTENTION.pending]) },
      // listStuckDeals measures from modifiedon too; a minutes operator needs a date-and-time column, which modifiedon is.
      { attribute: "modifiedon", operator: "olderthan-x-minutes", value: String(NEEDS_ATTENTION.defaultPendingMinutes) },
    ]);
  });

  it("charts co-sell deals counted by sync status, right after the views", () => {
    const names = opp().children.map((c) => c.name);
    expect(names.indexOf("Visualizations")).toBe(names.indexOf("SavedQueries") + 1);
    const charts = kids(kid(opp(), "Visualizations")!, "visualization");
    expect(charts.map(nameOf)).toEqual(["Co-sell deals by sync status"]);
    const definition = kid(kid(charts[0], "datadescription")!, "datadefinition")!;
    const fetch = kid(kid(definition, "fetchcollection")!, "fetch")!;
    expect(fetch.attrs.aggregate).toBe("true");
    const attrs = kids(kid(fetch, "entity")!, "attribute");
    const groupBy = attrs.find((a) => a.attrs.groupby === "true")!;
    const count = attrs.find((a) => a.attrs.aggregate === "count")!;
    expect(groupBy.attrs.name).toBe(OPPORTUNITY_COLUMNS.syncStatus);
    const category = kid(kid(definition, "categorycollection")!, "category")!;
    expect(category.attrs.alias).toBe(groupBy.attrs.alias);
    expect(kid(kid(category, "measurecollection")!, "measure")!.attrs.alias).toBe(count.attrs.alias);
    expect(kid(kid(kid(charts[0], "presentationdescription")!, "Chart")!, "Series")).toBeDefined();
  });
});

describe("the Co-sell dashboard", () => {
  const dashboardsOf = (z: Unpacked) => kids(kid(z.xml("customizations.xml"), "Dashboards")!, "Dashboard");
  const nameOf = (x: XNode) => kid(kid(x, "LocalizedNames")!, "LocalizedName")!.attrs.description;
  const bare = (g: string | undefined) => (g ?? "").replace(/[{}]/g, "").toLowerCase();

  it.each([["unmanaged", unmanaged], ["managed", managed]])("%s: one system dashboard in export order, with its own type-60 RootComponent", (_n, z) => {
    const dashboards = dashboardsOf(z);
    expect(dashboards.map(nameOf)).toEqual(["Co-sell"]);
    const d = dashboards[0];
    expect(d.children.map((c) => c.name)).toEqual(["LocalizedNames", "FormId", "IsCustomizable", "IsDefault", "FormXml", "IntroducedVersion", "IsTabletEnabled"]);
    expect([textOf(d, "IsCustomizable"), textOf(d, "IsDefault"), kid(kid(d, "FormXml")!, "forms")!.attrs.type]).toEqual(["1", "0", "dashboard"]);
    const roots = kids(kid(kid(z.xml("solution.xml"), "SolutionManifest")!, "RootComponents")!, "RootComponent").filter((r) => r.attrs.type === "60");
    expect(roots.map((r) => [r.attrs.id, r.attrs.behavior])).toEqual([[textOf(d, "FormId"), "0"]]);
  });

  it.each([["unmanaged", unmanaged], ["managed", managed]])("%s: shows the sync-status chart over the open deals, the deals needing attention and the open deals, from the same zip", (_n, z) => {
    const opp = kids(kid(z.xml("customizations.xml"), "Entities")!, "Entity").find((e) => kid(e, "Name")!.text === "Opportunity")!;
    const views = new Map(kids(kid(kid(opp, "SavedQueries")!, "savedqueries")!, "savedquery").map((v) => [bare(textOf(v, "savedqueryid")), nameOf(v)]));
    const charts = new Map(kids(kid(opp, "Visualizations")!, "visualization").map((c) => [bare(textOf(c, "savedqueryvisualizationid")), nameOf(c)]));
    const tiles = [...walk(dashboardsOf(z)[0])].filter((n) => n.name === "control").map((c) => {
      const p = kid(c, "parameters")!;
      return {
        table: textOf(p, "TargetEntityType"), mode: textOf(p, "ChartGridMode"),
        view: views.get(bare(textOf(p, "ViewId"))) ?? `unknown view ${textOf(p, "ViewId")}`,
        chart: textOf(p, "VisualizationId") ? charts.get(bare(textOf(p, "VisualizationId"))) ?? `unknown chart ${textOf(p, "VisualizationId")}` : null,
        systemOnly: [textOf(p, "IsUserView"), textOf(p, "IsUserChart")],
      };
    });
    const system = ["false", "false"];
    expect(tiles).toEqual([
      { table: "opportunity", mode: "Chart", view: "Open co-sell deals", chart: "Co-sell deals by sync status", systemOnly: system },
      { table: "opportunity", mode: "Grid", view: "Co-sell needing attention", chart: null, systemOnly: system },
      { table: "opportunity", mode: "Grid", view: "Open co-sell deals", chart: null, systemOnly: system },
    ]);
  });
});

describe("the packer's errors", () => {
  it("names the missing build file and the command that makes it", () => {
    const out = mkdtempSync(join(tmpdir(), "cosell-broken-"));
    cpSync(build.outDir, out, { recursive: true });
    rmSync(join(out, "controls/CoSellPanel/bundle.js"));
    expect(() => assemble({ root: ROOT, outDir: out }, false)).toThrow(/controls\/CoSellPanel\/bundle\.js not found: run npm run build:controls/);
    writeFileSync(join(out, "controls/CoSellPanel/bundle.js"), "");
    writeFileSync(join(out, "webresources/cosell_/extra.js"), "");
    expect(() => assemble({ root: ROOT, outDir: out }, false)).toThrow(/cosell_\/extra\.js has no solution\/src\/WebResources\/cosell_\/extra\.js\.data\.xml/);
    rmSync(out, { recursive: true, force: true });
  });
});
