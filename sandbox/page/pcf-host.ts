/**
 * A small PCF host: loads a built virtual control's bundle.js and gives it the parts of the
 * framework context it uses — bound parameters from the form's record, `webAPI` against the
 * Dataverse emulator, `mode`, `navigation`, `resources`, `userSettings` — the way a model-driven
 * form does. The control's React element is rendered with the platform's ReactDOM.
 */
import * as React from "react";
import * as ReactDOM from "react-dom";
import { entitySetOf, type Api } from "./web-api";

type ControlCtor = new () => {
  init(context: unknown, notifyOutputChanged: () => void, state?: unknown): void;
  updateView(context: unknown): React.ReactElement;
  getOutputs?(): Record<string, unknown>;
  destroy(): void;
};

const registry = new Map<string, ControlCtor>();
(window as unknown as { ComponentFramework: unknown }).ComponentFramework = {
  registerControl(name: string, ctor: ControlCtor) {
    registry.set(name, ctor);
  },
};

function loadScript(src: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const el = document.createElement("script");
    el.src = src;
    el.onload = () => resolve();
    el.onerror = () => reject(new Error(`Could not load ${src}`));
    document.head.appendChild(el);
  });
}

export interface ManifestProperty {
  name: string;
  ofType: string;
}

export interface ControlPackage {
  name: string;
  properties: ManifestProperty[];
  strings: Record<string, string>;
}

/** Reads the built manifest and resx, then the bundle, which registers the control. */
export async function loadControl(baseUrl: string, languageId: number): Promise<ControlPackage & { ctor: ControlCtor }> {
  const manifestXml = await (await fetch(`${baseUrl}/ControlManifest.xml`)).text();
  const doc = new DOMParser().parseFromString(manifestXml, "application/xml");
  const control = doc.querySelector("control");
  if (!control) throw new Error("The control manifest has no <control>.");
  const name = `${control.getAttribute("namespace")}.${control.getAttribute("constructor")}`;
  const groups = new Map<string, string>();
  doc.querySelectorAll("type-group").forEach((g) => groups.set(g.getAttribute("name") ?? "", g.querySelector("type")?.textContent ?? ""));
  const properties = [...doc.querySelectorAll("property")].map((p) => ({
    name: p.getAttribute("name") ?? "",
    ofType: p.getAttribute("of-type") ?? groups.get(p.getAttribute("of-type-group") ?? "") ?? "SingleLine.Text",
  }));
  const resx = [...doc.querySelectorAll("resx")].map((r) => r.getAttribute("path") ?? "");
  const path = resx.find((p) => p.includes(`.${languageId}.`)) ?? resx[0];
  const strings: Record<string, string> = {};
  if (path) {
    const resxDoc = new DOMParser().parseFromString(await (await fetch(`${baseUrl}/${path}`)).text(), "application/xml");
    resxDoc.querySelectorAll("data").forEach((d) => (strings[d.getAttribute("name") ?? ""] = d.querySelector("value")?.textContent ?? ""));
  }
  await loadScript(`${baseUrl}/bundle.js`);
  const ctor = registry.get(name);
  if (!ctor) throw new Error(`The bundle did not register ${name}.`);
  return { name, properties, strings, ctor };
}

export interface BoundValue {
  raw: unknown;
  options?: Array<{ Value: number; Label: string }>;
}

export interface HostOptions {
  api: Api;
  container: HTMLElement;
  recordId: string | null;
  languageId: number;
  disabled: boolean;
  /** The form's current value of each bound property. */
  values(): Record<string, BoundValue>;
  /** The control changed bound values (getOutputs). */
  onOutputs(outputs: Record<string, unknown>): void;
}

export class PcfHost {
  private control: InstanceType<ControlCtor>;
  private lastRaw = new Map<string, unknown>();
  private width: number;
  private resizeObserver: ResizeObserver;

