/**
 * The service as an admin deploys it: `npm run build:service` bundles the `cosell` command and the
 * Functions app; neither contains the emulators, the sandbox, the tests, msw or node-forge; their
 * only outside imports are runtime dependencies; and after `npm ci --omit=dev` the bundled command
 * refuses an empty environment with every missing variable, and with a configuration it serves,
 * syncs an opportunity and stops cleanly on SIGTERM.
 */
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { builtinModules } from "node:module";
import { connect } from "node:net";
import { copyFileSync, cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { RequestHandler } from "msw";
import { serveHandlers, type RunningServer } from "../../emulators/kit/serve";
import { createDataverseEmulator, SEEDED } from "../../emulators/dataverse";
import { createPartnerCenterEmulator } from "../../emulators/partner-center";
import { DataverseClient } from "../../sync/dataverse/client";
import { staticTokenProvider } from "../../sync/dataverse/token";
import { context, createOpportunity } from "./helpers";

const ROOT = join(__dirname, "../..");
const FORBIDDEN = /^(sandbox|emulators|test)\/|node_modules\/(msw|node-forge)\//;
const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { dependencies: Record<string, string> };

let work: string;
let app: string;
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), "cosell-deploy-"));
  execFileSync(process.execPath, [join(ROOT, "api/hosts/build.mjs"), join(work, "dist")], { cwd: ROOT, stdio: "pipe" });
  // A server with nothing but the package files and the build: production dependencies only.
  app = join(work, "app");
  cpSync(join(work, "dist"), join(app, "dist"), { recursive: true });
  for (const f of ["package.json", "package-lock.json"]) copyFileSync(join(ROOT, f), join(app, f));
  execFileSync("npm", ["ci", "--omit=dev", "--ignore-scripts", "--no-audit", "--no-fund", "--prefer-offline"], { cwd: app, stdio: "pipe" });
}, 180_000);
afterAll(() => rmSync(work, { recursive: true, force: true }));

test.each(["cosell", "functions"])("the %s bundle holds no test room and imports only runtime dependencies", (name) => {
  const meta = JSON.parse(readFileSync(join(work, "dist/service-bundles.meta.json"), "utf8"))[name] as {
    inputs: Record<string, unknown>;
    outputs: Record<string, { imports: Array<{ path: string; external?: boolean }> }>;
  };
  const inputs = Object.keys(meta.inputs);
  expect(inputs.length).toBeGreaterThan(50);
  expect(inputs.filter((p) => FORBIDDEN.test(p))).toEqual([]);
  const externals = new Set(Object.values(meta.outputs).flatMap((o) => o.imports.filter((i) => i.external).map((i) => i.path)));
  const packageOf = (path: string) => (path.startsWith("@") ? path.split("/").slice(0, 2) : path.split("/").slice(0, 1)).join("/");
  const runtime = (path: string) => path.startsWith("node:") || builtinModules.includes(path) || packageOf(path) in pkg.dependencies;
  expect([...externals].filter((p) => !runtime(p))).toEqual([]);
});

test("npm ci --omit=dev installs no test library", () => {
  for (const dev of ["msw", "node-forge", "jest", "esbuild", "tsx", "fast-check"]) expect(existsSync(join(app, "node_modules", dev))).toBe(false);
  expect(existsSync(join(app, "node_modules", "@azure/msal-node"))).toBe(true);
});

function run(args: string[], env: Record<string, string>) {
  const child = spawn(process.execPath, [join(app, "dist/cosell.js"), ...args], { cwd: app, env: { PATH: process.env.PATH ?? "", HOME: work, ...env } });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d) => (stdout += d));
  child.stderr.on("data", (d) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return { child, exited, out: () => stdout, err: () => stderr };
}

test("with an empty environment the server exits 2 naming every missing variable", async () => {
  const r = run(["serve"], {});
  expect(await r.exited).toBe(2);
  for (const name of ["DATAVERSE_URL", "DATAVERSE_CLIENT_SECRET", "PARTNER_CENTER_CLIENT_ID", "PARTNER_CENTER_TOKEN_CACHE_KEY", "COSELL_WEBHOOK_KEY", "PARTNER_CENTER_TRUST_ROOTS"]) {
    expect(r.err()).toContain(name);
  }
  expect(r.err()).not.toMatch(/\n\s+at /); // a message, not a stack trace
});

test("the bundled command prints its help without any configuration", async () => {
  const r = run(["install", "--help"], {});
  expect(await r.exited).toBe(0);
  expect(r.out()).toMatch(/^usage: cosell install/);
  expect(r.out()).toMatch(/DATAVERSE_URL +required/);
});

