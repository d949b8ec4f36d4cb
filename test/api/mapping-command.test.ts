/**
 * Changing the field mapping: `mapping check` / `mapping set` refuse a bad document with every
 * problem and its JSON path, and nothing reaches Dataverse; a good one becomes the org's mapping and
 * the service syncs by it. A bad document that got into Dataverse some other way stops every sync
 * with that message (status Error), and nothing is sent with it.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { checkMappingDocument, runMappingCommand } from "../../api/cli/mapping";
import { SEEDED } from "../../emulators/dataverse";
import { SETTING_NAMES, SYNC_STATUS } from "../../sync/schema/dynamics";
import { installedHarness } from "../../emulators/world";
import { future } from "./helpers";

const DEFAULT = join(__dirname, "../../sync/engine/default-mapping.json");
const defaultDoc = () => JSON.parse(readFileSync(DEFAULT, "utf8")) as { fields: Array<Record<string, unknown>> };
const files: Record<string, string> = {};
const readFile = (path: string) => {
  if (path in files) return files[path];
  throw new Error("ENOENT: no such file");
};

function run(argv: string[], setSetting?: (name: string, value: string) => Promise<void>) {
  const lines: string[] = [];
  return runMappingCommand(argv, { readFile, setSetting, out: (l) => lines.push(l) }).then((code) => ({ code, text: lines.join("\n") }));
}

describe("mapping check / set", () => {
  test("a valid document is accepted", async () => {
    files["good.json"] = readFileSync(DEFAULT, "utf8");
    const { code, text } = await run(["check", "good.json"]);
    expect(code).toBe(0);
    expect(text).toMatch(/^good\.json: a valid mapping of \d+ fields\.$/);
  });

  test("a document Microsoft's text could overwrite the seller's in is accepted with a warning naming the field", async () => {
    const doc = defaultDoc();
    doc.fields = doc.fields.filter((f) => f.referralPath !== "details.notes");
    doc.fields.push({ name: "notes", column: "opportunity.description", referralPath: "details.notes", direction: "both", transform: "text", policy: "newestWins" });
    files["risky.json"] = JSON.stringify(doc);
    const { code, text } = await run(["check", "risky.json"]);
    expect(code).toBe(0);
    expect(text).toMatch(/^ {2}warning: risky\.json \$\.fields\[\d+\]\.policy: opportunity\.description is free text written from both sides/);
    expect(text).toMatch(/risky\.json: a valid mapping of \d+ fields, with 1 warning above\.$/);
  });

  test("every problem is listed with its JSON path, and set writes nothing", async () => {
    const doc = defaultDoc();
    doc.fields[0].transform = "shout";
    doc.fields[1].direction = "sideways";
    files["bad.json"] = JSON.stringify(doc);
    const setSetting = jest.fn();
    const { code, text } = await run(["set", "bad.json"], setSetting);
    expect(code).toBe(1);
    expect(text).toContain("nothing was changed");
    expect(text).toMatch(/bad\.json \$\.fields\[0\]\.transform: /);
    expect(text).toMatch(/bad\.json \$\.fields\[1\]\.direction: /);
    expect(setSetting).not.toHaveBeenCalled();
  });

  test("unreadable and non-JSON files say so; wrong usage prints the usage", async () => {
    files["notjson.json"] = "{ fields: ";
    expect((await run(["check", "notjson.json"])).text).toMatch(/not valid JSON/);
    expect((await run(["check", "missing.json"])).text).toMatch(/cannot be read/);
    expect(await run(["frobnicate"])).toMatchObject({ code: 2 });
    expect(checkMappingDocument("notjson.json", readFile).problems).toHaveLength(1);
  });
});

describe("the service syncs by the org's mapping", () => {
  const h = installedHarness(11);

  async function share(name: string): Promise<string> {
    const accountId = await h.dataverse.createAccount({ name: `${name} Ltd`, address1_city: "Leeds", address1_postalcode: "LS1 4AP", address1_country: "GB" });
    const id = await h.dataverse.createOpportunity({
      name, description: "first notes", estimatedvalue: 10_000, estimatedclosedate: future(60),
      "customerid_account@odata.bind": `/accounts(${accountId})`,
      "transactioncurrencyid@odata.bind": `/transactioncurrencies(${SEEDED.currencies.GBP})`,
      cosell_solutionids: "SOL-15974-MQF", cosell_syncwithpartnercenter: true,
    });
    await h.settle();
    return id;
  }

  test("mapping set without Notes for Microsoft: a seller's note is no longer sent", async () => {
    const doc = defaultDoc();
    doc.fields = doc.fields.filter((f) => f.name !== "notesForMicrosoft");
    files["notes-inbound.json"] = JSON.stringify(doc);
    const { code } = await run(["set", "notes-inbound.json"], (name, value) => h.dataverse.setSetting(name, value));
    expect(code).toBe(0);
    expect(JSON.parse((await h.dataverse.getSetting(SETTING_NAMES.mappingDocument))!)).toEqual(doc);

    const id = await share("Mapped by the org");
    const referralId = (await h.dataverse.getDeal(id)).deal.opportunity.cosell_referralid!;
    const notesBefore = (await h.referrals.get(referralId)).referral.details.notes;
    const { etag } = await h.dataverse.getDeal(id);
    await h.dataverse.updateOpportunity(id, { cosell_notesformicrosoft: "edited in Dynamics", estimatedvalue: 12_000 }, etag);
    await h.settle();
    const { referral } = await h.referrals.get(referralId);
    expect(referral.details.dealValue).toBe(12_000);
    expect(referral.details.notes).toBe(notesBefore);
    // With the shipped mapping the same edit is sent:
    expect(defaultDoc().fields.find((f) => f.column === "opportunity.cosell_notesformicrosoft")!.direction).toBe("toPartnerCenter");
  });
});

describe("a bad mapping document in Dataverse", () => {
  const h = installedHarness(12);

  test("stops syncing with every problem named, and sends nothing", async () => {
    const doc = defaultDoc();
    doc.fields[0].policy = "loudestWins";
    doc.fields[1].transform = "shout";
    await h.dataverse.setSetting(SETTING_NAMES.mappingDocument, JSON.stringify(doc));
    const accountId = await h.dataverse.createAccount({ name: "Blocked Ltd", address1_city: "Leeds", address1_postalcode: "LS1 4AP", address1_country: "GB" });
    const id = await h.dataverse.createOpportunity({
      name: "Blocked by a bad mapping", estimatedvalue: 10_000, estimatedclosedate: future(60),
      "customerid_account@odata.bind": `/accounts(${accountId})`,
      "transactioncurrencyid@odata.bind": `/transactioncurrencies(${SEEDED.currencies.GBP})`,
      cosell_solutionids: "SOL-15974-MQF", cosell_syncwithpartnercenter: true,
    });
    await h.dataverse.callBoundAction(id, "cosell_SyncOpportunity");
    await h.settle();
    const { deal } = await h.dataverse.getDeal(id);
    expect(deal.opportunity.cosell_syncstatus).toBe(SYNC_STATUS.Error);
    expect(deal.opportunity.cosell_syncerror).toMatch(/\$\.fields\[0\]\.policy/);
    expect(deal.opportunity.cosell_syncerror).toMatch(/\$\.fields\[1\]\.transform/);
    expect(h.pcEmu.state.referrals.size).toBe(0);
  });
});
