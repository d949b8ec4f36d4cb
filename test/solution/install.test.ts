/**
 * The install command against the Dataverse emulator (emulators/dataverse), mounted with msw: it
 * points the endpoint at the service with its key, registers the six steps, and a second run
 * changes nothing. The emulator has no forms or metadata API, so form editing is checked on its own.
 */
import { setupServer } from "msw/node";
import { createDataverseEmulator, SEEDED } from "../../emulators/dataverse";
import { staticTokenProvider } from "../../sync/dataverse/token";
import { connect, install, KEY_HEADER } from "../../solution/install";
import { loadDefinitions } from "../../solution/install/definitions";
import { addSection } from "../../solution/install/form";
import { filteringAttributes } from "../../solution/lib/steps";
import { DEAL_IMAGE } from "../../sync/dataverse/opportunity-image";
import { tableBySet } from "../../emulators/dataverse/schema";
import { ROOT } from "./build-output";

const emulator = createDataverseEmulator();
const server = setupServer(...emulator.handlers);
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => emulator.reset());
afterAll(() => server.close());

const defs = loadDefinitions(ROOT);
const api = () => connect(emulator.orgUrl, staticTokenProvider(SEEDED.applicationUserId));
const options = { serviceUrl: "https://cosell.example.com/api/dataverse/webhook", key: "s3cret", skipForms: true };
async function rows(set: string): Promise<Array<Record<string, unknown>>> {
  const r = await emulator.request("GET", set);
  if (r.status !== 200) throw new Error(`GET ${set}: ${r.status} ${JSON.stringify(r.body)}`);
  return (r.body as { value: Array<Record<string, unknown>> }).value;
}