  constructor(private readonly pkg: ControlPackage & { ctor: ControlCtor }, private options: HostOptions) {
    this.control = new pkg.ctor();
    this.width = options.container.clientWidth;
    this.resizeObserver = new ResizeObserver(() => {
      if (Math.abs(options.container.clientWidth - this.width) > 8) {
        this.width = options.container.clientWidth;
        this.render([]);
      }
    });
    this.resizeObserver.observe(options.container);
    this.control.init(this.context(this.pkg.properties.map((p) => p.name)), () => {
      const outputs = this.control.getOutputs?.() ?? {};
      this.options.onOutputs(outputs);
    });
    this.render(this.pkg.properties.map((p) => p.name));
  }

  /** Re-renders with new form values; only properties whose value changed count as updated. */
  update(options: Partial<HostOptions> = {}): void {
    this.options = { ...this.options, ...options };
    const values = this.options.values();
    const updated = this.pkg.properties.map((p) => p.name).filter((name) => values[name]?.raw !== this.lastRaw.get(name));
    this.render(updated);
  }

  destroy(): void {
    this.resizeObserver.disconnect();
    this.control.destroy();
    ReactDOM.unmountComponentAtNode(this.options.container);
  }

  private render(updatedProperties: string[]): void {
    const context = this.context(updatedProperties);
    ReactDOM.render(this.control.updateView(context), this.options.container);
  }

  private context(updatedProperties: string[]) {
    const { api, recordId, languageId } = this.options;
    const values = this.options.values();
    const parameters: Record<string, unknown> = {};
    for (const p of this.pkg.properties) {
      const value = values[p.name] ?? { raw: null };
      this.lastRaw.set(p.name, value.raw);
      parameters[p.name] = {
        raw: value.raw,
        formatted: value.raw == null ? "" : String(value.raw),
        type: p.ofType,
        error: false,
        errorMessage: "",
        security: { editable: !this.options.disabled, readable: true, secured: false },
        attributes: { LogicalName: p.name, DisplayName: p.name, Options: value.options ?? [] },
      };
    }
    const strings = this.pkg.strings;
    return {
      parameters,
      updatedProperties,
      mode: {
        isControlDisabled: this.options.disabled,
        isVisible: true,
        label: "Microsoft Co-sell",
        allocatedWidth: this.width,
        allocatedHeight: -1,
        contextInfo: { entityId: recordId, entityTypeName: "opportunity", entityRecordName: "" },
        trackContainerResize: () => undefined,
        setControlState: () => true,
        setFullScreen: () => undefined,
        setNotification: () => true,
        clearNotification: () => true,
      },
      resources: {
        getString: (key: string) => strings[key] ?? key,
        getResource: () => undefined,
      },
      userSettings: { languageId, userId: api.config.userId, userName: "Sandbox Seller", isRTL: false, dateFormattingInfo: {}, numberFormattingInfo: {} },
      client: { getClient: () => "Web", getFormFactor: () => 1, isOffline: () => false, disableScroll: false },
      navigation: {
        openUrl: (url: string) => window.open(url, "_blank", "noopener,noreferrer"),
        openAlertDialog: (s: { text: string }) => Promise.resolve(window.alert(s.text)),
        openErrorDialog: (s: { message: string }) => Promise.resolve(window.alert(s.message)),
      },
      factory: { requestRender: () => this.render([]) },
      webAPI: {
        retrieveRecord: (entity: string, id: string, query = "") => api.dvGet<Record<string, unknown>>(`${entitySetOf(entity)}(${id})${query}`),
        retrieveMultipleRecords: (entity: string, query = "", maxPageSize?: number) => api.retrieveMultiple(entity, query, maxPageSize),
        updateRecord: async (entity: string, id: string, data: unknown) => {
          await api.dvPatch(`${entitySetOf(entity)}(${id})`, data);
          return { id, entityType: entity };
        },
        createRecord: () => Promise.reject(new Error("The panel does not create records.")),
        deleteRecord: () => Promise.reject(new Error("The panel does not delete records.")),
      },
    };
  }
}
