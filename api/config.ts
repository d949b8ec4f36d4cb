/**
 * The one configuration scheme of the service, its hosts and the `cosell` command: environment
 * variables, each named once in VARIABLES (which `cosell --help` prints and api/README.md
 * documents). Each command reads only the parts it needs, and every missing or bad variable of
 * those parts is reported at once, before anything starts.
 */
import { readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { DEFAULT_CERTIFICATE_HOSTS } from "../sync/partner-center/webhook-verify";
import { parseCacheKey, TokenCacheKeyError } from "../sync/partner-center/token-cache";
import { isLoopbackHttp, tableEndpointOf } from "./shared-state/azure-table";
import { DEFAULT_TABLE_PREFIX, tablePrefixProblem, type StateConfig } from "./shared-state/shared-state";

export type ConfigPart = "dataverse" | "partnerCenter" | "inbound" | "server" | "state" | "install";

export interface Variable {
  name: string;
  parts: ConfigPart[];
  /** "yes", "no", or the condition under which it is needed. */
  required: string;
  meaning: string;
}

export const VARIABLES: readonly Variable[] = [
  { name: "DATAVERSE_URL", parts: ["dataverse"], required: "yes", meaning: "the org, https://<org>.crm.dynamics.com" },
  { name: "DATAVERSE_TENANT_ID", parts: ["dataverse"], required: "unless DATAVERSE_TOKEN", meaning: "tenant of the application user's Entra app (client credentials)" },
  { name: "DATAVERSE_CLIENT_ID", parts: ["dataverse"], required: "unless DATAVERSE_TOKEN", meaning: "the application user's Entra app id" },
  { name: "DATAVERSE_CLIENT_SECRET", parts: ["dataverse"], required: "unless DATAVERSE_TOKEN", meaning: "that app's client secret" },
  { name: "DATAVERSE_TOKEN", parts: ["dataverse"], required: "no", meaning: "a fixed bearer token instead of client credentials (sandbox, tests)" },
  { name: "PARTNER_CENTER_CLIENT_ID", parts: ["partnerCenter"], required: "unless PARTNER_CENTER_STATIC_TOKEN", meaning: "the app registration of the App+User sign-in (D.9)" },
  { name: "PARTNER_CENTER_TENANT_ID", parts: ["partnerCenter"], required: "unless PARTNER_CENTER_STATIC_TOKEN", meaning: "the partner's tenant" },
  { name: "PARTNER_CENTER_TOKEN_CACHE_KEY", parts: ["partnerCenter"], required: "unless PARTNER_CENTER_STATIC_TOKEN", meaning: "AES-256 key of the token cache: 64 hex digits or base64 (`openssl rand -hex 32`)" },
  { name: "PARTNER_CENTER_TOKEN_CACHE", parts: ["partnerCenter"], required: "no", meaning: "path of the encrypted token cache `cosell login` writes (default ~/.cosell/partner-center-token-cache.json)" },
  { name: "PARTNER_CENTER_STATIC_TOKEN", parts: ["partnerCenter"], required: "no", meaning: "a fixed bearer token instead of the signed-in account (sandbox, tests)" },
  { name: "PARTNER_CENTER_REFERRALS_URL", parts: ["partnerCenter"], required: "no", meaning: "Referrals API base (default the real one)" },
  { name: "PARTNER_CENTER_WEBHOOKS_URL", parts: ["partnerCenter"], required: "no", meaning: "webhook registration API base (default the real one)" },
  { name: "PARTNER_CENTER_DAILY_CALL_BUDGET", parts: ["partnerCenter"], required: "no", meaning: "Partner Center calls per UTC day before the budget warning at 100% (default 10000, D.10)" },
  { name: "PARTNER_CENTER_CALL_BUDGET_WARN_PERCENT", parts: ["partnerCenter"], required: "no", meaning: "warn once a day when this share of the budget is used (default 80)" },
  { name: "COSELL_WEBHOOK_KEY", parts: ["inbound"], required: "yes", meaning: "the key Dataverse sends the service (≥ 16 characters); `cosell install` writes it into the endpoint" },
  { name: "PARTNER_CENTER_TRUST_ROOTS", parts: ["inbound"], required: "yes", meaning: "path of a PEM file with the roots webhook signing certificates must chain to" },
  { name: "PARTNER_CENTER_CERT_HOSTS", parts: ["inbound"], required: "no", meaning: "comma-separated hosts the signing certificate may come from (default the documented one)" },
  { name: "HOST", parts: ["server"], required: "no", meaning: "standalone server's listen address (default 127.0.0.1)" },
  { name: "PORT", parts: ["server"], required: "no", meaning: "standalone server's port (default 7071)" },
  { name: "COSELL_RECONCILE_INTERVAL_MS", parts: ["server"], required: "no", meaning: "standalone server's reconcile period (default 900000 = 15 min)" },
  { name: "COSELL_RECONCILE_SCHEDULE", parts: ["server"], required: "no", meaning: "Functions timer NCRONTAB (default `0 */15 * * * *`)" },
  { name: "COSELL_STATE_CONNECTION_STRING", parts: ["state"], required: "to run more than one instance", meaning: "Azure Table storage connection string of the state instances share (webhook de-duplication, the Partner Center call budget, the reconcile lease); unset: kept in memory, for one instance only" },
  { name: "COSELL_STATE_TABLE_PREFIX", parts: ["state"], required: "no", meaning: `prefix of the three tables (default ${DEFAULT_TABLE_PREFIX}: ${DEFAULT_TABLE_PREFIX}Webhooks, ${DEFAULT_TABLE_PREFIX}CallCounts, ${DEFAULT_TABLE_PREFIX}Leases)` },
  { name: "COSELL_SERVICE_URL", parts: ["install"], required: "unless the org's cosell_ServiceUrl variable is set", meaning: "the service's webhook URL, https on 443 (`cosell install`)" },
  { name: "LOG_LEVEL", parts: ["server"], required: "no", meaning: "pino level (default info; warn for the command)" },
];

export interface DataverseConfig {
  url: string;
  auth: { token: string } | { tenantId: string; clientId: string; clientSecret: string };
}

export interface PartnerCenterConfig {
  auth: { token: string } | { clientId: string; tenantId: string; cachePath: string; cacheKey: Buffer };
  referralsUrl?: string;
  webhooksUrl?: string;
  dailyCallBudget?: number;
  /** Share of the budget (0–1] at which to warn. */
  warnAt?: number;
}

/** What the service needs to accept calls: Dataverse's key and Partner Center's signatures. */
export interface InboundConfig {
  webhookKey: string;
  trustRootsPem: string;
  certificateHosts: string[];
  /** Sandbox only: certificates served over http on loopback. */
  allowLoopbackHttp?: boolean;
}

export interface ServerConfig {
  host: string;
  port: number;
  reconcileIntervalMs: number;
  reconcileSchedule: string;
  logLevel?: string;
}

export type { StateConfig };

export interface InstallConfig {
  serviceUrl?: string;
  /** Needed only to create the endpoint or rotate its key. */
  webhookKey?: string;
}

export interface Config {
  dataverse: DataverseConfig;
  partnerCenter: PartnerCenterConfig;
  inbound: InboundConfig;
  server: ServerConfig;
  state: StateConfig;
  install: InstallConfig;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`The configuration cannot be used (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n${problems.map((p) => `  - ${p}`).join("\n")}\nEvery variable: \`cosell --help\` or api/README.md.`);
    this.name = "ConfigError";
  }
}

