/**
 * One configuration scheme: each command reads the parts it needs, every missing or bad variable
 * of those parts is named at once, and api/README.md documents exactly the variables there are.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DEFAULT_CERTIFICATE_HOSTS } from "../../sync/partner-center/webhook-verify";
import { ConfigError, DEFAULT_TOKEN_CACHE_PATH, VARIABLES, describeVariables, readConfig } from "../../api/config";

const KEY = "ab".repeat(32);
let dir: string;
let roots: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "cosell-config-"));
  roots = join(dir, "roots.pem");
  writeFileSync(roots, "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n");
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const complete = () => ({
  DATAVERSE_URL: "https://contoso.crm.dynamics.com/",
  DATAVERSE_TENANT_ID: "t", DATAVERSE_CLIENT_ID: "c", DATAVERSE_CLIENT_SECRET: "s",
  PARTNER_CENTER_CLIENT_ID: "pc", PARTNER_CENTER_TENANT_ID: "pt", PARTNER_CENTER_TOKEN_CACHE_KEY: KEY,
  COSELL_WEBHOOK_KEY: "0123456789abcdef", PARTNER_CENTER_TRUST_ROOTS: roots,
});
const problemsOf = (attempt: () => unknown): string[] => {
  try {
    attempt();
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
  throw new Error("no ConfigError");
};
const SERVER = ["dataverse", "partnerCenter", "inbound", "server"] as const;

test("an empty environment names every required variable of the server at once", () => {
  expect(problemsOf(() => readConfig({}, SERVER))).toEqual([
    "DATAVERSE_URL is not set",
    "DATAVERSE_TENANT_ID is not set (or DATAVERSE_TOKEN)",
    "DATAVERSE_CLIENT_ID is not set (or DATAVERSE_TOKEN)",
    "DATAVERSE_CLIENT_SECRET is not set (or DATAVERSE_TOKEN)",
    "PARTNER_CENTER_CLIENT_ID is not set (or PARTNER_CENTER_STATIC_TOKEN)",
    "PARTNER_CENTER_TENANT_ID is not set (or PARTNER_CENTER_STATIC_TOKEN)",
    expect.stringMatching(/^PARTNER_CENTER_TOKEN_CACHE_KEY is not set: give a 256-bit key/),
    "COSELL_WEBHOOK_KEY is not set",
    "PARTNER_CENTER_TRUST_ROOTS is not set",
  ]);
  // The message a person reads lists them one per line and says where every variable is described.
  expect(() => readConfig({}, SERVER)).toThrow(/^The configuration cannot be used \(9 problems\):\n {2}- DATAVERSE_URL is not set\n/);
});

test("a complete environment reads into typed parts with the documented defaults", () => {
  const config = readConfig(complete(), SERVER);
  expect(config.dataverse).toEqual({ url: "https://contoso.crm.dynamics.com", auth: { tenantId: "t", clientId: "c", clientSecret: "s" } });
  expect(config.partnerCenter.auth).toMatchObject({ clientId: "pc", tenantId: "pt", cachePath: DEFAULT_TOKEN_CACHE_PATH });
  expect(config.partnerCenter).toMatchObject({ dailyCallBudget: undefined, warnAt: undefined });
  expect(config.inbound).toMatchObject({ webhookKey: "0123456789abcdef", certificateHosts: [...DEFAULT_CERTIFICATE_HOSTS] });
  expect(config.inbound.trustRootsPem).toContain("BEGIN CERTIFICATE");
  expect(config.server).toEqual({ host: "127.0.0.1", port: 7071, reconcileIntervalMs: 900_000, reconcileSchedule: "0 */15 * * * *", logLevel: undefined });
});

test("bad values are named with what is wanted and what was given, all at once", () => {
  const env = {
    ...complete(),
    DATAVERSE_URL: "contoso", PORT: "99999", COSELL_WEBHOOK_KEY: "short", PARTNER_CENTER_TOKEN_CACHE_KEY: "abc",
    PARTNER_CENTER_DAILY_CALL_BUDGET: "10k", PARTNER_CENTER_CALL_BUDGET_WARN_PERCENT: "120", PARTNER_CENTER_TRUST_ROOTS: join(dir, "absent.pem"),
  };
  expect(problemsOf(() => readConfig(env, SERVER))).toEqual([
    'DATAVERSE_URL must be an http(s) URL; got "contoso"',
    'PARTNER_CENTER_DAILY_CALL_BUDGET must be a whole number ≥ 1; got "10k"',
    'PARTNER_CENTER_CALL_BUDGET_WARN_PERCENT must be a whole number from 1 to 100; got "120"',
    expect.stringMatching(/^PARTNER_CENTER_TOKEN_CACHE_KEY must be 32 bytes/),
    "COSELL_WEBHOOK_KEY must be at least 16 characters; it has 5",
    expect.stringMatching(/^PARTNER_CENTER_TRUST_ROOTS: .*absent\.pem cannot be read \(ENOENT\)$/),
    'PORT must be a whole number from 1 to 65535; got "99999"',
  ]);
  const notPem = join(dir, "not.pem");
  writeFileSync(notPem, "hello");
  expect(problemsOf(() => readConfig({ ...complete(), PARTNER_CENTER_TRUST_ROOTS: notPem }, ["inbound"]))).toEqual([`PARTNER_CENTER_TRUST_ROOTS: ${notPem} holds no PEM certificate`]);
});

test("a command reads only its parts: the jobs need no webhook key, mapping set only Dataverse", () => {
  const { COSELL_WEBHOOK_KEY: _k, PARTNER_CENTER_TRUST_ROOTS: _r, ...jobs } = complete();
  expect(() => readConfig(jobs, ["dataverse", "partnerCenter"])).not.toThrow();
  expect(problemsOf(() => readConfig({ DATAVERSE_URL: "https://contoso.crm.dynamics.com" }, ["dataverse"]))).toHaveLength(3);
});

test("fixed tokens stand in for the sign-ins (sandbox, tests)", () => {
  const config = readConfig({ DATAVERSE_URL: "http://127.0.0.1:4870/dataverse", DATAVERSE_TOKEN: "dv", PARTNER_CENTER_STATIC_TOKEN: "pc", PARTNER_CENTER_DAILY_CALL_BUDGET: " 2500 ", PARTNER_CENTER_CALL_BUDGET_WARN_PERCENT: "90" }, ["dataverse", "partnerCenter"]);
  expect(config.dataverse.auth).toEqual({ token: "dv" });
  expect(config.partnerCenter).toMatchObject({ auth: { token: "pc" }, dailyCallBudget: 2500, warnAt: 0.9 });
});

test("api/README.md documents exactly the variables there are, and --help lists a part's", () => {
  const readme = readFileSync(join(__dirname, "../../api/README.md"), "utf8");
  const documented = new Set([...readme.matchAll(/^\| `([A-Z_]+)`/gm)].map((m) => m[1]));
  expect([...documented].sort()).toEqual(VARIABLES.map((v) => v.name).sort());
  const help = describeVariables(["inbound"]).join("\n");
  expect(help).toMatch(/COSELL_WEBHOOK_KEY +required: /);
  expect(help).toMatch(/PARTNER_CENTER_CERT_HOSTS +optional: /);
  expect(help).not.toMatch(/DATAVERSE_URL/);
});
