/**
 * The control is built for the browsers Dynamics supports, so its source is plain modern TypeScript.
 * pcf-scripts' webpack rule for .ts/.tsx is babel-loader after ts-loader
 * (node_modules/pcf-scripts/webpackConfig.js, getWebpackConfig): ts-loader compiles with the
 * tsconfig.json it finds walking up from the control's folder (`target`: ES2020), then Babel's
 * preset-env rewrites what pcfconfig.json `targets` says those browsers lack (buildConfig.js reads
 * pcfconfig.json; without `targets` pcf-scripts falls back to `{ esmodules: true }`, which rewrites
 * spreads, rest, async, `?.`, `??`, defaults and template literals into helpers).
 * Here the same chain runs on pcf-scripts' own webpack config, and the built bundle is checked.
 */
import { existsSync, mkdtempSync, readFileSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as ts from "typescript";

const ROOT = join(__dirname, "../..");
const CONTROL = join(ROOT, "controls/CoSellPanel");
// pcf-scripts' modules (it ships no types), resolved as pcf-scripts itself resolves them.
const pcfRequire = createRequire(require.resolve("pcf-scripts/package.json"));

interface BabelOptions { presets: Array<[string, Record<string, unknown>?]>; [option: string]: unknown }
interface WebpackRule { test: RegExp; use: Array<{ loader: string; options: BabelOptions }> }

/** The webpack config `pcf-scripts build --buildMode production` uses for this control. */
function pcfWebpackConfig(): { module: { rules: WebpackRule[] }; externals: unknown[] } {
  const { ControlContext } = pcfRequire("./controlContext");
  const { DiagnosticManager } = pcfRequire("./diagnostic");
  const { getWebpackConfig } = pcfRequire("./webpackConfig");
  const control = new ControlContext(new DiagnosticManager(), CONTROL);
  return getWebpackConfig(control, mkdtempSync(join(tmpdir(), "cosell-pcf-")), "production", false);
}

/** The compiler options ts-loader reads: the nearest tsconfig.json above the control. */
function tsLoaderOptions(): ts.CompilerOptions {
  const file = ts.findConfigFile(CONTROL, ts.sys.fileExists);
  expect(file).toBe(join(ROOT, "tsconfig.json"));
  return ts.getParsedCommandLineOfConfigFile(file!, {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined })!.options;
}

const SOURCE = [
  "declare const g: ((x?: number) => Promise<number>) | undefined;",
  "export async function f(o: { a?: { b: number }; c: number }, n = 1, ...more: number[]) {",
  "  const { a, ...rest } = o;",
  "  const [p] = more;",
  "  const s = { ...rest, t: `${p}` };",
  "  return (await g?.(a?.b)) ?? n ?? s;",
  "}",
].join("\n");
/** SOURCE's function as it reads with nothing rewritten (Babel's compact printing). */
const KEPT = "async function f(o,n=1,...more){const{a,...rest}=o;const[p]=more;const s={...rest,t:`${p}`};return(await g?.(a?.b))??n??s;}";

function build(target: ts.ScriptTarget | undefined, babelOptions: BabelOptions): string {
  const js = ts.transpileModule(SOURCE, { compilerOptions: { ...tsLoaderOptions(), target }, fileName: "f.ts" }).outputText;
  const babel = pcfRequire("@babel/core");
  return babel.transformSync(js, {
    ...babelOptions, filename: join(CONTROL, "f.ts"), babelrc: false, configFile: false,
    caller: { name: "babel-loader", supportsStaticESM: true, supportsDynamicImport: true },
  }).code;
}

describe("pcf-scripts' TypeScript rule", () => {
  const config = pcfWebpackConfig();
  const rule = config.module.rules.find((r) => r.test.test("index.ts"))!;
  const babel = rule.use[0].options;

  it("is Babel's preset-env after ts-loader, with pcfconfig.json's browsers as its targets", () => {
    expect(rule.use.map((u) => u.loader)).toEqual([pcfRequire.resolve("babel-loader"), pcfRequire.resolve("ts-loader")]);
    const { targets } = JSON.parse(readFileSync(join(ROOT, "pcfconfig.json"), "utf8"));
    const env = babel.presets.find(([name]) => name.includes("preset-env"))!;
    expect(env[1]).toEqual({ targets });
  });

  it("keeps ES2020 syntax as written: tsconfig.json's target and pcfconfig.json's targets", () => {
    expect(tsLoaderOptions().target).toBe(ts.ScriptTarget.ES2020);
    expect(build(tsLoaderOptions().target, babel)).toBe(`export ${KEPT}`);
  });

  it("would rewrite it without either setting (pcf-scripts' defaults: ES6, esmodules browsers)", () => {
    const fallback: BabelOptions = { ...babel, presets: babel.presets.map(([name, o]) => (name.includes("preset-env") ? [name, { targets: { esmodules: true } }] : [name, o])) };
    for (const out of [build(tsLoaderOptions().target, fallback), build(ts.ScriptTarget.ES2015, babel)]) {
      expect(out).not.toContain(KEPT);
      expect(out).toMatch(/arguments|Object\.assign\(|__rest|_objectSpread/);
    }
  });

  it("leaves React and Fluent to the platform (externals from the manifest's platform libraries)", () => {
    expect(config.externals[0]).toMatchObject({ react: expect.any(String), "react-dom": expect.any(String), "@fluentui/react": expect.any(String) });
  });
});

const BUNDLE = join(ROOT, "out/controls/CoSellPanel/bundle.js");
const noBundle = existsSync(BUNDLE) ? null : `production bundle check skipped: ${BUNDLE} does not exist (npm run build:controls)`;
if (noBundle) process.stderr.write(`${noBundle}\n`);
(noBundle ? it.skip : it)(noBundle ?? "the production bundle is at most 30 KB, modern as its source, with React and Fluent not in it", () => {
  expect(statSync(BUNDLE).size).toBeLessThanOrEqual(30 * 1024);
  const text = readFileSync(BUNDLE, "utf8");
  // What the source writes (async data reads, spreads, `?.`, `??`, template literals) survives minification as is…
  for (const kept of ["async ", "await ", "?.", "??", "{...", "`"]) expect(text).toContain(kept);
  // …and what down-levelling leaves behind does not appear: argument loops, Object.assign for spreads, "".concat for templates.
  expect(text).not.toMatch(/\barguments\b|Object\.assign\(|regeneratorRuntime|"\.concat\(/);
  // The platform's React and Fluent are referenced by their global names, not bundled.
  expect(text).toMatch(/\bReactv16\b/);
  expect(text).toMatch(/\bFluentUIReactv8\d*\b/);
  expect(text).not.toMatch(/__SECRET_INTERNALS_DO_NOT_USE|__stylesheet__/);
  // Its first line asks V8 to compile every function with the script (controls/compile-hint.mjs says why).
  expect(text.split("\n", 1)[0]).toBe("//# allFunctionsCalledOnLoad");
});
