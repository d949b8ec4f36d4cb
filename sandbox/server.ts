/**
 * The sandbox: both emulators, the companion service wired to them exactly as in production
 * (webhook steps registered through the Dataverse Web API, Partner Center webhooks registered and
 * signed), and the sandbox page — all on one localhost port. Dataverse and Partner Center state is
 * kept in a local folder so a restart keeps the data.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { randomBytes } from "node:crypto";
import { build, type Plugin } from "esbuild";
import { http, HttpResponse, type RequestHandler } from "msw";
import { serveHandlers } from "../emulators/kit/serve";
import { createPartnerCenterEmulator, type PartnerCenterEmulator } from "../emulators/partner-center";
import { createDataverseEmulator, SEEDED, type DataverseEmulator, type StoreState } from "../emulators/dataverse";
import { sandboxSeed } from "./seed-data";
import { staticTokenProvider } from "../sync/partner-center/auth-types";
import { WebhooksClient } from "../sync/partner-center/webhooks-client";
import type { Referral } from "../sync/schema/referral";
import type { CoSellService } from "../api/service";
import { composeService } from "../api/compose";
import { startReconcileTimer } from "../api/triggers/reconcile-timer";
import { createLogger, type Logger } from "../api/core/logger";
import { registerSandboxSteps } from "./wiring";
import type { SandboxConfig } from "./page/web-api";

const ROOT = resolve(__dirname, "..");
/** The bearer token of the sandbox's Partner Center service account. */
export const SANDBOX_SERVICE_TOKEN = "sandbox-service-account";

export interface SandboxOptions {
  port?: number;
  /** Where state is kept between runs; null keeps nothing (tests). */
  dataDir?: string | null;
  reset?: boolean;
  reconcileIntervalMs?: number;
  logger?: Logger;
}

export interface Sandbox {
  url: string;
  pc: PartnerCenterEmulator;
  dv: DataverseEmulator;
  service: CoSellService;
  stop(): Promise<void>;
}

interface SavedState {
  dataverse: StoreState;
  referrals: Referral[];
}

/**
 * Page code uses the platform's React, ReactDOM and Fluent (the globals platform.js sets), as the
 * panel does: one copy of each on the page, so the page's own views and the panel share Fluent's
 * theme and stylesheet. Any other Fluent import (a deep path, a sub-package) would bundle a second
 * copy, so it fails the build instead.
 */
export const PLATFORM_GLOBALS: Record<string, string> = {
  react: "Reactv16",
  "react-dom": "ReactDOMv16",
  // The alias the panel's bundle is built against (its manifest's Fluent 8.29.0 platform library).
  "@fluentui/react": "FluentUIReactv8290",
};
const platformGlobals: Plugin = {
  name: "platform-globals",
  setup(b) {
    b.onResolve({ filter: /^(react|react-dom|@fluentui\/react)$/ }, (args) => ({ path: args.path, namespace: "platform-global" }));
    b.onResolve({ filter: /^@fluentui\// }, (args) => ({
      errors: [{ text: `${args.path}: import from "@fluentui/react" only, the platform's one copy of Fluent (platform.js).` }],
    }));
    b.onLoad({ filter: /.*/, namespace: "platform-global" }, (args) => ({ contents: `module.exports = window.${PLATFORM_GLOBALS[args.path]};`, loader: "js" }));
  },
};

async function bundlePage(): Promise<{ app: string; platform: string }> {
  const common = { bundle: true, write: false, format: "iife" as const, target: "es2020", minify: true, define: { "process.env.NODE_ENV": '"production"' }, logLevel: "silent" as const };
  const [app, platform] = await Promise.all([
    build({ ...common, entryPoints: [join(ROOT, "sandbox/page/main.tsx")], plugins: [platformGlobals], jsx: "transform" }),
    build({ ...common, entryPoints: [join(ROOT, "sandbox/page/platform.ts")] }),
  ]);
  return { app: app.outputFiles![0].text, platform: platform.outputFiles![0].text };
}

const CONTENT_TYPES: Record<string, string> = { ".js": "text/javascript", ".xml": "application/xml", ".resx": "application/xml", ".html": "text/html", ".svg": "image/svg+xml", ".css": "text/css" };

function staticFile(dir: string, relative: string): Response {
  const path = resolve(dir, relative);
  if (!path.startsWith(dir) || !existsSync(path)) return HttpResponse.json({ error: { code: "notFound", message: `${relative} is not built: run npm run build` } }, { status: 404 });
  const ext = path.slice(path.lastIndexOf("."));
  return new HttpResponse(readFileSync(path), { headers: { "content-type": CONTENT_TYPES[ext] ?? "application/octet-stream", "cache-control": "no-store" } });
}