describe("install command", () => {
  it("creates the endpoint with its header key and the six steps, each on the right message, and the Update step's post-image", async () => {
    const report = await install(api(), defs, options);
    expect(report.changes).toHaveLength(8);
    const [endpoint] = await rows("serviceendpoints");
    expect(endpoint).toMatchObject({ serviceendpointid: defs.endpoint.id, url: options.serviceUrl, contract: 8, authtype: 5, messageformat: 2 });
    expect(endpoint.authvalue).toBeUndefined(); // write-only
    const steps = await rows("sdkmessageprocessingsteps");
    const byMessage = Object.fromEntries(steps.map((s) => [Object.entries(SEEDED.messages).find(([, id]) => id === s._sdkmessageid_value)?.[0], s]));
    expect(Object.keys(byMessage).sort()).toEqual(["Create", "Lose", "Update", "Win", "cosell_RespondToReferral", "cosell_SyncOpportunity"]);
    expect(byMessage.Update).toMatchObject({ mode: 1, stage: 40, filteringattributes: filteringAttributes(ROOT).join(","), _sdkmessagefilterid_value: SEEDED.messageFilters.opportunityUpdate });
    expect(byMessage.cosell_SyncOpportunity).toMatchObject({ mode: 0, stage: 40 });
    // WinOpportunity / LoseOpportunity raise Win / Lose, not Update: their own async steps carry closes.
    expect(byMessage.Win).toMatchObject({ mode: 1, stage: 40, _sdkmessagefilterid_value: SEEDED.messageFilters.opportunityWin });
    expect(byMessage.Lose).toMatchObject({ mode: 1, stage: 40, _sdkmessagefilterid_value: SEEDED.messageFilters.opportunityLose });
    for (const s of steps) expect(s._eventhandler_value).toBe(defs.endpoint.id);
    // The row after the save, every column the service reads: a seller's save is synced without reading it again.
    expect(await rows("sdkmessageprocessingstepimages")).toEqual([
      expect.objectContaining({
        entityalias: DEAL_IMAGE.alias, imagetype: 1, messagepropertyname: "Target", attributes: DEAL_IMAGE.attributes.join(","),
        _sdkmessageprocessingstepid_value: byMessage.Update.sdkmessageprocessingstepid,
      }),
    ]);
  });

  it("is idempotent: the second run changes nothing and keeps the key", async () => {
    await install(api(), defs, options);
    const before = JSON.stringify(emulator.snapshot());
    const again = await install(api(), defs, options);
    expect(again.changes).toEqual([]);
    expect(again.unchanged.some((u) => u.includes("key not rewritten"))).toBe(true);
    expect(JSON.stringify(emulator.snapshot())).toBe(before);
  });

  it("repairs what drifted: a changed URL, a step's filtering attributes, a removed image", async () => {
    await install(api(), defs, options);
    const update = defs.steps.find((s) => s.message === "Update")!;
    expect((await emulator.request("PATCH", `sdkmessageprocessingsteps(${update.id})`, { filteringattributes: "name" })).status).toBe(204);
    expect((await emulator.request("DELETE", `sdkmessageprocessingstepimages(${update.images[0].id})`)).status).toBe(204);
    const report = await install(api(), defs, { ...options, serviceUrl: "https://cosell2.example.com/hook" });
    expect(report.changes).toEqual([
      expect.stringMatching(/updated webhook endpoint .*url.*authvalue/),
      expect.stringMatching(/updated step .*Update.*filteringattributes/),
      expect.stringMatching(new RegExp(`registered the ${DEAL_IMAGE.alias} image of step .*Update`)),
    ]);
    const [endpoint] = await rows("serviceendpoints");
    expect(endpoint.url).toBe("https://cosell2.example.com/hook");
  });

  it("brings an image registered by an older version (the referral id alone) to the full column list", async () => {
    await install(api(), defs, options);
    const update = defs.steps.find((s) => s.message === "Update")!;
    const old = { name: "PostImage", entityalias: "PostImage", attributes: "cosell_referralid" };
    expect((await emulator.request("PATCH", `sdkmessageprocessingstepimages(${update.images[0].id})`, old)).status).toBe(204);
    const report = await install(api(), defs, options);
    expect(report.changes).toEqual([expect.stringMatching(new RegExp(`updated the ${DEAL_IMAGE.alias} image of step .*Update.*attributes`))]);
    const [image] = await rows("sdkmessageprocessingstepimages");
    expect(image).toMatchObject({ entityalias: DEAL_IMAGE.alias, attributes: DEAL_IMAGE.attributes.join(",") });
  });

  it("refuses a non-https service URL and a missing key, saying what to pass", async () => {
    await expect(install(api(), defs, { ...options, serviceUrl: "http://cosell.example.com/hook" })).rejects.toThrow(/https on port 443/);
    await expect(install(api(), defs, { ...options, key: undefined })).rejects.toThrow(/--key is required/);
    expect(await rows("serviceendpoints")).toEqual([]);
  });

  it("accepts http only on loopback and only when the sandbox asks for it", async () => {
    const sandbox = { ...options, allowLoopbackHttp: true };
    await expect(install(api(), defs, { ...sandbox, serviceUrl: "http://cosell.example.com/hook" })).rejects.toThrow(/https on port 443/);
    await expect(install(api(), defs, { ...options, serviceUrl: "http://127.0.0.1:4870/service/api/dataverse" })).rejects.toThrow(/https on port 443/);
    await install(api(), defs, { ...sandbox, serviceUrl: "http://127.0.0.1:4870/service/api/dataverse" });
    expect((await rows("serviceendpoints"))[0].url).toBe("http://127.0.0.1:4870/service/api/dataverse");
  });

  it("stores the key as the x-cosell-key HTTP header setting (what Dataverse sends with each call)", async () => {
    await install(api(), defs, { ...options, key: 'a"b<c' });
    const stored = emulator.store.get(tableBySet("serviceendpoints")!, defs.endpoint.id)!;
    expect(stored.authvalue).toBe(`<settings><setting name="${KEY_HEADER}" value="a&quot;b&lt;c" /></settings>`);
  });

  it("moves a linked opportunity's synced Description into Notes for Microsoft once, over nothing the seller wrote", async () => {
    const create = async (row: Record<string, unknown>) => {
      const r = await emulator.request("POST", "opportunities", { name: "Deal", ...row });
      expect(r.status).toBe(204);
    };
    await create({ description: "Shared as notes", cosell_referralid: "ref-a" });
    await create({ description: "Old text", cosell_referralid: "ref-b", cosell_notesformicrosoft: "The seller's own notes" });
    await create({ description: "Never shared" });
    const report = await install(api(), defs, options);
    expect(report.changes).toContain("copied the Description of 1 linked opportunity into Notes for Microsoft (Description unchanged)");
    const byReferral = Object.fromEntries((await rows("opportunities")).map((o) => [String(o.cosell_referralid ?? "none"), o]));
    expect(byReferral["ref-a"]).toMatchObject({ description: "Shared as notes", cosell_notesformicrosoft: "Shared as notes" });
    expect(byReferral["ref-b"]).toMatchObject({ description: "Old text", cosell_notesformicrosoft: "The seller's own notes" });
    expect(byReferral.none).toMatchObject({ description: "Never shared", cosell_notesformicrosoft: null });
    const again = await install(api(), defs, options);
    expect(again.changes).toEqual([]);
  });
});

