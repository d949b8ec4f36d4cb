/**
 * A small element tree over fast-xml-parser's order-preserving mode: Dataverse cares about child
 * order, so every read and write keeps it.
 */
import { XMLBuilder, XMLParser } from "fast-xml-parser";

export interface XNode {
  name: string;
  attrs: Record<string, string>;
  children: XNode[];
  /** Text content of a leaf element ("" when empty). */
  text: string;
}

type Ordered = Record<string, unknown>;
const OPTIONS = {
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: "@_", // a bare prefix makes the parser refuse attributes such as PCF's `constructor`
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  commentPropName: "#comment",
} as const;
const parser = new XMLParser(OPTIONS);
const builder = new XMLBuilder({ ...OPTIONS, suppressEmptyNode: true, format: false });

export class XmlError extends Error {}

/** Parses one document; `where` names the file in error messages. Comments and declarations are dropped. */
export function parseXml(text: string, where: string): XNode {
  let raw: Ordered[];
  try {
    raw = parser.parse(text.replace(/^\uFEFF/, ""), true) as Ordered[];
  } catch (e) {
    throw new XmlError(`${where}: not well-formed XML (${(e as Error).message})`);
  }
  const roots = raw.map(fromOrdered).filter((n): n is XNode => n !== null);
  if (roots.length !== 1) throw new XmlError(`${where}: expected one root element, found ${roots.length}`);
  return roots[0];
}

function fromOrdered(o: Ordered): XNode | null {
  const name = Object.keys(o).find((k) => k !== ":@");
  if (!name || name.startsWith("?") || name === "#comment" || name === "#text") return null;
  const items = (o[name] as Ordered[]) ?? [];
  const attrs = Object.fromEntries(Object.entries((o[":@"] as Record<string, string>) ?? {}).map(([k, v]) => [k.slice(2), v]));
  const children = items.map(fromOrdered).filter((n): n is XNode => n !== null);
  const text = items.filter((i) => "#text" in i).map((i) => String(i["#text"])).join("");
  return { name, attrs, children, text };
}

function toOrdered(n: XNode): Ordered {
  const items: Ordered[] = n.children.length ? n.children.map(toOrdered) : n.text !== "" ? [{ "#text": n.text }] : [];
  const o: Ordered = { [n.name]: items };
  if (Object.keys(n.attrs).length) o[":@"] = Object.fromEntries(Object.entries(n.attrs).map(([k, v]) => [`@_${k}`, v]));
  return o;
}

/** Serialises without a declaration (Dataverse's solution.xml and customizations.xml have none). */
export function toXml(n: XNode): string {
  return builder.build([toOrdered(n)]) as string;
}

/** Builds an element: `el("Type", {}, "bit")`, `el("options", {}, [opt1, opt2])`. */
export function el(name: string, attrs: Record<string, string | number> = {}, content: string | number | XNode[] = ""): XNode {
  const a = Object.fromEntries(Object.entries(attrs).map(([k, v]) => [k, String(v)]));
  return Array.isArray(content) ? { name, attrs: a, children: content, text: "" } : { name, attrs: a, children: [], text: String(content) };
}

export const kids = (n: XNode, name: string): XNode[] => n.children.filter((c) => c.name === name);
export const kid = (n: XNode, name: string): XNode | undefined => n.children.find((c) => c.name === name);
/** The child `name`, or a clear error naming the parent and `where`. */
export function need(n: XNode, name: string, where: string): XNode {
  const c = kid(n, name);
  if (!c) throw new XmlError(`${where}: <${n.name}> has no <${name}>`);
  return c;
}
export const textOf = (n: XNode, name: string): string | undefined => kid(n, name)?.text;

/** Every descendant (depth first, self included). */
export function* walk(n: XNode): Generator<XNode> {
  yield n;
  for (const c of n.children) yield* walk(c);
}

/** The 1033 label of a `<displaynames>` / `<labels>` block, for messages and checks. */
export function label1033(n: XNode | undefined): string | undefined {
  if (!n) return undefined;
  return n.children.find((c) => c.attrs.languagecode === "1033")?.attrs.description;
}
