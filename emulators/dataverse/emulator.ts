/**
 * The Dataverse emulator: msw handlers with state for `<orgUrl>/api/data/v9.2/`. One handler
 * set serves jest (`setupServer`) and the sandbox (emulators/kit/serve.ts). The Web API answers
 * behind the kit's faults (`withFaults`): throttling and errors come instead of its answer, latency
 * around it.
 */
import { http, HttpResponse, type HttpHandler } from "msw";
import { WebhookDispatcher, type Sender } from "../kit/dispatcher";
import { FaultController, withFaults } from "../kit/faults";
import { seededRandom } from "../kit/random";
import { dataverseFaultBodies } from "./errors";
import { tableBySet } from "./schema";
import { SERVICE_ENDPOINT, STEP_REDELIVERY, StepRunner, type Organization } from "./steps";
import { DataverseStore, etagOf, type Row, type StoreState } from "./store";
import { API_PATH, DataverseWebApi, type ApiResponse } from "./web-api";

export const DEFAULT_ORG_URL = "https://contoso.crm.dynamics.com";

/** Fixed ids of the seeded rows, so tests and the sandbox can refer to them. */
export const SEEDED = {
  organizationId: "5a1b0c3d-0000-4000-8000-00000000a001",
  businessUnitId: "5a1b0c3d-0000-4000-8000-00000000b001",
  /** The interactive user: callers that do not say who they are act as this user. */
  sellerUserId: "5a1b0c3d-0000-4000-8000-00000000c001",
  /** The co-sell service's application user: a bearer token equal to this id acts as it. */
  applicationUserId: "5a1b0c3d-0000-4000-8000-00000000c002",
  currencies: {
    USD: "5a1b0c3d-0000-4000-8000-0000000d0001",
    EUR: "5a1b0c3d-0000-4000-8000-0000000d0002",
    GBP: "5a1b0c3d-0000-4000-8000-0000000d0003",
    CAD: "5a1b0c3d-0000-4000-8000-0000000d0004",
    AUD: "5a1b0c3d-0000-4000-8000-0000000d0005",
    JPY: "5a1b0c3d-0000-4000-8000-0000000d0006",
  },
  messages: {
    Create: "5a1b0c3d-0000-4000-8000-0000000e0001",
    Update: "5a1b0c3d-0000-4000-8000-0000000e0002",
    cosell_SyncOpportunity: "5a1b0c3d-0000-4000-8000-0000000e0003",
    cosell_RespondToReferral: "5a1b0c3d-0000-4000-8000-0000000e0004",
    Win: "5a1b0c3d-0000-4000-8000-0000000e0005",
    Lose: "5a1b0c3d-0000-4000-8000-0000000e0006",
  },
  messageFilters: {
    opportunityCreate: "5a1b0c3d-0000-4000-8000-0000000f0001",
    opportunityUpdate: "5a1b0c3d-0000-4000-8000-0000000f0002",
    opportunityWin: "5a1b0c3d-0000-4000-8000-0000000f0003",
    opportunityLose: "5a1b0c3d-0000-4000-8000-0000000f0004",
  },
} as const;

const CURRENCY_ROWS: Array<[keyof typeof SEEDED.currencies, string, string, number]> = [
  ["USD", "US Dollar", "$", 2],
  ["EUR", "Euro", "€", 2],
  ["GBP", "Pound Sterling", "£", 2],
  ["CAD", "Canadian Dollar", "CA$", 2],
  ["AUD", "Australian Dollar", "A$", 2],
  ["JPY", "Yen", "¥", 0],
];

export interface DataverseEmulatorOptions {
  orgUrl?: string;
  seed?: number;
  now?: () => Date;
  /** How step deliveries are sent (default: fetch, which msw intercepts in tests). */
  send?: Sender;
}

/** Rows to add, by entity set (values as the Web API returns them; lookups as `_x_value`). */
export type SeedData = Partial<Record<string, Row[]>>;

export interface WebhookStepOptions {
  name?: string;
  url: string;
  /** 5 HttpHeader (headers from `headers`), 4 WebhookKey (`key` sent as ?code=), 6 HttpQueryString. */
  authtype?: 4 | 5 | 6;
  headers?: Record<string, string>;
  key?: string;
  message: keyof typeof SEEDED.messages;
  stage?: 10 | 20 | 40;
  mode?: 0 | 1;
  filteringattributes?: string[];
  rank?: number;
  /** A post-image of these columns under `alias` (imagetype 1, on the Target). */
  postImage?: { alias: string; attributes: string[] };
}

