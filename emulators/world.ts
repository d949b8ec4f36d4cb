/**
 * The emulated world the end-to-end tests and the bench share: both emulators plus the service,
 * mounted in one msw server. The service's fetch answers at SERVICE_URL, Dataverse's steps and Partner Center's webhooks POST to it over (intercepted) HTTP.
 */
import { join } from "node:path";
import { http, passthrough } from "msw";
import { setupServer } from "msw/node";
import { createDataverseEmulator, SEEDED } from "./dataverse";
import { createPartnerCenterEmulator } from "./partner-center";
import { DataverseClient } from "../sync/dataverse/client";
import { staticTokenProvider as dvToken } from "../sync/dataverse/token";
import { ReferralsClient } from "../sync/partner-center/referrals-client";
import { staticTokenProvider as pcToken } from "../sync/partner-center/auth-types";
import { composeService } from "../api/compose";
import { silentLogger } from "../api/core/logger";
import type { StateConfig } from "../api/config";
import { tableEndpointOf } from "../api/shared-state/azure-table";
import type { RetryPolicy } from "../sync/shared/retry";
import { filteringAttributes } from "../solution/lib/steps";
import { loadDefinitions } from "../solution/install/definitions";

export const SERVICE_URL = "https://cosell-service.example.com";
export const WEBHOOK_KEY = "test-key-0123456789abcdef";

export interface HarnessOptions {
  /** The service clients' retry policy (default: fast, 5 s per-attempt timeout). */
  retry?: Partial<RetryPolicy>;
  /** How the service clients wait between attempts (default: not at all). */
  sleep?: (ms: number) => Promise<void>;
  /** Dataverse's clock (default: the real one), e.g. to make the two services' clocks disagree. */
  dataverseNow?: () => Date;
  /** The service's shared state (e.g. Azurite's connection string); default in memory. */
  state?: StateConfig;
  /** Service instances behind SERVICE_URL, taking requests in turn as a load balancer would (default 1). */
  instances?: number;
}

/**
 * An aborted request to the real storage (a shared-state call that timed out under load) reaches
 * its client twice through msw's passthrough: Azure's HTTP client destroys the request with the
 * abort and takes that one error (`req.once("error")`), then msw's socket re-emits it on the
 * request, where no one listens any more, and Node ends the process. Node's own socket emits it
 * once. The echo carries nothing new (the call has failed already, and the service has answered it
 * as retryable), so it alone is let go; any other uncaught error still ends the process.
 */
const ABORT_ECHO = "The operation was aborted. Rejecting from abort signal callback while making request.";
let abortEchoTolerated = false;
function tolerateAbortEcho(): void {
  if (abortEchoTolerated) return;
  abortEchoTolerated = true;
  process.on("uncaughtException", (error) => {
    if (error.name === "AbortError" && error.message === ABORT_ECHO) return;
    throw error;
  });
}

