/**
 * `npm run build` step: writes dist/form-section.xml, the Opportunity form section the install
 * command applies (the same section and controlDescription bytes, put into an empty form by the
 * same function), so it can be reviewed before an install.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadDefinitions } from "./install/definitions";
import { formSectionForReview } from "./install/form";

const root = join(__dirname, "..");
mkdirSync(join(root, "dist"), { recursive: true });
writeFileSync(join(root, "dist/form-section.xml"), formSectionForReview(loadDefinitions(root).section));
console.log("wrote dist/form-section.xml");
