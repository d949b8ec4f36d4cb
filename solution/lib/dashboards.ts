/**
 * System dashboards. Unpacked: `Dashboards/{FormId}.xml` with a `<Dashboard>` root; packed: one
 * `<Dashboard>` in customizations.xml's `<Dashboards>` and a type-60 RootComponent (a dashboard is a
 * system form). A tile names its view and chart by id only, so a stale id would ship a broken tile:
 * the packer resolves every id against the views and charts it packs, and keeps the layout rules the
 * dashboard designer needs (docs: "Create a dashboard", "Understand dashboards").
 */
import { bareGuid } from "./steps";
import { kid, kids, need, textOf, walk, type XNode, XmlError } from "./xml";

/** The control class of a list or chart tile (Chart, Grid or All mode): the same class as a form sub-grid. */
export const LIST_OR_CHART_CLASS = "{E7A81278-8635-4d9e-8D4D-59480B391C5B}";
/** Dataverse's default limit of components on one dashboard. */
export const MAX_COMPONENTS = 6;
const MODES = ["Chart", "Grid", "All"];

/** Ids (bare, lowercase) of the views and charts packed in one table. */
export interface TableAssets { views: Set<string>; charts: Set<string> }
/** Per table logical name: what the solution packs there. */
export type Catalog = Map<string, TableAssets>;

/** What a table's `savedquery` and `visualization` elements give a dashboard to point at. */
export function tableAssets(views: XNode[], charts: XNode[], where: string): TableAssets {
  return {
    views: new Set(views.map((v) => bareGuid(need(v, "savedqueryid", where).text))),
    charts: new Set(charts.map((c) => bareGuid(need(c, "savedqueryvisualizationid", where).text))),
  };
}

/** One list or chart tile as the dashboard shows it. */
export interface Tile { table: string; mode: string; viewId: string; chartId: string }

/** Checks a source `<Dashboard>` against the packed views and charts; returns its packed form and FormId. */
export function completeDashboard(src: XNode, where: string, catalog: Catalog): { dashboard: XNode; formId: string; tiles: Tile[] } {
  if (src.name !== "Dashboard") throw new XmlError(`${where}: the root must be <Dashboard>, found <${src.name}>`);
  const formId = need(src, "FormId", where).text;
  if (!/^\{[0-9a-fA-F-]{36}\}$/.test(formId)) throw new XmlError(`${where}: <FormId> must be a braced GUID, found "${formId}"`);
  if (!where.toLowerCase().endsWith(`/${formId.toLowerCase()}.xml`)) throw new XmlError(`${where}: the file must be named after its <FormId> ${formId}`);
  need(src, "LocalizedNames", where);
  const forms = need(need(src, "FormXml", where), "forms", where);
  if (forms.attrs.type !== "dashboard") throw new XmlError(`${where}: <forms type> must be "dashboard", found "${forms.attrs.type ?? ""}"`);

  const controls = [...walk(forms)].filter((n) => n.name === "control");
  if (controls.length > MAX_COMPONENTS) throw new XmlError(`${where}: ${controls.length} components; a dashboard shows at most ${MAX_COMPONENTS}`);
  for (const s of [...walk(forms)].filter((n) => n.name === "section")) checkLayout(s, `${where}: section ${s.attrs.id ?? "?"}`);
  const tiles = controls.filter((c) => c.attrs.classid?.toLowerCase() === LIST_OR_CHART_CLASS.toLowerCase())
    .map((c) => resolveTile(c, `${where}: control ${c.attrs.id ?? "?"}`, catalog));

  // Packed, the element carries no namespace declaration (real customizations.xml files have none on it).
  return { dashboard: { ...src, attrs: {} }, formId, tiles };
}

/** A tile's view and chart must be system ones this solution packs on the tile's table. */
function resolveTile(control: XNode, where: string, catalog: Catalog): Tile {
  const p = need(control, "parameters", where);
  const value = (name: string) => textOf(p, name) ?? "";
  const table = value("TargetEntityType");
  const assets = catalog.get(table);
  if (!assets) throw new XmlError(`${where}: TargetEntityType "${table}" is not a table this solution packs`);
  const mode = value("ChartGridMode");
  if (!MODES.includes(mode)) throw new XmlError(`${where}: ChartGridMode must be one of ${MODES.join(", ")}, found "${mode}"`);
  // A system (organization-owned) dashboard may show only system views and charts [docs].
  if (value("IsUserView") !== "false") throw new XmlError(`${where}: IsUserView must be false: a system dashboard shows system views only`);
  if (kid(p, "IsUserChart") && value("IsUserChart") !== "false") throw new XmlError(`${where}: IsUserChart must be false: a system dashboard shows system charts only`);
  // The dashboard designer cannot open a grid that grows with its rows [docs].
  if (value("AutoExpand") !== "Fixed") throw new XmlError(`${where}: AutoExpand must be Fixed on a dashboard`);
  const viewId = value("ViewId");
  if (!assets.views.has(bareGuid(viewId))) throw new XmlError(`${where}: ViewId ${viewId || "(empty)"} is no view of ${table} in solution/src/Entities/*/SavedQueries`);
  const chartId = value("VisualizationId");
  if (mode !== "Grid" && !chartId) throw new XmlError(`${where}: a ${mode} tile needs a VisualizationId`);
  if (chartId && !assets.charts.has(bareGuid(chartId))) throw new XmlError(`${where}: VisualizationId ${chartId} is no chart of ${table} in solution/src/Entities/*/Visualizations`);
  return { table, mode, viewId: bareGuid(viewId), chartId: chartId ? bareGuid(chartId) : "" };
}

/**
 * A cell spanning N rows is followed by N - 1 empty rows, and a row's cells fit the section's columns:
 * the designer cannot open a dashboard whose row count disagrees with its cells' rowspan [docs].
 */
function checkLayout(section: XNode, where: string): void {
  const width = (section.attrs.columns ?? "1").length;
  const rows = kids(need(section, "rows", where), "row");
  for (let i = 0; i < rows.length;) {
    const cells = kids(rows[i], "cell");
    if (!cells.length) throw new XmlError(`${where}: row ${i + 1} is empty but no cell above spans it`);
    const spans = new Set(cells.map((c) => Number(c.attrs.rowspan ?? "1")));
    if (spans.size !== 1) throw new XmlError(`${where}: the cells of row ${i + 1} span different row counts (${[...spans].join(", ")})`);
    const span = [...spans][0];
    const columns = cells.reduce((n, c) => n + Number(c.attrs.colspan ?? "1"), 0);
    if (columns > width) throw new XmlError(`${where}: row ${i + 1} spans ${columns} columns; the section has ${width}`);
    const spanned = rows.slice(i + 1, i + span);
    if (spanned.length !== span - 1 || spanned.some((r) => r.children.length)) {
      throw new XmlError(`${where}: a cell in row ${i + 1} spans ${span} rows, so rows ${i + 2}–${i + span} must exist and be empty`);
    }
    i += span;
  }
}
