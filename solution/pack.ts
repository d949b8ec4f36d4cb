/**
 * `npm run pack`: writes dist/CoSellConnector.zip (unmanaged) and dist/CoSellConnector_managed.zip
 * from solution/src and the build output in out/. Options: --out <build dir>, --dist <dir>.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { zipSync } from "fflate";
import { assemble, PackError, type PackInput } from "./lib/assemble";
import { XmlError } from "./lib/xml";

export const SOLUTION_NAME = "CoSellConnector";

/** Zips the packed files as Dataverse writes them: file entries only, `/` paths, every entry deflated. */
export function zipSolution(files: Map<string, Uint8Array>): Uint8Array {
  const entries: Record<string, [Uint8Array, { level: 6 }]> = {};
  for (const [path, data] of files) entries[path] = [data, { level: 6 }];
  return zipSync(entries);
}

/** Builds both zips; returns their paths. */
export function pack(input: PackInput & { distDir?: string }): { unmanaged: string; managed: string; version: string } {
  const dist = input.distDir ?? join(input.root, "dist");
  mkdirSync(dist, { recursive: true });
  const paths = { unmanaged: join(dist, `${SOLUTION_NAME}.zip`), managed: join(dist, `${SOLUTION_NAME}_managed.zip`) };
  let version = "";
  for (const managed of [false, true]) {
    const solution = assemble(input, managed);
    version = solution.version;
    writeFileSync(managed ? paths.managed : paths.unmanaged, zipSolution(solution.files));
  }
  return { ...paths, version };
}

function main(argv: string[]): void {
  const opt = (name: string) => {
    const i = argv.indexOf(name);
    return i >= 0 ? resolve(argv[i + 1]) : undefined;
  };
  const root = resolve(__dirname, "..");
  try {
    const r = pack({ root, outDir: opt("--out"), distDir: opt("--dist") });
    console.log(`packed ${SOLUTION_NAME} ${r.version}:\n  ${r.unmanaged}\n  ${r.managed}`);
  } catch (e) {
    if (e instanceof PackError || e instanceof XmlError) {
      console.error(`pack failed: ${e.message}`);
      process.exit(1);
    }
    throw e;
  }
}

if (require.main === module) main(process.argv.slice(2));
