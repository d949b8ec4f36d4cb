/**
 * The platform libraries a model-driven app gives a virtual PCF control: React 16.14 and Fluent
 * UI 8, under the global names pcf-scripts externalises them to (PlatformLibraryVersions.json).
 */
import "./fabric-config";
import * as React from "react";
import * as ReactDOM from "react-dom";
import * as Fluent from "@fluentui/react";

// The platform registers Fluent's icon font; offline, the few glyphs the panel and the sandbox page use are drawn as text.
Fluent.registerIcons({ icons: { chevrondown: "▾", chevronup: "▴", cancel: "✕", checkmark: "✓", info: "ⓘ", warning: "⚠", errorbadge: "✘", completed: "✔", add: "+" } });

const w = window as unknown as Record<string, unknown>;
w.Reactv16 = React;
w.ReactDOMv16 = ReactDOM;
w.FluentUIReactv8290 = Fluent;
w.FluentUIReactv81211 = Fluent;
