/**
 * `cosell install`: does after import what a solution zip cannot carry (solution-format.md §5, §9): points the webhook
 * endpoint at the service with its header key, registers the steps, adds the co-sell section to the
 * Opportunity main forms, and reports the alternate key. Running it again changes nothing.
 * The command and its options are in api/cli/install.ts.
 */
import { DynamicsWebApi } from "dynamics-web-api";
import { ENVIRONMENT_VARIABLES, OPPORTUNITY_COLUMNS } from "../sync/schema/dynamics";
import { type InstallDefinitions, type StepDefinition } from "./install/definitions";
import { addSection } from "./install/form";

export const KEY_HEADER = "x-cosell-key";
const AUTH_HTTP_HEADER = 5;

export interface InstallOptions {
  /** Webhook URL of the co-sell service (https, port 443). */
  serviceUrl?: string;
  /** The shared secret the service expects in the x-cosell-key header. */
  key?: string;
  /** Write the key even when nothing else about the endpoint changed (the key cannot be read back). */
  rotateKey?: boolean;
  /** Opportunity main form ids; default every main form of opportunity. */
  formIds?: string[];
  skipForms?: boolean;
  /** Sandbox only: accept an http:// service URL on 127.0.0.1 / localhost (the emulated org calls it locally). */
  allowLoopbackHttp?: boolean;
}
export interface InstallReport { changes: string[]; unchanged: string[]; warnings: string[] }

type Row = Record<string, unknown>;
const isNotFound = (e: unknown) => (e as { status?: number }).status === 404;

/** Runs every install step against `api`; returns what changed. */
export async function install(api: DynamicsWebApi, defs: InstallDefinitions, options: InstallOptions): Promise<InstallReport> {
  const report: InstallReport = { changes: [], unchanged: [], warnings: [] };
  await ensureEndpoint(api, defs, options, report);
  for (const step of defs.steps) await ensureStep(api, defs, step, report);
  if (!options.skipForms) await ensureForms(api, defs, options, report);
  await moveNotesForMicrosoft(api, report);
  await reportAlternateKey(api, report);
  return report;
}

/**
 * Once, after the upgrade that split details.notes: a linked opportunity whose Description was
 * synced as the referral's notes gets it as its Notes for Microsoft, so the next sync finds the
 * two sides equal instead of sending an empty note. Only an empty Notes for Microsoft is filled
 * (nothing the seller wrote is replaced), Description itself is left as it is, and each write is
 * If-Match on the row read, so a save in between wins. A rerun finds nothing to move.
 */
async function moveNotesForMicrosoft(api: DynamicsWebApi, report: InstallReport): Promise<void> {
  const C = OPPORTUNITY_COLUMNS;
  let rows: Row[];
  try {
    rows = (await api.retrieveAll<Row>({
      collection: "opportunities",
      select: ["opportunityid", "description"],
      filter: `${C.referralId} ne null and description ne null and ${C.notesForMicrosoft} eq null`,
    })).value;
  } catch (e) {
    report.warnings.push(`could not look for notes to move into Notes for Microsoft (${(e as Error).message}); run the command again`);
    return;
  }
  let moved = 0;
  let skipped = 0;
  for (const row of rows) {
    try {
      await api.update({ collection: "opportunities", key: String(row.opportunityid), data: { [C.notesForMicrosoft]: row.description }, ifmatch: String(row["@odata.etag"]) });
      moved++;
    } catch (e) {
      if ((e as { status?: number }).status !== 412) throw e;
      skipped++; // saved meanwhile: the next run looks at it again
    }
  }
  if (moved) report.changes.push(`copied the Description of ${moved} linked opportunit${moved === 1 ? "y" : "ies"} into Notes for Microsoft (Description unchanged)`);
  if (skipped) report.warnings.push(`${skipped} opportunit${skipped === 1 ? "y was" : "ies were"} saved while their notes were being copied: run the command again`);
}

