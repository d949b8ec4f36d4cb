/** The text limits the engine fits its messages to are the ones the solution declares. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { XMLParser } from "fast-xml-parser";
import { TEXT_LENGTHS, fitText } from "../../sync/schema/dynamics";
import { ROOT } from "./build-output";

function declaredLengths(entity: string): Record<string, number> {
  const xml = new XMLParser({ ignoreAttributes: false }).parse(readFileSync(join(ROOT, "solution/src/Entities", entity, "Entity.xml"), "utf8"));
  const attributes = [xml.Entity.EntityInfo.entity.attributes.attribute].flat() as Array<{ Name: string; MaxLength?: number }>;
  return Object.fromEntries(attributes.filter((a) => a.MaxLength !== undefined).map((a) => [a.Name, Number(a.MaxLength)]));
}

test("TEXT_LENGTHS equal the MaxLength of each column in the solution", () => {
  const declared = { ...declaredLengths("Opportunity"), ...declaredLengths("cosell_SyncEvent") };
  for (const [column, length] of Object.entries(TEXT_LENGTHS)) expect({ column, length }).toEqual({ column, length: declared[column] });
});

test("fitText cuts with an ellipsis to exactly the limit, and leaves shorter text alone", () => {
  expect(fitText("abcdef", 4)).toBe("abc…");
  expect(fitText("abcd", 4)).toBe("abcd");
});
