/**
 * Reads the solution source (solution/src, SolutionPackager's unpacked layout) and the build output
 * (out/), and returns every file of the packed zip. One source builds both zips; only `Managed` differs.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { readManifest, controlDescription, type ControlManifest } from "./control";
import { completeDashboard, tableAssets, type Catalog } from "./dashboards";
import { completeTable } from "./tables";
import { bareGuid, filteringAttributes, withFilteringAttributes } from "./steps";
import { el, kids, need, parseXml, textOf, toXml, type XNode, XmlError } from "./xml";

export class PackError extends Error {}

export interface PackInput {
  /** Project root (package.json, solution/src, out/). */
  root: string;
  /** Where the build output is (default `<root>/out`). */
  outDir?: string;
}
export interface PackedSolution {
  /** Zip entry path → content. */
  files: Map<string, Uint8Array>;
  version: string;
  manifest: ControlManifest;
}

const EMPTY_RIBBON = (): XNode => parseXml(
  '<RibbonDiffXml><CustomActions /><Templates><RibbonTemplates Id="Mscrm.Templates"></RibbonTemplates></Templates><CommandDefinitions /><RuleDefinitions><TabDisplayRules /><DisplayRules /><EnableRules /></RuleDefinitions><LocLabels /></RibbonDiffXml>',
  "empty ribbon",
);
const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

/** Files under `dir` (recursive), as paths relative to it with `/` separators. */
function listFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => relative(dir, join(d.parentPath, d.name)).split(sep).join("/"))
    .sort();
}

