import { mergeStyleSets } from "@fluentui/react/lib/Styling";

/** Below this width (px) the panel stacks everything in one column. */
export const NARROW_WIDTH = 360;

export const classes = mergeStyleSets({
  root: { display: "flex", flexDirection: "column", gap: 16, minWidth: 0, fontSize: 14 },
  section: { display: "flex", flexDirection: "column", gap: 6, minWidth: 0 },
  heading: { margin: 0, fontSize: 14, fontWeight: 600 },
  hint: { margin: 0, color: "#605e5c", fontSize: 12 },
  status: { display: "flex", alignItems: "flex-start", gap: 8, padding: "8px 10px", borderRadius: 2, borderLeft: "4px solid #8a8886", background: "#f3f2f1" },
  statusOk: { borderLeftColor: "#107c10", background: "#dff6dd" },
  statusWarn: { borderLeftColor: "#c19c00", background: "#fff4ce" },
  statusError: { borderLeftColor: "#a80000", background: "#fde7e9" },
  statusGlyph: { fontWeight: 700, minWidth: 16 },
  statusBody: { display: "flex", flexDirection: "column", gap: 2, minWidth: 0, overflowWrap: "anywhere" },
  list: { margin: 0, paddingLeft: 18 },
  chips: { display: "flex", flexWrap: "wrap", gap: 6, listStyle: "none", margin: 0, padding: 0 },
  chip: { display: "inline-flex", alignItems: "center", gap: 4, padding: "2px 4px 2px 8px", borderRadius: 12, background: "#edebe9", fontFamily: "monospace", fontSize: 12 },
  chipRemove: {
    border: "none", background: "transparent", cursor: "pointer", borderRadius: 10, width: 20, height: 20, lineHeight: "18px",
    selectors: { ":hover": { background: "#c8c6c4" }, ":focus-visible": { outline: "2px solid #0078d4" }, ":disabled": { cursor: "default", color: "#a19f9d" } },
  },
  addRow: { display: "flex", gap: 8, alignItems: "flex-start" },
  addRowNarrow: { flexDirection: "column", alignItems: "stretch" },
  grow: { flexGrow: 1, minWidth: 0 },
  unsafe: { color: "#a80000", overflowWrap: "anywhere" },
  timeline: { listStyle: "none", margin: 0, padding: 0, display: "flex", flexDirection: "column", gap: 10 },
  event: { borderLeft: "2px solid #c8c6c4", paddingLeft: 10, display: "flex", flexDirection: "column", gap: 2, overflowWrap: "anywhere" },
  eventMeta: { color: "#605e5c", fontSize: 12 },
  eventError: { color: "#a80000" },
  visuallyHidden: { position: "absolute", width: 1, height: 1, overflow: "hidden", clip: "rect(0 0 0 0)", whiteSpace: "nowrap" },
});
