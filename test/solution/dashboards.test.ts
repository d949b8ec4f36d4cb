/**
 * The packer refuses a dashboard the admin would open to broken tiles: ids that name no packed view or
 * chart, user views on a system dashboard, and layouts the dashboard designer cannot open. Each case
 * starts from the shipped source and breaks one thing.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { completeDashboard, tableAssets, MAX_COMPONENTS, type Catalog } from "../../solution/lib/dashboards";
import { kid, kids, parseXml, walk, type XNode } from "../../solution/lib/xml";
import { ROOT } from "./build-output";

const SRC = join(ROOT, "solution/src");
const FILE = readdirSync(join(SRC, "Dashboards")).find((f) => f.endsWith(".xml"))!;
const WHERE = `solution/src/Dashboards/${FILE}`;
const source = (): XNode => parseXml(readFileSync(join(SRC, "Dashboards", FILE), "utf8"), WHERE);

/** The views and charts the packer packs on opportunity, read from the same source files. */
function opportunityCatalog(): Catalog {
  const dir = join(SRC, "Entities/Opportunity");
  const read = (sub: string, el: string) => readdirSync(join(dir, sub)).flatMap((f) => kids(parseXml(readFileSync(join(dir, sub, f), "utf8"), f), el));
  return new Map([["opportunity", tableAssets(read("SavedQueries", "savedquery"), read("Visualizations", "visualization"), dir)]]);
}
const catalog = opportunityCatalog();

const controls = (d: XNode) => [...walk(d)].filter((n) => n.name === "control");
const param = (control: XNode, name: string) => kid(kid(control, "parameters")!, name)!;
/** The shipped dashboard with one change made to a copy of it. */
function broken(change: (d: XNode) => void): XNode {
  const d = structuredClone(source());
  change(d);
  return d;
}
const pack = (d: XNode, where = WHERE) => () => completeDashboard(d, where, catalog);

describe("the packer's dashboard checks", () => {
  it("accepts the shipped dashboard: every tile resolves to a view, and the chart tile to a chart, on opportunity", () => {
    const { tiles, formId, dashboard } = completeDashboard(source(), WHERE, catalog);
    expect(tiles.map((t) => t.mode)).toEqual(["Chart", "Grid", "Grid"]);
    for (const t of tiles) expect(catalog.get(t.table)!.views.has(t.viewId)).toBe(true);
    expect(catalog.get("opportunity")!.charts.has(tiles[0].chartId)).toBe(true);
    expect(WHERE.toLowerCase()).toContain(formId.toLowerCase());
    expect(dashboard.attrs).toEqual({});
  });

  it("refuses a tile whose view or chart this solution does not pack (a renamed or deleted file)", () => {
    const stale = "{00000000-0000-0000-0000-000000000001}";
    expect(pack(broken((d) => { param(controls(d)[1], "ViewId").text = stale; }))).toThrow(/ViewId \{0+-0+-0+-0+-0+1\} is no view of opportunity/);
    expect(pack(broken((d) => { param(controls(d)[0], "VisualizationId").text = stale; }))).toThrow(/VisualizationId .* is no chart of opportunity/);
    expect(pack(broken((d) => { param(controls(d)[0], "VisualizationId").text = ""; }))).toThrow(/a Chart tile needs a VisualizationId/);
    expect(pack(broken((d) => { param(controls(d)[0], "TargetEntityType").text = "account"; }))).toThrow(/TargetEntityType "account" is not a table this solution packs/);
  });

  it("refuses user views and charts, growing grids and unknown modes", () => {
    expect(pack(broken((d) => { param(controls(d)[1], "IsUserView").text = "true"; }))).toThrow(/IsUserView must be false/);
    expect(pack(broken((d) => { param(controls(d)[0], "IsUserChart").text = "true"; }))).toThrow(/IsUserChart must be false/);
    expect(pack(broken((d) => { param(controls(d)[2], "AutoExpand").text = "Auto"; }))).toThrow(/AutoExpand must be Fixed/);
    expect(pack(broken((d) => { param(controls(d)[2], "ChartGridMode").text = "List"; }))).toThrow(/ChartGridMode must be one of Chart, Grid, All/);
  });

  it("refuses a layout whose rows disagree with its cells' rowspan, or that overflows the section", () => {
    const rows = (d: XNode) => kid([...walk(d)].find((n) => n.name === "section")!, "rows")!;
    expect(pack(broken((d) => { rows(d).children.splice(1, 1); }))).toThrow(/spans 12 rows, so rows 2–12 must exist and be empty/);
    expect(pack(broken((d) => { rows(d).children.push({ name: "row", attrs: {}, children: [], text: "" }); }))).toThrow(/row 25 is empty but no cell above spans it/);
    expect(pack(broken((d) => { [...walk(d)].filter((n) => n.name === "cell")[2].attrs.colspan = "5"; }))).toThrow(/row 13 spans 5 columns; the section has 4/);
    expect(pack(broken((d) => { [...walk(d)].filter((n) => n.name === "cell")[1].attrs.rowspan = "6"; }))).toThrow(/cells of row 1 span different row counts/);
  });

  it(`refuses more than ${MAX_COMPONENTS} components`, () => {
    const crowded = broken((d) => {
      const row = kids(kid([...walk(d)].find((n) => n.name === "section")!, "rows")!, "row")[0];
      const cell = kids(row, "cell")[1];
      row.children.push(...Array.from({ length: MAX_COMPONENTS - 2 }, () => structuredClone(cell)));
    });
    expect(pack(crowded)).toThrow(new RegExp(`${MAX_COMPONENTS + 1} components; a dashboard shows at most ${MAX_COMPONENTS}`));
  });

  it("refuses a file not named after its FormId, and a form that is not a dashboard", () => {
    expect(pack(source(), "solution/src/Dashboards/cosell.xml")).toThrow(/must be named after its <FormId>/);
    expect(pack(broken((d) => { kid(kid(d, "FormXml")!, "forms")!.attrs.type = "main"; }))).toThrow(/<forms type> must be "dashboard", found "main"/);
  });
});