export const DEFAULT_TOKEN_CACHE_PATH = path.join(os.homedir(), ".cosell", "partner-center-token-cache.json");

type Env = Record<string, string | undefined>;

/** Collects problems instead of throwing at the first, so one run names them all. */
class Reader {
  readonly problems: string[] = [];
  constructor(private readonly env: Env) {}

  optional(name: string): string | undefined {
    const v = this.env[name]?.trim();
    return v ? v : undefined;
  }
  required(name: string, why = ""): string {
    const v = this.optional(name);
    if (v === undefined) this.problems.push(`${name} is not set${why}`);
    return v ?? "";
  }
  url(name: string, value: string | undefined): string | undefined {
    if (value === undefined || value === "") return value;
    try {
      const u = new URL(value);
      if (u.protocol !== "https:" && u.protocol !== "http:") throw new Error();
      return value.replace(/\/+$/, "");
    } catch {
      this.problems.push(`${name} must be an http(s) URL; got "${value}"`);
      return value;
    }
  }
  wholeNumber(name: string, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
    const v = this.optional(name);
    if (v === undefined) return fallback;
    const n = /^\d+$/.test(v) ? Number(v) : Number.NaN;
    if (!(n >= min && n <= max)) {
      this.problems.push(`${name} must be a whole number ${max === Number.MAX_SAFE_INTEGER ? `≥ ${min}` : `from ${min} to ${max}`}; got "${v}"`);
      return fallback;
    }
    return n;
  }
}

