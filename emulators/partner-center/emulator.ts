/**
 * The Partner Center emulator: msw handlers with state for the Referrals API, the webhook
 * registration API and the certificate download, plus the Microsoft seller's side. One handler set
 * serves tests (`setupServer(...emulator.handlers)`) and real HTTP (`serveHandlers`).
 */
import type { HttpHandler } from "msw";
import { DELIVERY_ATTEMPTS } from "../../sync/contracts/partner-center-webhooks";
import { WebhookDispatcher, type RedeliveryPolicy, type Sender } from "../kit/dispatcher";
import { FaultController, withFaults } from "../kit/faults";
import { seededRandom } from "../kit/random";
import { createSigningIdentity } from "./certificates";
import { partnerCenterFaultBodies } from "./http-util";
import { referralsHandlers } from "./referrals-api";
import { createSeller, sellerHandlers, type MicrosoftSeller } from "./seller";
import { PartnerCenterState } from "./state";
import { createWebhookSide, type WebhookSide } from "./webhooks-api";

export const DEFAULT_BASE_URL = "https://api.partner.microsoft.com/v1.0/engagements/referrals";
export const DEFAULT_WEBHOOKS_BASE_URL = "https://api.partnercenter.microsoft.com/webhooks/v1/registration";
/** A blob-storage host like the documented one, so allow-listing is exercised the same way. */
export const DEFAULT_CERTIFICATE_BASE_URL = "https://pc-sandbox-certs.blob.core.windows.net";

export interface PartnerCenterEmulatorOptions {
  seed?: number;
  now?: () => Date;
  baseUrl?: string;
  webhooksBaseUrl?: string;
  certificateBaseUrl?: string;
  partnerOrgId?: string;
  partnerOrgName?: string;
  /** How webhook deliveries are sent (default: global fetch). */
  send?: Sender;
  /** The wait before a failed event's attempt `attempt` (2 to 10); default: 1 s, doubling, at most a minute. */
  redeliveryDelayMs?: (attempt: number) => number;
}

/**
 * Partner Center makes 10 attempts to deliver an event, whatever the failure; then the event goes to
 * an offline queue and is not delivered again [WH]. Its waits between them are not published (nor
 * whether it reads Retry-After), so they are an option here, not a contract.
 */
function partnerCenterRedelivery(delayMs = (attempt: number) => Math.min(1000 * 2 ** (attempt - 2), 60_000)): RedeliveryPolicy {
  return { attempts: DELIVERY_ATTEMPTS, retries: () => true, delayMs };
}

export interface PartnerCenterEmulator {
  handlers: HttpHandler[];
  state: PartnerCenterState;
  seller: MicrosoftSeller;
  webhooks: WebhookSide;
  faults: FaultController;
  dispatcher: WebhookDispatcher;
  /** The sandbox CA (PEM): the verifier's trust root in sandbox mode only. */
  trustRootPem: string;
  /** Host of the certificate URL, for the verifier's allow-list. */
  certificateHost: string;
  certificateUrl: string;
  /** Waits for every webhook delivery and test event in flight. */
  settle(): Promise<void>;
  reset(): void;
}

const trim = (url: string) => url.replace(/\/+$/, "");

export function createPartnerCenterEmulator(options: PartnerCenterEmulatorOptions = {}): PartnerCenterEmulator {
  const seed = options.seed ?? 1;
  const now = options.now ?? (() => new Date());
  const baseUrl = trim(options.baseUrl ?? DEFAULT_BASE_URL);
  const webhooksBaseUrl = trim(options.webhooksBaseUrl ?? DEFAULT_WEBHOOKS_BASE_URL);
  const certificateBaseUrl = trim(options.certificateBaseUrl ?? DEFAULT_CERTIFICATE_BASE_URL);
  const random = seededRandom(seed);

  const state = new PartnerCenterState({
    random,
    now,
    referralsBaseUrl: baseUrl,
    partnerOrgId: options.partnerOrgId ?? "4b6f3c1e-0000-4000-8000-00000000c05e",
    partnerOrgName: options.partnerOrgName ?? "Contoso Partner",
  });
  const faults = new FaultController(seed, partnerCenterFaultBodies);
  const dispatcher = new WebhookDispatcher(options.send, seed, now, partnerCenterRedelivery(options.redeliveryDelayMs));
  const identity = createSigningIdentity({ now: now() });
  const { side: webhooks, handlers: webhookHandlers, certificateHandler } = createWebhookSide({ webhooksBaseUrl, certificateBaseUrl, state, random, dispatcher, identity });
  const seller = createSeller(state);

  const handlers: HttpHandler[] = [
    withFaults([baseUrl, webhooksBaseUrl], faults, [
      // Seller routes first: `${baseUrl}/:id` must not see `_sandbox`.
      ...sellerHandlers(baseUrl, seller, random),
      ...referralsHandlers(baseUrl, state, random),
      ...webhookHandlers,
    ]),
    certificateHandler,
  ];

  return {
    handlers,
    state,
    seller,
    webhooks,
    faults,
    dispatcher,
    trustRootPem: identity.caPem,
    certificateHost: new URL(certificateBaseUrl).host,
    certificateUrl: webhooks.certificateUrl,
    async settle() {
      await webhooks.settle();
      await dispatcher.drain();
    },
    reset() {
      state.clear();
      webhooks.reset();
      faults.clear();
      faults.reseed(seed);
      dispatcher.reseed(seed);
      dispatcher.log.length = 0;
    },
  };
}
