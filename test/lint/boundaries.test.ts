/**
 * The rooms' boundaries (eslint.config.mjs) catch what they exist to catch: each planted import
 * below is an error, and the same file without it is clean.
 */
import { execFileSync } from "node:child_process";
import { resolve } from "node:path";

const ROOT = resolve(__dirname, "../..");

/**
 * ESLint's flat config is an ES module, which jest's VM cannot load: one Node process lints every
 * case and answers with the boundary messages of each.
 */
function lintAll(cases: Array<{ filePath: string; code: string }>): string[][] {
  const script = `
    const { ESLint } = require("eslint");
    const cases = JSON.parse(require("node:fs").readFileSync(0, "utf8"));
    (async () => {
      const eslint = new ESLint({ cwd: process.cwd() });
      const out = [];
      for (const c of cases) {
        const [result] = await eslint.lintText(c.code, { filePath: c.filePath });
        out.push(result.messages.filter((m) => m.ruleId === "boundaries/dependencies").map((m) => m.message));
      }
      process.stdout.write(JSON.stringify(out));
    })();`;
  return JSON.parse(execFileSync(process.execPath, ["-e", script], { cwd: ROOT, input: JSON.stringify(cases), encoding: "utf8" }));
}

const planted: Array<[string, string, RegExp]> = [
  ["sync/engine/planted.ts", 'import { readFileSync } from "node:fs";', /origin "core".*engine/],
  ["sync/engine/planted.ts", 'import { DataverseClient } from "../dataverse/client";', /"clients".*"engine"/],
  ["sync/schema/planted.ts", 'import { plan } from "../engine/plan";', /"engine".*"schema"/],
  ["sync/engine/planted.ts", 'import pino from "pino";', /"pino".*"engine"/],
  ["api/core/planted.ts", 'import { createPartnerCenterEmulator } from "../../emulators/partner-center";', /"emulators".*"core"/],
  ["api/hosts/planted.ts", 'import { validDeal } from "../../test/engine/fixtures";', /"test".*"service"/],
  ["api/planted.ts", 'import { SEEDED } from "../sandbox/seed-data";', /"sandbox".*"service"/],
  ["sync/partner-center/planted.ts", 'import { http } from "../../emulators/kit/dispatcher";', /"emulators".*"clients"/],
  ["bench/planted.ts", 'import { validDeal } from "../test/engine/fixtures";', /"test".*"bench"/],
];

const allowed = [
  { filePath: "sync/engine/planted.ts", code: 'import Ajv from "ajv";\nimport { SYNC_STATUS } from "../schema/dynamics";\nexport const used = [Ajv, SYNC_STATUS];\n' },
  { filePath: "api/core/planted.ts", code: 'import { plan } from "../../sync/engine";\nimport { DataverseClient } from "../../sync/dataverse/client";\nexport const used = [plan, DataverseClient];\n' },
];
const asCode = (line: string) => `${line}\nexport const used = [${line.match(/import \{? ?(\w+)/)![1]}];\n`;
let results: string[][];
beforeAll(() => {
  results = lintAll([...planted.map(([filePath, line]) => ({ filePath, code: asCode(line) })), ...allowed]);
}, 60_000);

test.each(planted.map((c, i) => [...c, i] as const))("%s: %s is refused", (_file, _line, why, i) => {
  expect(results[i]).toEqual([expect.stringMatching(why)]);
});

test("allowed imports pass: the engine uses the schema and ajv, core the engine and clients", () => {
  expect(results.slice(planted.length)).toEqual([[], []]);
});