function readDataverse(r: Reader): DataverseConfig {
  const url = r.url("DATAVERSE_URL", r.required("DATAVERSE_URL")) ?? "";
  const token = r.optional("DATAVERSE_TOKEN");
  if (token) return { url, auth: { token } };
  const why = " (or DATAVERSE_TOKEN)";
  return { url, auth: { tenantId: r.required("DATAVERSE_TENANT_ID", why), clientId: r.required("DATAVERSE_CLIENT_ID", why), clientSecret: r.required("DATAVERSE_CLIENT_SECRET", why) } };
}

function readPartnerCenter(r: Reader): PartnerCenterConfig {
  const common = {
    referralsUrl: r.url("PARTNER_CENTER_REFERRALS_URL", r.optional("PARTNER_CENTER_REFERRALS_URL")),
    webhooksUrl: r.url("PARTNER_CENTER_WEBHOOKS_URL", r.optional("PARTNER_CENTER_WEBHOOKS_URL")),
    dailyCallBudget: r.optional("PARTNER_CENTER_DAILY_CALL_BUDGET") === undefined ? undefined : r.wholeNumber("PARTNER_CENTER_DAILY_CALL_BUDGET", 0, 1),
    warnAt: r.optional("PARTNER_CENTER_CALL_BUDGET_WARN_PERCENT") === undefined ? undefined : r.wholeNumber("PARTNER_CENTER_CALL_BUDGET_WARN_PERCENT", 80, 1, 100) / 100,
  };
  const token = r.optional("PARTNER_CENTER_STATIC_TOKEN");
  if (token) return { auth: { token }, ...common };
  const why = " (or PARTNER_CENTER_STATIC_TOKEN)";
  const clientId = r.required("PARTNER_CENTER_CLIENT_ID", why);
  const tenantId = r.required("PARTNER_CENTER_TENANT_ID", why);
  let cacheKey: Buffer = Buffer.alloc(0);
  try {
    cacheKey = parseCacheKey(r.optional("PARTNER_CENTER_TOKEN_CACHE_KEY"));
  } catch (e) {
    if (!(e instanceof TokenCacheKeyError)) throw e;
    r.problems.push(e.message);
  }
  return { auth: { clientId, tenantId, cacheKey, cachePath: r.optional("PARTNER_CENTER_TOKEN_CACHE") ?? DEFAULT_TOKEN_CACHE_PATH }, ...common };
}