async function ensureEndpoint(api: DynamicsWebApi, defs: InstallDefinitions, options: InstallOptions, report: InstallReport): Promise<void> {
  const { endpoint } = defs;
  const url = options.serviceUrl ?? (await environmentVariable(api, ENVIRONMENT_VARIABLES.serviceUrl));
  if (!url) throw new Error(`no service URL: pass --service-url or set the environment variable ${ENVIRONMENT_VARIABLES.serviceUrl}`);
  const u = new URL(url);
  const loopback = options.allowLoopbackHttp && u.protocol === "http:" && ["127.0.0.1", "localhost"].includes(u.hostname);
  if (!loopback && (u.protocol !== "https:" || (u.port && u.port !== "443"))) throw new Error(`--service-url ${url}: Dataverse calls webhooks over https on port 443 only`);
  const authvalue = () => {
    if (!options.key) throw new Error("--key is required to set the endpoint's x-cosell-key header (it is write-only and never read back)");
    return `<settings><setting name="${KEY_HEADER}" value="${options.key.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;")}" /></settings>`;
  };
  const want = { name: endpoint.name, description: endpoint.description, contract: endpoint.contract, messageformat: endpoint.messageformat, connectionmode: endpoint.connectionmode, userclaim: endpoint.userclaim, url, authtype: AUTH_HTTP_HEADER };
  const current = await retrieveOrNull(api, "serviceendpoints", endpoint.id, Object.keys(want));
  if (!current) {
    await api.create({ collection: "serviceendpoints", data: { serviceendpointid: endpoint.id, ...want, authvalue: authvalue() } });
    report.changes.push(`created webhook endpoint ${endpoint.name} → ${url}`);
    return;
  }
  const diff = Object.fromEntries(Object.entries(want).filter(([k, v]) => current![k] !== v));
  if (Object.keys(diff).length || options.rotateKey) {
    await api.update({ collection: "serviceendpoints", key: endpoint.id, data: { ...diff, authvalue: authvalue() } });
    report.changes.push(`updated webhook endpoint ${endpoint.name}: ${[...Object.keys(diff), "authvalue"].join(", ")}`);
  } else {
    report.unchanged.push(`webhook endpoint ${endpoint.name} (${url}); key not rewritten (pass --rotate-key to set it again)`);
  }
}

async function environmentVariable(api: DynamicsWebApi, schemaName: string): Promise<string | undefined> {
  try {
    const defs = await api.retrieveMultiple<Row>({
      collection: "environmentvariabledefinitions", select: ["defaultvalue"], filter: `schemaname eq '${schemaName}'`,
      expand: [{ property: "environmentvariabledefinition_environmentvariablevalue", select: ["value"] }],
    });
    const d = defs.value[0];
    if (!d) return undefined;
    const values = (d.environmentvariabledefinition_environmentvariablevalue as Row[] | undefined) ?? [];
    return (values[0]?.value as string | undefined) ?? (d.defaultvalue as string | undefined) ?? undefined;
  } catch {
    return undefined;
  }
}

async function ensureStep(api: DynamicsWebApi, defs: InstallDefinitions, step: StepDefinition, report: InstallReport): Promise<void> {
  const messages = await api.retrieveMultiple<Row>({ collection: "sdkmessages", select: ["sdkmessageid", "name"], filter: `name eq '${step.message}'` });
  const messageId = messages.value[0]?.sdkmessageid as string | undefined;
  if (!messageId) throw new Error(`message ${step.message} not found in the org: import the CoSellConnector solution first`);
  let filterId: string | undefined;
  if (step.primaryEntity) {
    const filters = await api.retrieveMultiple<Row>({ collection: "sdkmessagefilters", select: ["sdkmessagefilterid"], filter: `_sdkmessageid_value eq ${messageId} and primaryobjecttypecode eq '${step.primaryEntity}'` });
    filterId = filters.value[0]?.sdkmessagefilterid as string | undefined;
    if (!filterId) throw new Error(`no ${step.message} message filter for ${step.primaryEntity} in the org`);
  }
  const fields: Row = {
    name: step.name, description: step.description, stage: step.stage, mode: step.mode, rank: step.rank,
    supporteddeployment: step.supporteddeployment, asyncautodelete: step.asyncautodelete,
    ...(step.filteringattributes !== undefined ? { filteringattributes: step.filteringattributes } : {}),
  };
  const binds: Row = {
    "sdkmessageid@odata.bind": `/sdkmessages(${messageId})`,
    "eventhandler_serviceendpoint@odata.bind": `/serviceendpoints(${defs.endpoint.id})`,
    ...(filterId ? { "sdkmessagefilterid@odata.bind": `/sdkmessagefilters(${filterId})` } : {}),
  };
  const current = await retrieveOrNull(api, "sdkmessageprocessingsteps", step.id, [...Object.keys(fields), "_sdkmessageid_value", "_eventhandler_value", "_sdkmessagefilterid_value"]);
  if (!current) {
    await api.create({ collection: "sdkmessageprocessingsteps", data: { sdkmessageprocessingstepid: step.id, ...fields, ...binds } });
    report.changes.push(`registered step "${step.name}"`);
    await ensureImages(api, step, report);
    return;
  }
  const diff: Row = Object.fromEntries(Object.entries(fields).filter(([k, v]) => (current![k] ?? "") !== v));
  const sameRef = (a: unknown, b: string | undefined) => String(a ?? "").toLowerCase() === String(b ?? "").toLowerCase();
  const relinked = !sameRef(current._sdkmessageid_value, messageId) || !sameRef(current._eventhandler_value, defs.endpoint.id) || (filterId !== undefined && !sameRef(current._sdkmessagefilterid_value, filterId));
  if (!Object.keys(diff).length && !relinked) {
    report.unchanged.push(`step "${step.name}"`);
  } else {
    await api.update({ collection: "sdkmessageprocessingsteps", key: step.id, data: { ...diff, ...(relinked ? binds : {}) } });
    report.changes.push(`updated step "${step.name}": ${[...Object.keys(diff), ...(relinked ? ["links"] : [])].join(", ")}`);
  }
  await ensureImages(api, step, report);
}

