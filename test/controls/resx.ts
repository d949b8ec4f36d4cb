/** Reads the panel's .resx files the way the PCF runtime does: name → value. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { XMLParser } from "fast-xml-parser";
import { loadStrings, type PanelStrings } from "../../controls/CoSellPanel/strings";

export const RESX_DIR = join(__dirname, "..", "..", "controls", "CoSellPanel", "strings");

export function readResx(lcid: number): Map<string, string> {
  const xml = readFileSync(join(RESX_DIR, `CoSellPanel.${lcid}.resx`), "utf8");
  const parsed = new XMLParser({ ignoreAttributes: false, isArray: (name) => name === "data", parseTagValue: false }).parse(xml);
  const entries = (parsed.root.data ?? []) as Array<{ "@_name": string; value: string }>;
  return new Map(entries.map((d) => [d["@_name"], String(d.value)]));
}

/** The strings object the control builds from context.resources.getString (which echoes unknown keys). */
export function panelStrings(lcid = 1033): PanelStrings {
  const resx = readResx(lcid);
  return loadStrings((key) => resx.get(key) ?? key);
}