export interface DataverseEmulator {
  orgUrl: string;
  apiUrl: string;
  handlers: HttpHandler[];
  store: DataverseStore;
  faults: FaultController;
  dispatcher: WebhookDispatcher;
  organization: Organization;
  seed(data: SeedData): void;
  reset(): void;
  snapshot(): StoreState;
  load(state: StoreState): void;
  /** Registers an endpoint and a step through the Web API itself, as an install command would. */
  registerWebhookStep(options: WebhookStepOptions): Promise<{ serviceEndpointId: string; stepId: string }>;
  /** Calls the emulated Web API directly (no HTTP); for tests and the sandbox's own set-up. */
  request(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<ApiResponse>;
}

const escapeXml = (s: string) => s.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;");

export function createDataverseEmulator(options: DataverseEmulatorOptions = {}): DataverseEmulator {
  const orgUrl = (options.orgUrl ?? DEFAULT_ORG_URL).replace(/\/$/, "");
  const apiUrl = `${orgUrl}${API_PATH}`;
  const now = options.now ?? (() => new Date());
  const seedNumber = options.seed ?? 1;
  const store = new DataverseStore(now, seededRandom(seedNumber));
  const faults = new FaultController(seedNumber, dataverseFaultBodies);
  const dispatcher = new WebhookDispatcher(options.send, seedNumber + 1, now, STEP_REDELIVERY);
  const host = new URL(orgUrl).host;
  const organization: Organization = {
    id: SEEDED.organizationId,
    name: host.split(".")[0].replace(/:\d+$/, ""),
    host,
    businessUnitId: SEEDED.businessUnitId,
  };
  const steps = new StepRunner(store, dispatcher, organization, now);
  const api = new DataverseWebApi(store, steps, dispatcher, organization, apiUrl, () => SEEDED.sellerUserId);

  function seed(data: SeedData): void {
    for (const [set, rows] of Object.entries(data)) {
      const t = tableBySet(set);
      if (!t) throw new Error(`seed: unknown entity set '${set}'`);
      for (const row of rows ?? []) {
        for (const col of Object.keys(row)) {
          if (!(col in t.columns) && !col.includes("@")) throw new Error(`seed: '${col}' is not a column of ${set}`);
        }
        store.insert(t, row);
      }
    }
  }

  function seedDefaults(): void {
    seed({
      systemusers: [
        { systemuserid: SEEDED.sellerUserId, fullname: "Sam Seller", domainname: "sam@contoso.com" },
        { systemuserid: SEEDED.applicationUserId, fullname: "# Co-sell Connector", domainname: "cosell-connector@contoso.com" },
      ],
      transactioncurrencies: CURRENCY_ROWS.map(([code, name, symbol, precision]) => ({
        transactioncurrencyid: SEEDED.currencies[code],
        isocurrencycode: code,
        currencyname: name,
        currencysymbol: symbol,
        currencyprecision: precision,
        exchangerate: 1,
      })),
      sdkmessages: Object.entries(SEEDED.messages).map(([name, id]) => ({ sdkmessageid: id, name })),
      sdkmessagefilters: [
        { sdkmessagefilterid: SEEDED.messageFilters.opportunityCreate, _sdkmessageid_value: SEEDED.messages.Create, primaryobjecttypecode: "opportunity", iscustomprocessingstepallowed: true },
        { sdkmessagefilterid: SEEDED.messageFilters.opportunityUpdate, _sdkmessageid_value: SEEDED.messages.Update, primaryobjecttypecode: "opportunity", iscustomprocessingstepallowed: true },
        { sdkmessagefilterid: SEEDED.messageFilters.opportunityWin, _sdkmessageid_value: SEEDED.messages.Win, primaryobjecttypecode: "opportunity", iscustomprocessingstepallowed: true },
        { sdkmessagefilterid: SEEDED.messageFilters.opportunityLose, _sdkmessageid_value: SEEDED.messages.Lose, primaryobjecttypecode: "opportunity", iscustomprocessingstepallowed: true },
      ],
    });
  }
  seedDefaults();

  async function request(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<ApiResponse> {
    return api.handle({
      method,
      url: new URL(path, apiUrl),
      headers: new Headers({ "content-type": "application/json", ...headers }),
      body: body === undefined ? "" : typeof body === "string" ? body : JSON.stringify(body),
    });
  }

  async function created(path: string, body: unknown): Promise<string> {
    const res = await request("POST", path, body);
    if (res.status >= 400) throw new Error(`registerWebhookStep: POST ${path} failed: ${JSON.stringify(res.body)}`);
    return /\(([0-9a-f-]{36})\)$/.exec(res.headers["OData-EntityId"])![1];
  }

  async function registerWebhookStep(o: WebhookStepOptions): Promise<{ serviceEndpointId: string; stepId: string }> {
    const authtype = o.authtype ?? SERVICE_ENDPOINT.authHttpHeader;
    const authvalue =
      authtype === SERVICE_ENDPOINT.authWebhookKey
        ? (o.key ?? "")
        : `<settings>${Object.entries(o.headers ?? {}).map(([k, v]) => `<setting name="${escapeXml(k)}" value="${escapeXml(v)}" />`).join("")}</settings>`;
    const name = o.name ?? `Co-sell: ${o.message}`;
    const serviceEndpointId = await created("serviceendpoints", {
      name,
      contract: SERVICE_ENDPOINT.contractWebhook,
      url: o.url,
      authtype,
      authvalue,
      messageformat: SERVICE_ENDPOINT.formatJson,
    });
    const filters: Partial<Record<WebhookStepOptions["message"], string>> = {
      Create: SEEDED.messageFilters.opportunityCreate,
      Update: SEEDED.messageFilters.opportunityUpdate,
      Win: SEEDED.messageFilters.opportunityWin,
      Lose: SEEDED.messageFilters.opportunityLose,
    };
    const filter = filters[o.message];
    const stepId = await created("sdkmessageprocessingsteps", {
      name,
      stage: o.stage ?? 40,
      mode: o.mode ?? 0,
      rank: o.rank ?? 1,
      supporteddeployment: 0,
      filteringattributes: o.filteringattributes?.join(",") ?? null,
      "eventhandler_serviceendpoint@odata.bind": `/serviceendpoints(${serviceEndpointId})`,
      "sdkmessageid@odata.bind": `/sdkmessages(${SEEDED.messages[o.message]})`,
      ...(filter ? { "sdkmessagefilterid@odata.bind": `/sdkmessagefilters(${filter})` } : {}),
    });
    if (o.postImage) {
      await created("sdkmessageprocessingstepimages", {
        name: o.postImage.alias, entityalias: o.postImage.alias, imagetype: 1, messagepropertyname: "Target",
        attributes: o.postImage.attributes.join(","), "sdkmessageprocessingstepid@odata.bind": `/sdkmessageprocessingsteps(${stepId})`,
      });
    }
    return { serviceEndpointId, stepId };
  }

  const apiHandler = http.all(`${apiUrl}*`, async ({ request: req }) => {
    // Dataverse answers 401 with an empty body to a request without a bearer token.
    if (!/^Bearer\s+\S+/i.test(req.headers.get("authorization") ?? "")) {
      return new HttpResponse(null, { status: 401, headers: { "WWW-Authenticate": `Bearer authorization_uri=https://login.microsoftonline.com/common/oauth2/authorize, resource_id=${orgUrl}/` } });
    }
    const res = await api.handle({ method: req.method, url: new URL(req.url), headers: req.headers, body: await req.text() });
    const headers: Record<string, string> = { "OData-Version": "4.0", ...res.headers };
    if (res.text !== undefined) return new HttpResponse(res.text, { status: res.status, headers });
    if (res.body === undefined) return new HttpResponse(null, { status: res.status, headers });
    return HttpResponse.json(res.body, { status: res.status, headers: { ...headers, "Content-Type": "application/json; odata.metadata=minimal" } });
  });

  return {
    orgUrl,
    apiUrl,
    handlers: [withFaults([orgUrl], faults, [apiHandler])],
    store,
    faults,
    dispatcher,
    organization,
    seed,
    reset() {
      store.reset();
      seedDefaults();
    },
    snapshot: () => store.snapshot(),
    load: (state) => store.load(state),
    registerWebhookStep,
    request,
  };
}

export { etagOf };
