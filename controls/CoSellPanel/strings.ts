/**
 * The panel's user-visible text. The words live in strings/CoSellPanel.<lcid>.resx (read through
 * context.resources.getString); components receive them as one plain object so they stay PCF-free.
 */
import type { StringKey } from "./stringKeys";

export type { StringKey };
export type PanelStrings = Readonly<Record<StringKey, string>>;

/**
 * The texts, each read from the platform the first time the panel shows it, then kept: the key list
 * stays out of the bundle, and opening a form does not read the ~90 texts its first paint mostly
 * does not show. Components ask only for keys of the StringKey type.
 */
export function loadStrings(getString: (key: string) => string): PanelStrings {
  const read: Record<string, string> = Object.create(null);
  return new Proxy(read, {
    get: (_, key) => (typeof key !== "string" ? undefined : key in read ? read[key] : (read[key] = getString(key))),
  }) as PanelStrings;
}

/**
 * Fills `{0}`, `{1}`… the way .resx templates are written; an unknown slot stays visible.
 */
export function format(template: string, ...args: ReadonlyArray<string | number>): string {
  return template.replace(/\{(\d+)\}/g, (slot, index: string) => {
    const value = args[+index];
    return value === undefined ? slot : String(value);
  });
}