export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const logger = options.logger ?? createLogger({ level: "warn" });
  let handlers: RequestHandler[] = [];
  const server = await serveHandlers(() => handlers, { port: options.port ?? 0 });
  const origin = server.url;
  // A fresh seed per start: ids from the seeded PRNG must not repeat those kept from the last run.
  const seed = randomBytes(4).readUInt32LE(0);

  const pc = createPartnerCenterEmulator({
    seed,
    baseUrl: `${origin}/pc/v1.0/engagements/referrals`,
    webhooksBaseUrl: `${origin}/pc-webhooks/webhooks/v1/registration`,
    certificateBaseUrl: `${origin}/pc-certs`,
  });
  const dv = createDataverseEmulator({ seed, orgUrl: `${origin}/dataverse` });

  const stateFile = options.dataDir ? join(options.dataDir, "state.json") : null;
  const saved: SavedState | null = stateFile && !options.reset && existsSync(stateFile) ? JSON.parse(readFileSync(stateFile, "utf8")) : null;
  if (saved) {
    dv.load(saved.dataverse);
    for (const r of saved.referrals) pc.state.referrals.set(r.id, r);
  } else {
    dv.seed(sandboxSeed(new Date()));
  }

  const webhookKey = randomBytes(24).toString("base64url");
  // The production composition, configured for the emulated org and the sandbox's service account.
  const service = composeService(
    {
      dataverse: { url: `${origin}/dataverse`, auth: { token: SEEDED.applicationUserId } },
      partnerCenter: { auth: { token: SANDBOX_SERVICE_TOKEN }, referralsUrl: `${origin}/pc/v1.0/engagements/referrals` },
      inbound: { webhookKey, trustRootsPem: pc.trustRootPem, certificateHosts: [new URL(origin).host, new URL(origin).hostname], allowLoopbackHttp: true },
    },
    { logger, stuckAfterMs: options.reconcileIntervalMs ?? 30_000 },
  );

  const page = await bundlePage();
  const config: SandboxConfig = {
    dataverseApi: `${origin}/dataverse/api/data/v9.2`,
    referralsApi: `${origin}/pc/v1.0/engagements/referrals`,
    sellerApi: `${origin}/pc/v1.0/engagements/referrals/_sandbox/seller`,
    serviceHealth: `${origin}/service/health`,
    // The sandbox's admin view reads the stuck list with the service's key, as an admin would.
    serviceKey: webhookKey,
    userId: SEEDED.sellerUserId,
  };
  const controlsDir = join(ROOT, "out/controls/CoSellPanel");
  const webresourcesDir = join(ROOT, "out/webresources");
  const pageHandlers: RequestHandler[] = [
    http.get(`${origin}/`, () => staticFile(join(ROOT, "sandbox/page"), "index.html")),
    http.get(`${origin}/styles.css`, () => staticFile(join(ROOT, "sandbox/page"), "styles.css")),
    http.get(`${origin}/uplot.css`, () => staticFile(join(ROOT, "node_modules/uplot/dist"), "uPlot.min.css")),
    http.get(`${origin}/app.js`, () => new HttpResponse(page.app, { headers: { "content-type": "text/javascript" } })),
    http.get(`${origin}/platform.js`, () => new HttpResponse(page.platform, { headers: { "content-type": "text/javascript" } })),
    http.get(`${origin}/config.json`, () => HttpResponse.json(config)),
    http.get(`${origin}/controls/CoSellPanel/*`, ({ request }) => staticFile(controlsDir, decodeURIComponent(new URL(request.url).pathname.slice("/controls/CoSellPanel/".length)))),
    http.get(`${origin}/webresources/*`, ({ request }) => staticFile(webresourcesDir, decodeURIComponent(new URL(request.url).pathname.slice("/webresources/".length)))),
    // Sandbox control: make the service account's Partner Center sign-in expire (or come back).
    http.post(`${origin}/sandbox/partner-center-sign-in`, async ({ request }) => {
      const { expired } = (await request.json()) as { expired?: unknown };
      if (typeof expired !== "boolean") return HttpResponse.json({ error: { code: "badRequest", message: "Send { expired: true | false }." } }, { status: 400 });
      if (expired) pc.state.rejectedTokens.add(SANDBOX_SERVICE_TOKEN);
      else pc.state.rejectedTokens.delete(SANDBOX_SERVICE_TOKEN);
      return HttpResponse.json({ expired });
    }),
    // The companion service, as Dataverse and Partner Center reach it.
    http.all(`${origin}/service/*`, async ({ request }) => {
      const url = new URL(request.url);
      url.pathname = url.pathname.slice("/service".length);
      return service.fetch(new Request(url, request));
    }),
  ];
  handlers = [...pageHandlers, ...pc.handlers, ...dv.handlers];

  // Wire both systems to the service the way an admin does in a real org.
  await registerSandboxSteps(dv, `${origin}/service/api/dataverse`, webhookKey);
  await new WebhooksClient({ tokenProvider: staticTokenProvider("sandbox-admin"), baseUrl: `${origin}/pc-webhooks/webhooks/v1/registration` })
    .register(`${origin}/service/api/partner-center/webhook`, { force: true });

  let lastSaved = "";
  const persist = () => {
    if (!stateFile) return;
    const text = JSON.stringify({ dataverse: dv.snapshot(), referrals: [...pc.state.referrals.values()] } satisfies SavedState);
    if (text === lastSaved) return;
    mkdirSync(options.dataDir!, { recursive: true });
    writeFileSync(stateFile, text);
    lastSaved = text;
  };
  persist();
  const saver = setInterval(persist, 1000);
  const reconciler = startReconcileTimer(() => service.reconcile(), options.reconcileIntervalMs ?? 30_000, logger);

  return {
    url: origin,
    pc,
    dv,
    service,
    async stop() {
      clearInterval(saver);
      await reconciler.stop();
      await Promise.all([pc.settle(), dv.dispatcher.drain()]).catch(() => undefined);
      persist();
      await server.close();
    },
  };
}
