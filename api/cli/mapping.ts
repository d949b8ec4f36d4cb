/**
 * `cosell mapping check <file>` and `cosell mapping set <file>`: how an admin changes the field
 * mapping. A document is checked against the schema and the engine's rules first; one with
 * problems is refused with every problem and its JSON path, and never reaches Dataverse.
 */
import { readFileSync } from "node:fs";
import { loadMapping, MappingError, SETTING_NAMES } from "../../sync/engine";
import { connectDataverse } from "../compose";
import { readConfig } from "../config";
import type { Command } from "./command";

export interface MappingCommandDeps {
  readFile(path: string): string;
  /** Writes the `mapping.document` setting; only `set` needs it. */
  setSetting?(name: string, value: string): Promise<void>;
  out(line: string): void;
}

const USAGE = "usage: cosell mapping check <file> | cosell mapping set <file>";

/** Reads and checks a mapping document; the problems, or the loaded field count. */
export function checkMappingDocument(path: string, readFile: (path: string) => string): { problems: string[]; warnings?: string[]; fields?: number; text?: string } {
  let text: string;
  try {
    text = readFile(path);
  } catch (e) {
    return { problems: [`${path}: cannot be read (${(e as Error).message})`] };
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    return { problems: [`${path}: not valid JSON (${(e as Error).message})`] };
  }
  try {
    const mapping = loadMapping(doc);
    return { problems: [], warnings: mapping.warnings.map((w) => `${path} ${w.path}: ${w.message}`), fields: mapping.fields.length + (mapping.status ? 1 : 0), text: JSON.stringify(doc) };
  } catch (e) {
    if (e instanceof MappingError) return { problems: e.problems.map((p) => `${path} ${p.path}: ${p.message}`) };
    throw e;
  }
}

export async function runMappingCommand(argv: string[], deps: MappingCommandDeps): Promise<number> {
  const [verb, file, ...rest] = argv;
  if ((verb !== "check" && verb !== "set") || !file || rest.length > 0) {
    deps.out(USAGE);
    return 2;
  }
  const result = checkMappingDocument(file, deps.readFile);
  if (result.problems.length > 0) {
    deps.out(`The mapping in ${file} cannot be used (${result.problems.length} problem${result.problems.length === 1 ? "" : "s"}); nothing was changed:`);
    for (const p of result.problems) deps.out(`  ${p}`);
    return 1;
  }
  // Allowed, but worth a second look: printed on check and on set alike.
  for (const w of result.warnings ?? []) deps.out(`  warning: ${w}`);
  if (verb === "check") {
    deps.out(`${file}: a valid mapping of ${result.fields} fields${result.warnings?.length ? `, with ${result.warnings.length} warning${result.warnings.length === 1 ? "" : "s"} above` : ""}.`);
    return 0;
  }
  if (!deps.setSetting) throw new Error("mapping set needs a Dataverse connection");
  await deps.setSetting(SETTING_NAMES.mappingDocument, result.text!);
  deps.out(`${file}: saved as the "${SETTING_NAMES.mappingDocument}" setting (${result.fields} fields). The service uses it within a minute.`);
  return 0;
}

export const mappingCommand: Command = {
  name: "mapping",
  summary: "check a field-mapping document, or check it and make it the org's mapping",
  usage: ["mapping check <file>   (needs no configuration)", "mapping set <file>     (refused, with every problem, if it has any)"],
  parts: ["dataverse"],
  async run(args, io) {
    // `check` reads no configuration; `set` only the Dataverse connection.
    const dataverse = args[0] === "set" ? connectDataverse(readConfig(io.env, ["dataverse"]).dataverse, io.compose) : undefined;
    return runMappingCommand(args, {
      readFile: (path) => readFileSync(path, "utf8"),
      setSetting: dataverse && ((name, value) => dataverse.setSetting(name, value)),
      out: (line) => io.out(line),
    });
  },
};
