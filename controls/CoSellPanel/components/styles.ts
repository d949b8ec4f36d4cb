import { hiddenContentStyle, mergeStyleSets, type IRawStyle } from "@fluentui/react/lib/Styling";

/** Below this width (px) the panel stacks everything in one column. */
export const NARROW_WIDTH = 360;

/**
 * The panel's only styles: plain elements with these classes, no Fluent components, so the first
 * paint injects one small set of rules instead of every component's theme-derived styles.
 * Colours are Fluent's default theme; each used more than once is named, so it ships once. Pseudo
 * classes sit beside the properties (merge-styles reads any object value as a selector): a
 * `selectors` wrapper would only add bytes.
 */
const BLUE = "#0078d4"; // themePrimary
const RED = "#a80000"; // errorText
const GREY = "#605e5c"; // neutralSecondary
const DIM_TEXT = "#a19f9d"; // neutralTertiary
const LINE = "#c8c6c4"; // neutralTertiaryAlt
const PALE = "#f3f2f1"; // neutralLighter

const control: IRawStyle = { font: "inherit", color: "inherit", borderRadius: 2, border: "1px solid #8a8886", background: "#fff", minHeight: 32, padding: "0 8px" };
const focus: IRawStyle = { outline: `2px solid ${BLUE}` };
const dim: IRawStyle = { color: DIM_TEXT, borderColor: LINE, background: PALE, cursor: "default" };
const column = (gap: number): IRawStyle => ({ display: "flex", flexDirection: "column", gap, minWidth: 0 });
const bare: IRawStyle = { listStyle: "none", margin: 0, padding: 0 };

// Arrays merge their styles: shared pieces are written once.
export const classes = mergeStyleSets({
  root: [column(16), { fontSize: 14, textAlign: "start" }],
  section: column(6),
  heading: { margin: 0, fontSize: 14, fontWeight: 600 },
  hint: { margin: 0, color: GREY, fontSize: 12 },
  error: { margin: 0, color: RED, overflowWrap: "anywhere" },
  status: { display: "flex", alignItems: "flex-start", gap: 8, padding: "8px 10px", borderRadius: 2, borderLeft: "4px solid #8a8886", background: PALE },
  ok: { borderLeftColor: "#107c10", background: "#dff6dd" },
  warn: { borderLeftColor: "#c19c00", background: "#fff4ce" },
  bad: { borderLeftColor: RED, background: "#fde7e9" },
  glyph: { fontWeight: 700, minWidth: 16 },
  stack: [column(2), { overflowWrap: "anywhere" }],
  list: { margin: 0, paddingLeft: 18 },
  input: [control, { ":focus": focus, ":disabled": dim, "&[aria-invalid=true]": { borderColor: RED }, "&[readonly]": { background: PALE } }],
  button: [control, {
    padding: "0 16px", fontWeight: 600, cursor: "pointer", alignSelf: "flex-start",
    ":hover": { background: PALE }, ":focus-visible": focus, ":disabled": dim,
  }],
  link: { color: BLUE, ":hover": { color: "#004578" }, ":focus-visible": focus },
  // The pill and its knob (::after); aria-checked is the state, so the look cannot disagree with what a screen reader says.
  toggle: {
    position: "relative", width: 40, height: 20, padding: 0, borderRadius: 10, border: `1px solid ${GREY}`, background: "#fff", cursor: "pointer", flexShrink: 0,
    "::after": { content: '""', position: "absolute", top: 3, left: 4, width: 12, height: 12, borderRadius: 6, background: GREY },
    "&[aria-checked=true]": { background: BLUE, borderColor: BLUE },
    "&[aria-checked=true]::after": { left: 22, background: "#fff" },
    ":focus-visible": focus,
    ":disabled": dim,
    ":disabled::after": { background: DIM_TEXT },
  },
  chips: [bare, { display: "flex", flexWrap: "wrap", gap: 6 }],
  chip: { display: "inline-flex", alignItems: "center", gap: 4, padding: "2px 4px 2px 8px", borderRadius: 12, background: "#edebe9", fontFamily: "monospace", fontSize: 12 },
  chipRemove: {
    border: "none", background: "transparent", cursor: "pointer", borderRadius: 10, width: 20, height: 20, lineHeight: "18px",
    ":hover": { background: LINE }, ":focus-visible": focus, ":disabled": { cursor: "default", color: DIM_TEXT },
  },
  row: { display: "flex", gap: 8, alignItems: "flex-start" },
  grow: { flexGrow: 1 },
  narrow: { flexDirection: "column", alignItems: "stretch" },
  timeline: [bare, column(10)],
  event: [column(2), { borderLeft: `2px solid ${LINE}`, paddingLeft: 10, overflowWrap: "anywhere" }],
  visuallyHidden: hiddenContentStyle,
});

/** A class plus an optional second one. */
export const cx = (name: string, extra?: string | false): string => (extra ? `${name} ${extra}` : name);