function readInbound(r: Reader): InboundConfig {
  const webhookKey = r.required("COSELL_WEBHOOK_KEY");
  if (webhookKey && webhookKey.length < 16) r.problems.push(`COSELL_WEBHOOK_KEY must be at least 16 characters; it has ${webhookKey.length}`);
  const rootsPath = r.required("PARTNER_CENTER_TRUST_ROOTS");
  let trustRootsPem = "";
  if (rootsPath) {
    try {
      trustRootsPem = readFileSync(rootsPath, "utf8");
      if (!trustRootsPem.includes("-----BEGIN CERTIFICATE-----")) r.problems.push(`PARTNER_CENTER_TRUST_ROOTS: ${rootsPath} holds no PEM certificate`);
    } catch (e) {
      r.problems.push(`PARTNER_CENTER_TRUST_ROOTS: ${rootsPath} cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
  }
  const hosts = r.optional("PARTNER_CENTER_CERT_HOSTS");
  return { webhookKey, trustRootsPem, certificateHosts: hosts ? hosts.split(",").map((h) => h.trim()).filter(Boolean) : [...DEFAULT_CERTIFICATE_HOSTS] };
}

function readServer(r: Reader): ServerConfig {
  return {
    host: r.optional("HOST") ?? "127.0.0.1",
    port: r.wholeNumber("PORT", 7071, 1, 65535),
    reconcileIntervalMs: r.wholeNumber("COSELL_RECONCILE_INTERVAL_MS", 900_000, 1000),
    reconcileSchedule: r.optional("COSELL_RECONCILE_SCHEDULE") ?? "0 */15 * * * *",
    logLevel: r.optional("LOG_LEVEL"),
  };
}

function readState(r: Reader): StateConfig {
  const connectionString = r.optional("COSELL_STATE_CONNECTION_STRING");
  const tablePrefix = r.optional("COSELL_STATE_TABLE_PREFIX") ?? DEFAULT_TABLE_PREFIX;
  const prefixProblem = tablePrefixProblem(tablePrefix);
  if (prefixProblem) r.problems.push(`COSELL_STATE_TABLE_PREFIX ${prefixProblem}`);
  if (connectionString) {
    // Never echo the string: it holds the account key.
    try {
      const endpoint = tableEndpointOf(connectionString);
      if (endpoint.protocol !== "https:" && !isLoopbackHttp(endpoint)) r.problems.push(`COSELL_STATE_CONNECTION_STRING must reach Table storage over https (plain http only on this machine); its endpoint is ${endpoint.origin}`);
    } catch (e) {
      // The SDK's own reason, unless it only tripped over a string of some other shape.
      const reason = e instanceof TypeError ? "" : ` (${(e as Error).message})`;
      r.problems.push(`COSELL_STATE_CONNECTION_STRING is not a Table storage connection string${reason}; expected DefaultEndpointsProtocol=https;AccountName=…;AccountKey=…;EndpointSuffix=core.windows.net, as the storage account's Access keys page shows it`);
    }
  }
  return { connectionString, tablePrefix };
}

function readInstall(r: Reader): InstallConfig {
  return { serviceUrl: r.url("COSELL_SERVICE_URL", r.optional("COSELL_SERVICE_URL")), webhookKey: r.optional("COSELL_WEBHOOK_KEY") };
}

const READERS: { [P in ConfigPart]: (r: Reader) => Config[P] } = {
  dataverse: readDataverse,
  partnerCenter: readPartnerCenter,
  inbound: readInbound,
  server: readServer,
  state: readState,
  install: readInstall,
};

/** The parts asked for, or a ConfigError naming every missing or bad variable among them. */
export function readConfig<P extends ConfigPart>(env: Env, parts: readonly P[]): Pick<Config, P> {
  const r = new Reader(env);
  const config = {} as Pick<Config, P>;
  for (const part of parts) (config as Record<ConfigPart, unknown>)[part] = READERS[part](r);
  if (r.problems.length) throw new ConfigError(r.problems);
  return config;
}

/** The variables of some parts, as `cosell --help` lists them. */
export function describeVariables(parts: readonly ConfigPart[]): string[] {
  const rows = VARIABLES.filter((v) => v.parts.some((p) => parts.includes(p)));
  const width = Math.max(...rows.map((v) => v.name.length));
  return rows.map((v) => `  ${v.name.padEnd(width)}  ${v.required === "yes" ? "required" : v.required === "no" ? "optional" : `required ${v.required}`}: ${v.meaning}`);
}
