import { http, HttpResponse } from "msw";
import { EXIT, runCli } from "../../sync/partner-center/cli";
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
  expect(tested.out).toMatch(/Delivery to https:\/\/cosell\.example\.com\/hook: failed, HTTP 503/);
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