/** The manifest with its <control version> set to the solution's major.minor.patch. */
export function stampControlVersion(manifestXml: string, solutionVersion: string): string {
  const version = solutionVersion.split(".").slice(0, 3).join(".");
  const stamped = manifestXml.replace(/(<control\b[^>]*?\sversion=")[^"]*(")/, `$1${version}$2`);
  if (stamped === manifestXml && !manifestXml.includes(`version="${version}"`)) throw new PackError("ControlManifest.xml: <control> has no version attribute to stamp");
  return stamped;
}

/** The four-part version Dataverse wants, from package.json (1.0.0 → 1.0.0.0). */
export function solutionVersion(root: string): string {
  const v = String(JSON.parse(readFileSync(join(root, "package.json"), "utf8")).version ?? "");
  const parts = v.split("-")[0].split(".");
  if (parts.length < 1 || parts.length > 4 || parts.some((p) => !/^\d+$/.test(p))) throw new PackError(`package.json: version "${v}" is not numeric major.minor.patch`);
  while (parts.length < 4) parts.push("0");
  return parts.join(".");
}

/** Web resource FileName as Dataverse writes it: the name without separators + the id in upper case. */
export function webResourceFileName(name: string, id: string): string {
  return `/WebResources/${name.replace(/[^A-Za-z0-9_-]/g, "")}${id.replace(/[{}]/g, "").toUpperCase()}`;
}

export function assemble(input: PackInput, managed: boolean): PackedSolution {
  const src = join(input.root, "solution/src");
  const out = input.outDir ?? join(input.root, "out");
  const read = (rel: string): XNode => {
    const file = join(src, rel);
    if (!existsSync(file)) throw new PackError(`solution/src/${rel} not found`);
    return parseXml(readFileSync(file, "utf8"), `solution/src/${rel}`);
  };
  const readOut = (rel: string, hint: string): Buffer => {
    const file = join(out, rel);
    if (!existsSync(file)) throw new PackError(`${relative(input.root, file)} not found: run ${hint}`);
    return readFileSync(file);
  };
  const files = new Map<string, Uint8Array>();
  const srcFiles = listFiles(src);
  const components = new Set<string>();

  // Tables, their relationships and the opportunity ribbon.
  const entities: XNode[] = [];
  const relationships: XNode[] = [];
  const prefix = textOf(need(need(read("Other/Solution.xml"), "SolutionManifest", "Solution.xml"), "Publisher", "Solution.xml"), "CustomizationPrefix") ?? "";
  const catalog: Catalog = new Map();
  for (const file of srcFiles.filter((f) => /^Entities\/[^/]+\/Entity\.xml$/.test(f))) {
    const viewDir = file.replace(/Entity\.xml$/, "SavedQueries/");
    const views = srcFiles.filter((f) => f.startsWith(viewDir)).flatMap((f) => kids(read(f), "savedquery"));
    const chartDir = file.replace(/Entity\.xml$/, "Visualizations/");
    const charts = srcFiles.filter((f) => f.startsWith(chartDir)).flatMap((f) => kids(read(f), "visualization"));
    const table = completeTable(read(file), `solution/src/${file}`, views, charts);
    catalog.set(table.schemaName.toLowerCase(), tableAssets(views, charts, `solution/src/${file.replace(/Entity\.xml$/, "")}`));
    const ribbonFile = file.replace(/Entity\.xml$/, "RibbonDiff.xml");
    const ribbon = srcFiles.includes(ribbonFile) ? read(ribbonFile) : EMPTY_RIBBON();
    entities.push({ ...table.entity, children: [...table.entity.children, { ...ribbon, attrs: {} }] });
    relationships.push(...table.relationships);
    components.add(`1:${table.schemaName.toLowerCase()}:${table.isNew ? 0 : 2}`);
  }
  for (const file of srcFiles.filter((f) => f.startsWith("Other/Relationships/"))) relationships.push(...kids(read(file), "EntityRelationship"));
  entities.sort((a, b) => a.children[0].text.localeCompare(b.children[0].text));
  relationships.sort((a, b) => a.attrs.Name.localeCompare(b.attrs.Name));

  // Dashboards: each tile's view and chart must be one packed above.
  const dashboards = srcFiles.filter((f) => /^Dashboards\/[^/]+\.xml$/.test(f)).map((f) => {
    const { dashboard, formId } = completeDashboard(read(f), `solution/src/${f}`, catalog);
    components.add(`60:${bareGuid(formId)}`);
    return dashboard;
  });

  // Roles.
  const roles = srcFiles.filter((f) => /^Roles\/.+\.xml$/.test(f)).map((f) => {
    const role = read(f);
    components.add(`20:${bareGuid(role.attrs.id)}`);
    return { ...role, attrs: Object.fromEntries(Object.entries(role.attrs).filter(([k]) => k !== "xmlns:xsi")) };
  });

  // Web resources: metadata from source, content from the build.
  const webResources = srcFiles.filter((f) => f.startsWith("WebResources/") && f.endsWith(".data.xml")).map((f) => {
    const data = read(f);
    const name = need(data, "Name", f).text;
    const id = need(data, "WebResourceId", f).text.toLowerCase();
    if (`WebResources/${name}.data.xml` !== f) throw new PackError(`solution/src/${f}: <Name> ${name} does not match its file path`);
    const fileName = webResourceFileName(name, id);
    files.set(fileName.slice(1), readOut(`webresources/${name}`, "npm run build:webresources"));
    components.add(`61:${name}`);
    const children = data.children.filter((c) => c.name !== "FileName" && c.name !== "WebResourceId");
    return el("WebResource", {}, [el("WebResourceId", {}, id), ...children, el("FileName", {}, fileName)]);
  });
  const builtWebResources = listFiles(join(out, "webresources")).filter((f) => f.startsWith(`${prefix}_/`));
  const orphan = builtWebResources.find((f) => !srcFiles.includes(`WebResources/${f}.data.xml`));
  if (orphan) throw new PackError(`out/webresources/${orphan} has no solution/src/WebResources/${orphan}.data.xml: give it an id and a type there`);

  // The PCF control: the built manifest names its files.
  const controlData = srcFiles.filter((f) => /^Controls\/[^/]+\/ControlManifest\.xml\.data\.xml$/.test(f));
  if (controlData.length !== 1) throw new PackError(`solution/src/Controls: expected one control, found ${controlData.length}`);
  const cc = read(controlData[0]);
  const storedName = need(cc, "Name", controlData[0]).text;
  const constructorName = storedName.split(".").pop()!;
  const builtDir = `controls/${constructorName}`;
  const manifestXml = readOut(`${builtDir}/ControlManifest.xml`, "npm run build:controls");
  const manifest = readManifest(parseXml(manifestXml.toString("utf8"), `out/${builtDir}/ControlManifest.xml`), `out/${builtDir}/ControlManifest.xml`, prefix);
  if (manifest.storedName !== storedName) throw new PackError(`solution/src/${controlData[0]}: <Name> ${storedName} but the built manifest makes ${manifest.storedName}`);
  // package.json is the one version source: the control in the zip carries it as Solution.xml does.
  files.set(`Controls/${storedName}/ControlManifest.xml`, utf8(stampControlVersion(manifestXml.toString("utf8"), solutionVersion(input.root))));
  for (const f of manifest.files) files.set(`Controls/${storedName}/${f}`, readOut(`${builtDir}/${f}`, "npm run build:controls"));
  components.add(`66:${storedName}`);

  // Webhook endpoint and the packable steps.
  const endpoints = kids(read("PluginAssemblies/ServiceEndpoints.xml"), "ServiceEndpoint");
  endpoints.forEach((e) => components.add(`95:${bareGuid(e.attrs.ServiceEndpointId)}`));
  const filtering = filteringAttributes(input.root);
  const steps = srcFiles.filter((f) => f.startsWith("SdkMessageProcessingSteps/")).map((f) => {
    const step = withFilteringAttributes(read(f), filtering);
    components.add(`92:${bareGuid(step.attrs.SdkMessageProcessingStepId)}`);
    return step;
  });

  // Custom APIs and environment variables travel as their own files (no customizations.xml part).
  for (const f of srcFiles.filter((f) => f.startsWith("customapis/") || f.startsWith("environmentvariabledefinitions/"))) {
    const doc = read(f);
    files.set(f, utf8(toXml(doc)));
    if (doc.name === "environmentvariabledefinition") components.add(`380:${doc.attrs.schemaname}`);
  }

  // customizations.xml: the skeleton's sections, filled.
  const skeleton = read("Other/Customizations.xml");
  const fill: Record<string, XNode[]> = {
    Entities: entities, Roles: roles, EntityRelationships: relationships, Dashboards: dashboards, WebResources: webResources,
    CustomControls: [el("CustomControl", {}, [el("Name", {}, storedName), el("FileName", {}, `/Controls/${storedName}/ControlManifest.xml`)])],
    SdkMessageProcessingSteps: steps, ServiceEndpoints: endpoints,
  };
  const customizations = { ...skeleton, children: skeleton.children.map((s) => (fill[s.name] ? { ...s, children: [...s.children, ...fill[s.name]] } : s)) };
  files.set("customizations.xml", utf8(toXml(customizations)));

  // solution.xml: version and Managed set here; its RootComponents must be exactly the components packed.
  const version = solutionVersion(input.root);
  const solution = read("Other/Solution.xml");
  const sm = need(solution, "SolutionManifest", "Other/Solution.xml");
  const rootComponents = kids(need(sm, "RootComponents", "Other/Solution.xml"), "RootComponent");
  const have = new Set(rootComponents.map(rootComponentKey));
  const missing = [...components].filter((k) => !have.has(k));
  const extra = [...have].filter((k) => !components.has(k));
  if (missing.length || extra.length) {
    throw new PackError(`solution/src/Other/Solution.xml: RootComponents do not match the components (type:key[:behavior])${missing.length ? `; missing ${missing.join(", ")}` : ""}${extra.length ? `; no such component for ${extra.join(", ")}` : ""}`);
  }
  const manifestChildren = sm.children.map((c) =>
    c.name === "Version" ? el("Version", {}, version) : c.name === "Managed" ? el("Managed", {}, managed ? "1" : "0") : c);
  files.set("solution.xml", utf8(toXml({ ...solution, children: [{ ...sm, children: manifestChildren }] })));

  files.set("[Content_Types].xml", contentTypes([...files.keys()]));
  return { files, version, manifest };
}

/** How a RootComponent is compared with the packed components: `type:key`, plus `:behavior` for tables. */
export function rootComponentKey(r: XNode): string {
  const key = r.attrs.schemaName ?? bareGuid(r.attrs.id ?? "");
  return r.attrs.type === "1" ? `1:${key}:${r.attrs.behavior}` : `${r.attrs.type}:${key}`;
}

/** `[Content_Types].xml`: BOM, one Default per extension, one Override per extension-less file. */
export function contentTypes(paths: string[]): Uint8Array {
  const ct = "application/octet-stream";
  const extOf = (p: string) => /\.([A-Za-z0-9]+)$/.exec(p.split("/").pop()!)?.[1]?.toLowerCase();
  const exts = [...new Set(["xml", ...paths.map(extOf).filter((e): e is string => !!e)])].sort();
  const overrides = paths.filter((p) => !extOf(p)).sort();
  const types = el("Types", { xmlns: "http://schemas.openxmlformats.org/package/2006/content-types" }, [
    ...exts.map((e) => el("Default", { Extension: e, ContentType: ct })),
    ...overrides.map((p) => el("Override", { PartName: `/${p}`, ContentType: ct })),
  ]);
  return utf8(`\uFEFF<?xml version="1.0" encoding="utf-8"?>${toXml(types)}`);
}

/** The form section install.ts adds, with the panel's controlDescription written from the manifest. */
export function formSection(root: string, manifest: ControlManifest): { section: XNode; description: XNode } {
  const where = "solution/install/opportunity-section.xml";
  const section = parseXml(readFileSync(join(root, where), "utf8"), where);
  const control = [...kids(need(need(need(section, "rows", where), "row", where), "cell", where), "control")][0];
  if (!control?.attrs.uniqueid) throw new XmlError(`${where}: the section's cell needs a <control> with a uniqueid`);
  return { section, description: controlDescription(manifest, control.attrs.uniqueid, control.attrs.datafieldname) };
}