test("the Functions app loads from the production-only install and registers its four functions", () => {
  const loaded = spawnSync(process.execPath, ["-e", 'require("./dist/functions/index.js")'], { cwd: app, env: { PATH: process.env.PATH ?? "", HOME: work }, encoding: "utf8" });
  expect(loaded.status).toBe(0);
  // Outside the Functions host the programming model says which registrations it skipped.
  for (const fn of ["dataverse", "partnerCenterWebhook", "health", "reconcile"]) expect(loaded.stderr).toContain(`register function "${fn}"`);
  expect(loaded.stderr).toContain("COSELL_WEBHOOK_KEY is not set");
});

/** Sends `text` on a raw socket and returns what comes back (fetch cannot send a bad Host or a false length). */
function raw(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let answer = "";
    const socket = connect(port, "127.0.0.1", () => socket.write(text));
    socket.on("data", (d) => (answer += d.toString()));
    socket.on("close", () => resolve(answer));
    socket.on("error", (e) => (answer ? resolve(answer) : reject(e)));
  });
}

describe("configured, the bundled server syncs", () => {
  let world: RunningServer;
  let handlers: RequestHandler[] = [];
  const KEY = "deploy-test-key-0123456789";
  beforeAll(async () => {
    world = await serveHandlers(() => handlers, { port: 0 });
  });
  afterAll(() => world.close());

  test("it refuses what a stranger can send, a Sync now through it shares the deal, and SIGTERM stops it", async () => {
    const pc = createPartnerCenterEmulator({ seed: 7, baseUrl: `${world.url}/pc/v1.0/engagements/referrals`, certificateBaseUrl: `${world.url}/pc-certs` });
    const dv = createDataverseEmulator({ seed: 7, orgUrl: `${world.url}/dataverse` });
    handlers = [...pc.handlers, ...dv.handlers];
    const roots = join(work, "roots.pem");
    writeFileSync(roots, pc.trustRootPem);
    const port = 20_000 + Math.floor(Math.random() * 20_000);
    const server = run(["serve"], {
      DATAVERSE_URL: `${world.url}/dataverse`, DATAVERSE_TOKEN: SEEDED.applicationUserId,
      PARTNER_CENTER_STATIC_TOKEN: "deploy-token", PARTNER_CENTER_REFERRALS_URL: `${world.url}/pc/v1.0/engagements/referrals`,
      COSELL_WEBHOOK_KEY: KEY, PARTNER_CENTER_TRUST_ROOTS: roots, PORT: String(port), LOG_LEVEL: "warn",
    });
    try {
      const base = `http://127.0.0.1:${port}`;
      let health: Response | undefined;
      for (let i = 0; i < 100 && !health; i++) {
        health = await fetch(`${base}/api/health`).catch(() => undefined);
        if (!health) await new Promise((r) => setTimeout(r, 100));
      }
      expect(health?.status).toBe(200);
      expect(await health!.json()).toMatchObject({ status: "ok", partnerCenter: { credential: "ok" } });

      // What a stranger can send: an unreadable Host, and bodies past the limit, declared or streamed.
      expect(await raw(port, "GET /api/health HTTP/1.1\r\nHost: a:99999\r\nConnection: close\r\n\r\n")).toMatch(/^HTTP\/1\.1 400[^]*cannot be read/);
      expect(await raw(port, "POST /api/partner-center/webhook HTTP/1.1\r\nHost: x\r\nContent-Length: 209715200\r\n\r\n")).toMatch(/^HTTP\/1\.1 413[^]*limit is 1048576 bytes/);
      const size = 3 * 1024 * 1024;
      const chunked = `POST /api/dataverse HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n${size.toString(16)}\r\n${"a".repeat(size)}\r\n0\r\n\r\n`;
      expect(await raw(port, chunked)).toMatch(/^HTTP\/1\.1 413/);
      expect((await fetch(`${base}/api/health`)).status).toBe(200); // and it keeps serving

      const seller = new DataverseClient({ orgUrl: `${world.url}/dataverse`, tokens: staticTokenProvider(SEEDED.sellerUserId) });
      // No steps are registered here: the Custom API call below is what Dataverse would post.
      const id = await createOpportunity(seller, { name: "Deployed bundle deal" });
      const res = await fetch(`${base}/api/dataverse`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-cosell-key": KEY },
        body: JSON.stringify(context("cosell_SyncOpportunity", id)),
      });
      expect(res.status).toBe(204);
      const shared = [...pc.state.referrals.values()].filter((r) => r.externalReferenceId === id);
      expect(shared).toHaveLength(1);
      expect(shared[0].name).toBe("Deployed bundle deal");
    } finally {
      server.child.kill("SIGTERM");
    }
    expect(await server.exited).toBe(0);
    expect(server.err()).toBe("");
  }, 60_000);
});
