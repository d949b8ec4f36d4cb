/**
 * `cosell install`: after the solution is imported, does what a zip cannot carry (solution/install.ts):
 * the webhook endpoint with its key, the steps, the co-sell section on the Opportunity forms, and
 * the alternate key's state. Run from the project folder: it reads the steps and the section from
 * solution/src. Running it again changes nothing.
 */
import { basename, resolve } from "node:path";
import { connect, install } from "../../solution/install";
import { loadDefinitions } from "../../solution/install/definitions";
import { dataverseTokens } from "../compose";
import { readConfig } from "../config";
import { EXIT, parseOptions, type Command } from "./command";

/** The project root: the source tree's, or the folder above dist/ for the bundled command. */
export const PROJECT_ROOT = basename(__dirname) === "dist" ? resolve(__dirname, "..") : resolve(__dirname, "../..");

export const installCommand: Command = {
  name: "install",
  summary: "point the org's webhook endpoint at the service, register the steps, add the form section",
  usage: ["install [--service-url <url>] [--key <key>] [--rotate-key] [--skip-forms] [--forms <form id>,…]"],
  parts: ["dataverse", "install"],
  async run(args, io) {
    const { values } = parseOptions(
      args,
      { "service-url": { type: "string" }, key: { type: "string" }, "rotate-key": { type: "boolean" }, "skip-forms": { type: "boolean" }, forms: { type: "string" } },
      { min: 0, max: 0 },
    );
    // Options override the environment for this run only.
    const env = { ...io.env, ...(values["service-url"] ? { COSELL_SERVICE_URL: values["service-url"] } : {}), ...(values.key ? { COSELL_WEBHOOK_KEY: values.key } : {}) };
    const config = readConfig(env, ["dataverse", "install"]);
    const report = await install(connect(config.dataverse.url, dataverseTokens(config.dataverse)), loadDefinitions(PROJECT_ROOT), {
      serviceUrl: config.install.serviceUrl,
      key: config.install.webhookKey,
      rotateKey: values["rotate-key"] === true,
      skipForms: values["skip-forms"] === true,
      formIds: values.forms?.split(",").map((f) => f.trim()).filter(Boolean),
    });
    for (const c of report.changes) io.out(`changed    ${c}`);
    for (const u of report.unchanged) io.out(`unchanged  ${u}`);
    for (const w of report.warnings) io.err(`warning    ${w}`);
    if (!report.changes.length) io.out("nothing to change");
    return EXIT.ok;
  },
};
