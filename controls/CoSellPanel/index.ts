/**
 * The PCF adapter: turns the framework's context into plain props for <CoSellPanelView>, and the
 * panel's edits into outputs. The components know nothing of PCF.
 */
import * as React from "react";
import type { IInputs, IOutputs } from "./generated/ManifestTypes";
import { CoSellPanelView } from "./components/CoSellPanelView";
import type { CoSellData } from "./data/CoSellData";
import { createWebApiData } from "./data/webApiData";
import type { EditableField, PanelEdit } from "./model/panelValues";
import { isReadOnly, localeOf, panelValuesOf, recordIdOf } from "./pcfContext";
import { loadStrings, type PanelStrings } from "./strings";

export class CoSellPanel implements ComponentFramework.ReactControl<IInputs, IOutputs> {
  private notifyOutputChanged!: () => void;
  /** Edits the host has not taken back yet; they win over the older bound values until it does. */
  private pending: PanelEdit = {};
  private data: CoSellData | null = null;
  private strings!: PanelStrings;

  public init(context: ComponentFramework.Context<IInputs>, notifyOutputChanged: () => void): void {
    this.notifyOutputChanged = notifyOutputChanged;
    this.strings = loadStrings((key) => context.resources.getString(key));
    context.mode.trackContainerResize(true);
    // No saved record (a new form, or the test harness, which has no Web API): nothing to read.
    this.data = recordIdOf(context) ? createWebApiData(context.webAPI) : null;
  }

  public updateView(context: ComponentFramework.Context<IInputs>): React.ReactElement {
    for (const name of context.updatedProperties ?? []) delete this.pending[name as EditableField];
    return React.createElement(CoSellPanelView, {
      values: { ...panelValuesOf(context.parameters), ...this.pending },
      onChange: (edit: PanelEdit) => this.onChange(edit),
      recordId: recordIdOf(context),
      data: this.data,
      strings: this.strings,
      disabled: isReadOnly(context),
      width: context.mode.allocatedWidth,
      locale: localeOf(context),
    });
  }

  /** Only what the seller changed; `undefined` tells the host to clear the column. */
  public getOutputs(): IOutputs {
    return Object.fromEntries(Object.entries(this.pending).map(([name, value]) => [name, value ?? undefined])) as IOutputs;
  }

  public destroy(): void {
    this.pending = {};
  }

  private onChange(edit: PanelEdit): void {
    this.pending = { ...this.pending, ...edit };
    this.notifyOutputChanged();
  }
}
