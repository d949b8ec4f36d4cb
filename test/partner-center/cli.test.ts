import { http, HttpResponse } from "msw";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { EXIT } from "../../api/cli/command";
import { runCosell as runCli } from "../../api/cli/cosell";
import { encryptCache } from "../../sync/partner-center/token-cache";
import { CLIENT, TENANT, signedInCache } from "./msal-fixtures";
import { startEmulator } from "./fixtures";

const { emulator, server } = startEmulator();
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => emulator.reset());
afterAll(() => server.close());

async function run(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, { out: (l) => out.push(l), err: (l) => err.push(l), env: { PARTNER_CENTER_STATIC_TOKEN: "t" }, sleep: async () => undefined });
  return { code, out: out.join("\n"), err: err.join("\n") };
}

test("webhook show / register / refuse / force / test", async () => {
  expect(await run("webhook", "show")).toMatchObject({ code: EXIT.ok, out: "No webhook is registered for this tenant." });
  expect((await run("webhook", "register", "https://other.example.com/hook")).code).toBe(EXIT.ok);
  const refused = await run("webhook", "register", "https://cosell.example.com/hook");
  expect(refused.code).toBe(EXIT.refused);
  expect(refused.err).toMatch(/another webhook URL is registered.*other\.example\.com.*--force/);
  const forced = await run("webhook", "register", "https://cosell.example.com/hook", "--force");
  expect(forced).toMatchObject({ code: EXIT.ok });
  expect(forced.out).toMatch(/^Replaced \(was https:\/\/other\.example\.com\/hook\)/);
  expect((await run("webhook", "show")).out).toMatch(/URL: +https:\/\/cosell\.example\.com\/hook/);
  // The receiver is down: the delivery fails and the command says so.
  server.use(http.post("https://cosell.example.com/hook", () => new HttpResponse(null, { status: 503 })));
  const tested = await run("webhook", "test");
  expect(tested.code).toBe(EXIT.failed);
  expect(tested.out).toMatch(/Delivery to https:\/\/cosell\.example\.com\/hook: (pending|failed), answered ServiceUnavailable \(attempt \d+ of 10; Partner Center (delivers it again|gives it up)\)/);
});

test("usage errors and a credential failure have their own exit codes", async () => {
  expect((await run("webhook", "register")).code).toBe(EXIT.usage);
  expect((await run("bogus")).code).toBe(EXIT.usage);
  expect((await run("webhook", "register", "not a url")).code).toBe(EXIT.usage);
  emulator.state.rejectedTokens.add("t");
  const denied = await run("webhook", "show");
  expect(denied.code).toBe(EXIT.signIn);
  const noConfig = await runCli(["login"], { out: () => undefined, err: () => undefined, env: {} });
  expect(noConfig).toBe(EXIT.usage);
});

test("status tells a person whether to sign in again", async () => {
  const dir = mkdtempSync(path.join(tmpdir(), "pc-cli-"));
  try {
    const cache = path.join(dir, "cache.json");
    const env = { PARTNER_CENTER_CLIENT_ID: CLIENT, PARTNER_CENTER_TENANT_ID: TENANT, PARTNER_CENTER_TOKEN_CACHE: cache, PARTNER_CENTER_TOKEN_CACHE_KEY: randomBytes(32).toString("hex") };
    const status = async () => {
      const err: string[] = [];
      const code = await runCli(["login", "status"], { out: () => undefined, err: (l) => err.push(l), env });
      return { code, err: err.join("\n") };
    };
    expect(await status()).toEqual({ code: EXIT.signIn, err: "Partner Center is not signed in — run `cosell login`" });

    // A cache written with another key: the sign-in is there but unusable.
    writeFileSync(cache, encryptCache(signedInCache(3600), randomBytes(32)));
    const wrongKey = await status();
    expect(wrongKey.code).toBe(EXIT.signIn);
    expect(wrongKey.err).toMatch(/^Partner Center sign-in expired — run `cosell login` again \(token cache .* could not be decrypted/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
