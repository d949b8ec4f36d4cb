import { FontWeights, getTheme, hiddenContentStyle, mergeStyleSets, type IRawStyle } from "@fluentui/react";

/** Below this width (px) the panel stacks everything in one column. */
export const NARROW_WIDTH = 360;

/**
 * The panel's layout; its controls are the platform's Fluent components, which bring their own
 * look. Colours are read from the theme the platform sets (Fluent's default where it sets none).
 * Pseudo classes sit beside the properties (merge-styles reads any object value as a selector).
 */
const { palette, semanticColors, fonts } = getTheme();
const column = (gap: number): IRawStyle => ({ display: "flex", flexDirection: "column", gap, minWidth: 0 });
const bare: IRawStyle = { listStyle: "none", margin: 0, padding: 0 };

// Arrays merge their styles: shared pieces are written once.
export const classes = mergeStyleSets({
  // The theme's body font (Segoe UI, 14 px), as Fluent's own components set theirs: the panel's text
  // looks like the form's whatever font the page around it has. overflow-wrap is inherited: set
  // here, it breaks a long id or link anywhere in the panel (400 px column).
  root: [column(16), fonts.medium, { textAlign: "start", maxWidth: "100%", overflowWrap: "anywhere" }, {
    // Emphasis in the theme's semibold, as Fluent's labels: the font's bold is another face to load.
    selectors: { strong: { fontWeight: FontWeights.semibold } },
  }],
  section: column(6),
  heading: { margin: 0, fontSize: 14, fontWeight: FontWeights.semibold },
  hint: { margin: 0, color: palette.neutralSecondary, fontSize: 12 },
  error: { margin: 0, color: semanticColors.errorText },
  stack: column(2),
  list: { margin: 0, paddingLeft: 18 },
  chips: [bare, { display: "flex", flexWrap: "wrap", gap: 6 }],
  chip: { display: "inline-flex", alignItems: "center", gap: 2, padding: "0 0 0 8px", borderRadius: 12, background: palette.neutralLighter, fontSize: 12 },
  chipRemove: { width: 24, height: 24, borderRadius: 12, fontSize: 10 },
  row: { display: "flex", gap: 8, alignItems: "flex-start" },
  grow: { flexGrow: 1, minWidth: 0 },
  start: { alignSelf: "flex-start" },
  narrow: { flexDirection: "column", alignItems: "stretch" },
  timeline: [bare, column(10)],
  event: [column(2), { borderLeft: `2px solid ${palette.neutralTertiaryAlt}`, paddingLeft: 10 }],
  visuallyHidden: hiddenContentStyle,
});