describe("adding the section to an org's form", () => {
  const form = `<form><tabs><tab name="Summary" id="{11111111-1111-1111-1111-111111111111}"><labels><label description="Summary" languagecode="1033" /></labels><columns><column width="100%"><sections><section name="summary" id="{22222222-2222-2222-2222-222222222222}"><labels><label description="Summary" languagecode="1033" /></labels><rows /></section></sections></column></columns></tab></tabs></form>`;

  it("adds the section and its control description once", () => {
    const first = addSection(form, defs.section, "test form");
    expect(first.changed).toBe(true);
    expect(first.formxml).toContain(`<section name="${defs.section.name}"`);
    expect(first.formxml).toMatch(/<\/tabs><controlDescriptions><controlDescription forControl="\{da375a26/);
    expect(first.formxml).toContain('name="cosell_CoSell.CoSellPanel"');
    const second = addSection(first.formxml, defs.section, "test form");
    expect(second).toEqual({ formxml: first.formxml, changed: false });
  });

  it("binds a panel added by an earlier version to the columns it lacked, once, and keeps the org's own parameters", () => {
    const current = addSection(form, defs.section, "test form").formxml;
    // The section as an earlier version wrote it: no referralVisibility or microsoftCrmId parameter.
    const older = current.replace(/<referralVisibility>[^<]*<\/referralVisibility>|<microsoftCrmId>[^<]*<\/microsoftCrmId>/g, "");
    expect(older).not.toContain("<referralVisibility>");
    const upgraded = addSection(older, defs.section, "test form");
    expect(upgraded).toMatchObject({ changed: true, action: "rebound" });
    for (const ff of ["0", "1", "2"]) {
      const entry = new RegExp(`<customControl formFactor="${ff}" name="cosell_CoSell.CoSellPanel"><parameters>.*?</parameters>`).exec(upgraded.formxml)![0];
      expect(entry).toContain("<referralVisibility>cosell_referralvisibility</referralVisibility>");
      expect(entry).toContain("<microsoftCrmId>cosell_microsoftcrmid</microsoftCrmId>");
    }
    expect(upgraded.formxml.match(/<section name="cosell_cosell"/g)).toHaveLength(1);
    expect(upgraded.formxml.match(/<controlDescription /g)).toHaveLength(1);
    expect(addSection(upgraded.formxml, defs.section, "test form")).toEqual({ formxml: upgraded.formxml, changed: false });
    // A form whose panel already binds everything (in the org's order) is left as it is.
    const reordered = current.replace(/(<syncWithPartnerCenter>[^<]*<\/syncWithPartnerCenter>)(<howCanMicrosoftHelp>[^<]*<\/howCanMicrosoftHelp>)/g, "$2$1");
    expect(reordered).not.toBe(current);
    expect(addSection(reordered, defs.section, "test form")).toEqual({ formxml: reordered, changed: false });
  });

  it("says what is missing on a form it cannot place the section in", () => {
    expect(() => addSection("<form><tabs /></form>", defs.section, 'form "Odd"')).toThrow(/form "Odd": the form has no a <tab>|form "Odd": the form has no/);
  });
});
