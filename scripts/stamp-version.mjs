// `npm version <x.y.z>` runs this (package.json "version" script): package.json is the one version
// source, and this writes it into the control manifest, which pcf-scripts reads and copies into the
// build. The packer stamps Solution.xml inside the zips; test/solution/pack.test.ts fails on drift.
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = process.argv[2] ?? join(dirname(fileURLToPath(import.meta.url)), "..");
const version = JSON.parse(readFileSync(join(root, "package.json"), "utf8")).version.split("-")[0];
const manifest = join(root, "controls/CoSellPanel/ControlManifest.Input.xml");
const text = readFileSync(manifest, "utf8");
const stamped = text.replace(/(<control\b[^>]*\sversion=")[^"]*(")/, `$1${version}$2`);
if (stamped === text && !text.includes(`version="${version}"`)) throw new Error(`no <control version="…"> in ${manifest}`);
writeFileSync(manifest, stamped);
console.log(`control manifest version ${version}`);