/** A row by its id, or null when the org has none (what each ensure* step starts from). */
async function retrieveOrNull(api: DynamicsWebApi, collection: string, key: string, select: string[]): Promise<Row | null> {
  try {
    return await api.retrieve<Row>({ collection, key, select });
  } catch (e) {
    if (!isNotFound(e)) throw e;
    return null;
  }
}

/** The step's images as the solution defines them: created when missing, put right when they drifted. */
async function ensureImages(api: DynamicsWebApi, step: StepDefinition, report: InstallReport): Promise<void> {
  for (const image of step.images) {
    const fields: Row = { name: image.name, entityalias: image.entityalias, imagetype: image.imagetype, messagepropertyname: image.messagepropertyname, attributes: image.attributes };
    const current = await retrieveOrNull(api, "sdkmessageprocessingstepimages", image.id, Object.keys(fields));
    if (!current) {
      await api.create({
        collection: "sdkmessageprocessingstepimages",
        data: { sdkmessageprocessingstepimageid: image.id, ...fields, "sdkmessageprocessingstepid@odata.bind": `/sdkmessageprocessingsteps(${step.id})` },
      });
      report.changes.push(`registered the ${image.entityalias} image of step "${step.name}"`);
      continue;
    }
    const diff: Row = Object.fromEntries(Object.entries(fields).filter(([k, v]) => (current![k] ?? "") !== v));
    if (Object.keys(diff).length === 0) continue;
    await api.update({ collection: "sdkmessageprocessingstepimages", key: image.id, data: diff });
    report.changes.push(`updated the ${image.entityalias} image of step "${step.name}": ${Object.keys(diff).join(", ")}`);
  }
}

async function ensureForms(api: DynamicsWebApi, defs: InstallDefinitions, options: InstallOptions, report: InstallReport): Promise<void> {
  let forms: Row[];
  try {
    const filter = options.formIds?.length
      ? options.formIds.map((id) => `formid eq ${id}`).join(" or ")
      : "objecttypecode eq 'opportunity' and type eq 2";
    forms = (await api.retrieveMultiple<Row>({ collection: "systemforms", select: ["formid", "name", "formxml"], filter })).value;
  } catch (e) {
    report.warnings.push(`could not read the Opportunity forms (${(e as Error).message}): add the "Microsoft Co-sell" section by hand (solution/INSTALL.md)`);
    return;
  }
  let changed = false;
  for (const f of forms) {
    const edit = addSection(String(f.formxml), defs.section, `form "${f.name}"`);
    if (!edit.changed) {
      report.unchanged.push(`form "${f.name}" already has the co-sell section`);
      continue;
    }
    await api.update({ collection: "systemforms", key: String(f.formid), data: { formxml: edit.formxml } });
    report.changes.push(edit.action === "rebound"
      ? `bound the co-sell panel to its new columns on form "${f.name}"`
      : `added the co-sell section to form "${f.name}"`);
    changed = true;
  }
  if (changed) {
    await api.callAction({ actionName: "PublishXml", action: { ParameterXml: "<importexportxml><entities><entity>opportunity</entity></entities></importexportxml>" } });
    report.changes.push("published opportunity");
  }
}

async function reportAlternateKey(api: DynamicsWebApi, report: InstallReport): Promise<void> {
  try {
    const keys = await api.retrieveMultiple<Row>({ collection: "EntityDefinitions(LogicalName='opportunity')/Keys", select: ["LogicalName", "EntityKeyIndexStatus", "KeyAttributes"] });
    const key = keys.value.find((k) => (k.KeyAttributes as string[] | undefined)?.includes(OPPORTUNITY_COLUMNS.referralId));
    if (!key) report.warnings.push(`alternate key on ${OPPORTUNITY_COLUMNS.referralId} not found: was the solution imported?`);
    else if (key.EntityKeyIndexStatus === "Active") report.unchanged.push(`alternate key ${key.LogicalName} is Active`);
    else report.warnings.push(`alternate key ${key.LogicalName} is ${key.EntityKeyIndexStatus}: ${key.EntityKeyIndexStatus === "Failed" ? "two opportunities share a referral identifier; clear the duplicate and reactivate the key" : "Dataverse is still building it; run again later"}`);
  } catch (e) {
    report.warnings.push(`could not read the alternate key status (${(e as Error).message})`);
  }
}

/** Client for `orgUrl` with the caller's tokens (the same client-credentials sign-in the service uses). */
export function connect(orgUrl: string, tokens: { getToken(): Promise<string> }): DynamicsWebApi {
  // dynamics-web-api resolves "api/data/v9.2" against serverUrl: a path prefix survives only with a trailing slash.
  const serverUrl = `${orgUrl.replace(/\/$/, "")}/`;
  return new DynamicsWebApi({ serverUrl, dataApi: { version: "9.2" }, onTokenRefresh: () => tokens.getToken() });
}
