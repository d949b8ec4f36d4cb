import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { NOT_SIGNED_IN_MESSAGE, PartnerCenterAuth } from "../../sync/partner-center/auth";
import { PartnerCenterError, SIGN_IN_EXPIRED_MESSAGE, SignInExpiredError, SignInUnavailableError } from "../../sync/partner-center/errors";
import { ReferralsClient } from "../../sync/partner-center/referrals-client";
import { encryptCache } from "../../sync/partner-center/token-cache";
import { CLIENT, HOME, REFRESH_TOKEN, SECRET, TENANT, msalSettings, scriptedTokenEndpoint, signedInCache, type TokenEndpointAnswer } from "./msal-fixtures";

/** What Entra ID answers when a refresh token has run out or been revoked. */
const REFRESH_TOKEN_EXPIRED: TokenEndpointAnswer = {
  status: 400,
  body: {
    error: "invalid_grant",
    error_description: "AADSTS700082: The refresh token has expired due to inactivity.",
    error_codes: [700082],
    timestamp: "2030-03-04 10:00:00Z",
    trace_id: "0f0f0f0f-0000-4000-8000-000000000000",
    correlation_id: "1e1e1e1e-0000-4000-8000-000000000000",
  },
};
/** Entra ID names the account in `client_info` (uid.utid = the cached account's home id). */
const CLIENT_INFO = Buffer.from(JSON.stringify({ uid: HOME.split(".")[0], utid: TENANT })).toString("base64url");
const FRESH_TOKENS: TokenEndpointAnswer = {
  status: 200,
  body: { token_type: "Bearer", scope: "https://api.partner.microsoft.com/user_impersonation", expires_in: 3600, ext_expires_in: 3600, access_token: "FRESH-ACCESS-TOKEN", refresh_token: "0.BBBB-ROTATED", client_info: CLIENT_INFO },
};

let dir: string;
let key: Buffer;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), "pc-health-"));
  key = randomBytes(32);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const cacheFile = () => path.join(dir, "cache.json");

/** An auth whose cache holds `cache` (none when undefined) and whose token endpoint answers `answers`. */
function setUp(cache: string | undefined, answers: TokenEndpointAnswer[] = []) {
  if (cache !== undefined) writeFileSync(cacheFile(), encryptCache(cache, key));
  const endpoint = scriptedTokenEndpoint(answers);
  const auth = new PartnerCenterAuth({ clientId: CLIENT, tenantId: TENANT, cachePath: cacheFile(), cacheKey: key, msal: msalSettings(endpoint.networkClient) });
  return { auth, endpoint };
}

/** A referrals client that must fail before sending anything. */
function clientOf(auth: PartnerCenterAuth) {
  return new ReferralsClient({
    tokenProvider: auth.tokenProvider(),
    fetch: async () => {
      throw new Error("no request may be sent without a token");
    },
  });
}

async function failure(p: Promise<unknown>): Promise<PartnerCenterError> {
  const e = await p.then(() => undefined, (x: unknown) => x);
  if (e instanceof PartnerCenterError) return e;
  throw new Error(`expected a PartnerCenterError, got ${String(e)}`);
}

