/**
 * The service put together from its configuration: /health is unauthenticated, so what it says
 * about the Partner Center sign-in names the fix and never the token cache's path.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { composeService } from "../../api/compose";
import { createLogger, silentLogger } from "../../api/core/logger";
import { SIGN_IN_EXPIRED_MESSAGE } from "../../sync/partner-center/errors";
import { NOT_SIGNED_IN_MESSAGE } from "../../sync/partner-center/auth";
import { encryptCache } from "../../sync/partner-center/token-cache";
import { CLIENT, TENANT, signedInCache } from "../partner-center/msal-fixtures";

const KEY = "compose-test-key-0123456789";
let dir: string;
beforeAll(() => (dir = mkdtempSync(join(tmpdir(), "cosell-compose-secret-place-"))));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function serviceWithCache(cachePath: string) {
  return composeService(
    {
      dataverse: { url: "https://contoso.crm.dynamics.com", auth: { token: "dv" } },
      partnerCenter: { auth: { clientId: CLIENT, tenantId: TENANT, cachePath, cacheKey: randomBytes(32) } },
      inbound: { webhookKey: KEY, trustRootsPem: "", certificateHosts: [] },
    },
    { logger: silentLogger() },
  );
}

test("an unreadable token cache: /health says sign in again, without the cache's path", async () => {
  const cachePath = join(dir, "cache.json");
  writeFileSync(cachePath, encryptCache(signedInCache(3600), randomBytes(32))); // another key
  const res = await serviceWithCache(cachePath).fetch(new Request("https://cosell.example.com/api/health"));
  expect(res.status).toBe(200);
  const text = await res.text();
  expect(JSON.parse(text)).toMatchObject({ status: "degraded", partnerCenter: { credential: "expired", detail: SIGN_IN_EXPIRED_MESSAGE } });
  expect(text).not.toContain(dir);
  expect(text).not.toContain("secret-place");
});

test("never signed in: /health says so", async () => {
  const health = await serviceWithCache(join(dir, "absent.json")).health();
  expect(health.partnerCenter).toEqual({ credential: "expired", detail: NOT_SIGNED_IN_MESSAGE });
});

test.each(["partner-center/webhook", "dataverse"])("an oversized body to /api/%s is refused 413 before any check, whatever its length header says", async (route) => {
  const service = serviceWithCache(join(dir, "absent.json"));
  const big = new Uint8Array(2 * 1024 * 1024);
  const headers = { "x-cosell-key": KEY };
  const declared = await service.fetch(new Request(`https://cosell.example.com/api/${route}`, { method: "POST", body: big, headers: { ...headers, "content-length": String(big.byteLength) } }));
  expect(declared.status).toBe(413);
  expect(await declared.json()).toEqual({ error: { code: "bodyTooLarge", message: "The request body is 2097152 bytes; the limit is 1048576 bytes." } });
  // No length header: the stream is cut at the limit.
  const stream = new Blob([big]).stream();
  const streamed = await service.fetch(new Request(`https://cosell.example.com/api/${route}`, { method: "POST", body: stream, headers, duplex: "half" } as RequestInit));
  expect(streamed.status).toBe(413);
});

describe("the shared state is announced at start", () => {
  const logged = () => {
    const lines: Array<Record<string, unknown>> = [];
    const logger = createLogger({ level: "info", destination: { write: (line: string) => void lines.push(JSON.parse(line)) } });
    return { lines, logger };
  };
  const config = (state?: { connectionString?: string; tablePrefix: string }) => ({
    dataverse: { url: "https://contoso.crm.dynamics.com", auth: { token: "dv" } },
    partnerCenter: { auth: { token: "pc" } },
    state,
  });

  test("without a connection string: in this instance's memory, one instance only, and how to share it", () => {
    const { lines, logger } = logged();
    composeService(config(), { logger });
    expect(lines).toContainEqual(expect.objectContaining({ sharedState: "memory", msg: expect.stringMatching(/run one instance only.*COSELL_STATE_CONNECTION_STRING/) }));
  });

  test("with one: the storage's endpoint and the tables' prefix, never the account key", () => {
    const { lines, logger } = logged();
    const key = randomBytes(64).toString("base64");
    composeService(config({ connectionString: `DefaultEndpointsProtocol=https;AccountName=contoso;AccountKey=${key};EndpointSuffix=core.windows.net`, tablePrefix: "cosell" }), { logger });
    const line = lines.find((l) => l.sharedState === "azureTable");
    expect(line).toMatchObject({ endpoint: "https://contoso.table.core.windows.net/", tablePrefix: "cosell" });
    expect(JSON.stringify(lines)).not.toContain(key);
  });
});
