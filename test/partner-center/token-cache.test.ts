import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { PartnerCenterAuth } from "../../sync/partner-center/auth";
import { SignInExpiredError } from "../../sync/partner-center/errors";
import { TokenCacheKeyError, encryptCache, parseCacheKey } from "../../sync/partner-center/token-cache";
import { CLIENT, HOME, SECRET, TENANT, msalSettings, signedInCache } from "./msal-fixtures";

let dir: string;
beforeEach(() => (dir = mkdtempSync(path.join(tmpdir(), "pc-cache-"))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const auth = (key: Buffer, file = path.join(dir, "cache.json")) => new PartnerCenterAuth({ clientId: CLIENT, tenantId: TENANT, cachePath: file, cacheKey: key, msal: msalSettings() });

test("the cache is encrypted on disk and round-trips to a silent token", async () => {
  const key = randomBytes(32);
  const file = path.join(dir, "cache.json");
  writeFileSync(file, encryptCache(signedInCache(3600), key));
  const onDisk = readFileSync(file, "utf8");
  expect(onDisk).not.toContain("SECRET-ACCESS-TOKEN");
  expect(onDisk).not.toContain("referrals-admin@contoso.example");

  const a = auth(key);
  expect((await a.account())?.homeAccountId).toBe(HOME);
  expect(await a.tokenProvider().getToken()).toBe(SECRET);
});

test("MSAL's own writes go back to disk encrypted", async () => {
  const key = randomBytes(32);
  const file = path.join(dir, "cache.json");
  writeFileSync(file, encryptCache(signedInCache(3600), key));
  const a = auth(key);
  const account = await a.account();
  await a.app.getTokenCache().removeAccount(account!); // a change MSAL persists through the plugin
  const after = readFileSync(file, "utf8");
  expect(after).not.toContain("referrals-admin@contoso.example");
  expect(await auth(key).account()).toBeUndefined();
});

test("a wrong key reads as signed out (sign-in expired), and the file is kept", async () => {
  const file = path.join(dir, "cache.json");
  const original = encryptCache(signedInCache(3600), randomBytes(32));
  writeFileSync(file, original);
  const a = auth(randomBytes(32));
  const e = await a.tokenProvider().getToken().catch((x: unknown) => x);
  expect(e).toBeInstanceOf(SignInExpiredError);
  expect((e as Error).message).toMatch(/^Partner Center sign-in expired — run `cosell login` again \(token cache .* could not be decrypted/);
  expect(readFileSync(file, "utf8")).toBe(original);
});

test("no cache at all is a sign-in-expired state, not a crash", async () => {
  await expect(auth(randomBytes(32)).tokenProvider().getToken()).rejects.toThrow(/sign-in expired.*no signed-in account/);
});

test("an expired access token that cannot be refreshed is sign-in expired", async () => {
  const key = randomBytes(32);
  writeFileSync(path.join(dir, "cache.json"), encryptCache(signedInCache(-60), key));
  await expect(auth(key).tokenProvider().getToken()).rejects.toBeInstanceOf(SignInExpiredError);
});

test("cache keys must be 256-bit, with a message saying how to make one", () => {
  expect(parseCacheKey("ab".repeat(32))).toHaveLength(32);
  expect(parseCacheKey(randomBytes(32).toString("base64"))).toHaveLength(32);
  expect(() => parseCacheKey(undefined)).toThrow(TokenCacheKeyError);
  expect(() => parseCacheKey("short")).toThrow(/32 bytes/);
});