describe("credentialHealth", () => {
  test("a valid cached token is ok without asking the sign-in service", async () => {
    const { auth, endpoint } = setUp(signedInCache(3600, { refreshToken: true }));
    expect(await auth.credentialHealth()).toEqual({ state: "ok" });
    expect(endpoint.refreshTokensSent).toEqual([]);
  });

  test("an expired access token is refreshed silently; the new tokens are kept, encrypted", async () => {
    const { auth, endpoint } = setUp(signedInCache(-60, { refreshToken: true }), [FRESH_TOKENS]);
    expect(await auth.credentialHealth()).toEqual({ state: "ok" });
    expect(endpoint.refreshTokensSent).toEqual([REFRESH_TOKEN]);
    // The refreshed token is served from the cache now: no second call to the endpoint.
    expect(await auth.tokenProvider().getToken()).toBe("FRESH-ACCESS-TOKEN");
    const onDisk = readFileSync(cacheFile(), "utf8");
    expect(onDisk).not.toContain("FRESH-ACCESS-TOKEN");
    expect(onDisk).not.toContain("ROTATED");
  });

  test("a refresh token the service refuses is expired, with the service's reason", async () => {
    const { auth } = setUp(signedInCache(-60, { refreshToken: true }), [REFRESH_TOKEN_EXPIRED]);
    const health = await auth.credentialHealth();
    expect(health.state).toBe("expired");
    expect(health.detail).toMatch(/^Partner Center sign-in expired — run `cosell login` again \(.*AADSTS700082/);
  });

  test("an expired access token with no refresh token is expired", async () => {
    const { auth } = setUp(signedInCache(-60));
    expect(await auth.credentialHealth()).toMatchObject({ state: "expired", detail: expect.stringMatching(/^Partner Center sign-in expired/) });
  });

  test("no token cache at all is not signed in", async () => {
    const { auth } = setUp(undefined);
    expect(await auth.credentialHealth()).toEqual({ state: "notSignedIn", detail: NOT_SIGNED_IN_MESSAGE });
  });

  test("a cache that cannot be decrypted is expired and names the file", async () => {
    writeFileSync(cacheFile(), encryptCache(signedInCache(3600), randomBytes(32)));
    const { auth } = setUp(undefined);
    const health = await auth.credentialHealth();
    expect(health.state).toBe("expired");
    expect(health.detail).toContain(`token cache ${cacheFile()} could not be decrypted`);
  });

  test.each<[string, TokenEndpointAnswer]>([
    ["the network fails", { fail: new Error("getaddrinfo ENOTFOUND login.microsoftonline.com") }],
    ["the service answers 503", { status: 503, body: { error: "temporarily_unavailable", error_description: "AADSTS90033: A transient error has occurred." } }],
    ["the service answers server_error", { status: 500, body: { error: "server_error", error_description: "AADSTS90100: internal error" } }],
  ])("when %s during a refresh, the sign-in is unavailable, not expired", async (_, answer) => {
    const { auth, endpoint } = setUp(signedInCache(-60, { refreshToken: true }), [answer]);
    const health = await auth.credentialHealth();
    expect(endpoint.refreshTokensSent).toHaveLength(1);
    expect(health.state).toBe("unavailable");
    expect(health.detail).toMatch(/^could not reach the Microsoft sign-in service/);
  });
});

describe("failed silent refresh as the clients see it", () => {
  test("a refused refresh is a credential error with code signInExpired and the login hint", async () => {
    const { auth } = setUp(signedInCache(-60, { refreshToken: true }), [REFRESH_TOKEN_EXPIRED]);
    const e = await failure(clientOf(auth).list());
    expect(e).toMatchObject({ kind: "credential", code: "signInExpired", message: SIGN_IN_EXPIRED_MESSAGE });
    expect(e.cause).toBeInstanceOf(SignInExpiredError);
    expect((e.cause as Error).message).toContain("AADSTS700082");
  });

  test("no signed-in account is the same credential error", async () => {
    const { auth } = setUp(undefined);
    expect(await failure(clientOf(auth).list())).toMatchObject({ kind: "credential", code: "signInExpired" });
  });

  test("an unreachable sign-in service is transient trouble, not a request to log in again", async () => {
    const { auth } = setUp(signedInCache(-60, { refreshToken: true }), [{ fail: new Error("connect ETIMEDOUT") }]);
    const e = await failure(clientOf(auth).list());
    expect(e).toMatchObject({ kind: "transient", code: "signInUnavailable" });
    expect(e.cause).toBeInstanceOf(SignInUnavailableError);
  });

  test("a valid cached token reaches the service as the bearer token", async () => {
    const { auth } = setUp(signedInCache(3600));
    let authorization: string | null = null;
    const c = new ReferralsClient({
      tokenProvider: auth.tokenProvider(),
      fetch: async (_url, init) => {
        authorization = new Headers(init?.headers).get("authorization");
        return new Response(JSON.stringify({ value: [] }), { status: 200, headers: { "content-type": "application/json" } });
      },
    });
    await c.list();
    expect(authorization).toBe(`Bearer ${SECRET}`);
  });
});