export function createHarness(seed = 1, options: HarnessOptions = {}) {
  const retry = { retry: { baseDelayMs: 1, maxDelayMs: 5, timeoutMs: 5_000, ...options.retry }, retryEnv: { sleep: options.sleep ?? (async () => undefined) } };
  const dvEmu = createDataverseEmulator({ seed, now: options.dataverseNow });
  // Partner Center's redeliveries a few ms apart: a test waits for them (settle), not for its minutes.
  const pcEmu = createPartnerCenterEmulator({ seed, redeliveryDelayMs: (attempt) => Math.min(2 ** attempt, 100) });
  // The test acts as the seller with its own clients; the service signs in as its application user.
  const testRetry = { retry: { baseDelayMs: 1, maxDelayMs: 5, timeoutMs: 5_000 }, retryEnv: { sleep: async () => undefined } };
  const dataverse = new DataverseClient({ orgUrl: dvEmu.orgUrl, tokens: dvToken(SEEDED.sellerUserId), ...testRetry });
  const referrals = new ReferralsClient({ tokenProvider: pcToken("pc-token"), ...testRetry });
  // The production composition, configured for the emulators, with the test's retry waits.
  const services = Array.from({ length: options.instances ?? 1 }, (_, i) =>
    composeService(
      {
        dataverse: { url: dvEmu.orgUrl, auth: { token: SEEDED.applicationUserId } },
        partnerCenter: { auth: { token: "pc-token" } },
        inbound: { webhookKey: WEBHOOK_KEY, trustRootsPem: pcEmu.trustRootPem, certificateHosts: [pcEmu.certificateHost] },
        state: options.state,
      },
      { logger: silentLogger(), ...retry, sharedState: { holder: `instance-${i + 1}` } },
    ),
  );
  const service = services[0];
  let turn = 0;
  const stateStorage = options.state?.connectionString ? tableEndpointOf(options.state.connectionString).origin : undefined;
  if (stateStorage) tolerateAbortEcho();
  const server = setupServer(
    // The shared state's storage (Azurite) is real, not emulated: its requests go out as they are.
    ...(stateStorage ? [http.all(`${stateStorage}/*`, () => passthrough())] : []),
    // msw tries handlers in order: the ones with few routes go first, so no request is matched against
    // Partner Center's twenty routes unless it is for Partner Center.
    http.all(`${SERVICE_URL}/*`, ({ request }) => services[turn++ % services.length].fetch(request)),
    ...dvEmu.handlers,
    ...pcEmu.handlers,
  );

  async function install(): Promise<void> {
    // The Update step filters on what the shipped solution's step does.
    const opportunityColumns = filteringAttributes(join(__dirname, ".."));
    // …and carries the post-image the shipped step registers.
    const shipped = loadDefinitions(join(__dirname, "..")).steps.find((st) => st.message === "Update" && st.primaryEntity === "opportunity");
    const image = shipped?.images.find((i) => i.imagetype === 1 || i.imagetype === 2);
    const postImage = image ? { alias: image.entityalias, attributes: image.attributes.split(",") } : undefined;
    for (const message of ["cosell_SyncOpportunity", "cosell_RespondToReferral"] as const) {
      await dvEmu.registerWebhookStep({ url: `${SERVICE_URL}/api/dataverse`, authtype: 5, headers: { "x-cosell-key": WEBHOOK_KEY }, message, mode: 0, stage: 40 });
    }
    for (const message of ["Create", "Update"] as const) {
      await dvEmu.registerWebhookStep({
        url: `${SERVICE_URL}/api/dataverse`, authtype: 4, key: WEBHOOK_KEY, message, mode: 1, stage: 40,
        filteringattributes: message === "Update" ? opportunityColumns : undefined,
        postImage: message === "Update" ? postImage : undefined,
      });
    }
    const res = await fetch("https://api.partnercenter.microsoft.com/webhooks/v1/registration", {
      method: "POST",
      headers: { Authorization: "Bearer pc-token", "Content-Type": "application/json" },
      body: JSON.stringify({ WebhookUrl: `${SERVICE_URL}/api/partner-center/webhook`, WebhookEvents: ["referral-created", "referral-updated"] }),
    });
    if (!res.ok) throw new Error(`webhook registration failed: ${res.status} ${await res.text()}`);
  }

  /** Waits until both emulators have delivered everything in flight. */
  async function settle(): Promise<void> {
    for (let i = 0; i < 5; i++) {
      await Promise.all([pcEmu.settle(), dvEmu.dispatcher.drain()]);
    }
  }

  return { dvEmu, pcEmu, dataverse, referrals, service, services, server, install, settle };
}

/**
 * A harness for one test file (or describe block): listening, with the service's endpoint and steps
 * installed, before the tests; extra handlers and webhook-delivery faults cleared after each; closed after all.
 */
export function installedHarness(seed = 1, options: HarnessOptions = {}) {
  const h = createHarness(seed, options);
  beforeAll(async () => {
    h.server.listen({ onUnhandledRequest: "error" });
    await h.install();
  });
  afterEach(() => {
    h.server.resetHandlers();
    h.dvEmu.dispatcher.faults = {};
    h.pcEmu.dispatcher.faults = {};
  });
  afterAll(() => h.server.close());
  return h;
}
