/**
 * The one place the service is put together from its configuration: both hosts, the `cosell`
 * command, the sandbox and the emulated world of the tests call composeService, so what runs
 * in production is what the tests run — only the configuration (and the clock or retry waits
 * a test injects) differs.
 */
import { DataverseClient } from "../sync/dataverse/client";
import { msalTokenProvider, staticTokenProvider as dataverseToken, type TokenProvider as DataverseTokens } from "../sync/dataverse/token";
import { NOT_SIGNED_IN_MESSAGE, PartnerCenterAuth } from "../sync/partner-center/auth";
import { SIGN_IN_EXPIRED_MESSAGE } from "../sync/partner-center/errors";
import { REFERRALS_SCOPE, WEBHOOKS_SCOPE, staticTokenProvider, type TokenProvider } from "../sync/partner-center/auth-types";
import { CallBudget, type CallCountStore } from "../sync/partner-center/call-budget";
import { ReferralsClient } from "../sync/partner-center/referrals-client";
import { WebhooksClient } from "../sync/partner-center/webhooks-client";
import type { RetryEnv, RetryPolicy } from "../sync/shared/retry";
import type { Mapping } from "../sync/engine";
import type { Config, DataverseConfig, PartnerCenterConfig } from "./config";
import { createLogger, type Logger } from "./core/logger";
import { openSharedState, type SharedStateOptions } from "./shared-state/shared-state";
import { dataversePort } from "./ports/dataverse";
import { partnerCenterPort } from "./ports/partner-center";
import { createCoSellService, type CoSellService } from "./service";

/** What is not configuration: injected by tests and the sandbox, defaulted in production. */
export interface ComposeOptions {
  logger?: Logger;
  now?: () => Date;
  /** Retry policy and waits of both clients (tests make them instant). */
  retry?: Partial<RetryPolicy>;
  retryEnv?: RetryEnv;
  /** A fixed mapping instead of the org's `mapping.document` setting. */
  mapping?: Mapping;
  /** How long a deal may stay Pending before /health counts it stuck: the reconcile interval. */
  stuckAfterMs?: number;
  /** This instance's name in the shared state, and how long a duplicate webhook waits (tests). */
  sharedState?: Pick<SharedStateOptions, "holder" | "busyWaitMs">;
}

/** Client credentials once, for every Dataverse caller (the service, `cosell install`, `cosell mapping set`). */
export function dataverseTokens(config: DataverseConfig): DataverseTokens {
  if ("token" in config.auth) return dataverseToken(config.auth.token);
  return msalTokenProvider({ ...config.auth, orgUrl: config.url });
}

export function connectDataverse(config: DataverseConfig, options: ComposeOptions = {}): DataverseClient {
  return new DataverseClient({ orgUrl: config.url, tokens: dataverseTokens(config), retry: options.retry, retryEnv: options.retryEnv });
}

const PUBLIC_CREDENTIAL_TEXT = {
  expired: SIGN_IN_EXPIRED_MESSAGE,
  notSignedIn: NOT_SIGNED_IN_MESSAGE,
  unavailable: "The Microsoft sign-in service did not answer; the check is tried again on the next request.",
} as const;

export interface PartnerCenterConnection {
  /** The signed-in account; absent with a fixed token. */
  auth?: PartnerCenterAuth;
  referrals: ReferralsClient;
  webhooks: () => WebhooksClient;
  /** A silent check /health makes: throws with the reason when Partner Center would refuse us. */
  credentialCheck: () => Promise<void>;
  /** Every call both clients send, counted against the daily budget (D.10). */
  budget: CallBudget;
}

/** `callCounts`: the count shared with other instances (composeService's shared state); without it, this process counts alone. */
export function connectPartnerCenter(config: PartnerCenterConfig, options: ComposeOptions = {}, callCounts?: CallCountStore): PartnerCenterConnection {
  const logger = options.logger ?? createLogger();
  const auth = "token" in config.auth ? undefined : new PartnerCenterAuth(config.auth);
  const fixed = "token" in config.auth ? staticTokenProvider(config.auth.token) : undefined;
  const tokens = (scope: string): TokenProvider => fixed ?? auth!.tokenProvider(scope);
  // D.10: one budget shared by both clients counts every call per UTC day and warns before the quota.
  const budget = new CallBudget({
    dailyBudget: config.dailyCallBudget,
    warnAt: config.warnAt,
    now: options.now,
    onWarning: (w) => logger.warn({ callBudget: w }, w.message),
    store: callCounts,
    onStoreError: (e) => logger.warn({ err: e }, "Partner Center calls not yet added to the shared daily count; they stay counted here and are added later"),
  });
  const clientOptions = { retry: options.retry, retryEnv: options.retryEnv, budget };
  const referrals = new ReferralsClient({ tokenProvider: tokens(REFERRALS_SCOPE), baseUrl: config.referralsUrl, ...clientOptions });
  return {
    auth,
    budget,
    referrals,
    webhooks: () => new WebhooksClient({ tokenProvider: tokens(WEBHOOKS_SCOPE), baseUrl: config.webhooksUrl, ...clientOptions }),
    credentialCheck: auth
      ? async () => {
          // Silent: a cached token that is still valid costs no call to the sign-in service.
          const health = await auth.credentialHealth();
          if (health.state === "ok") return;
          // /health is unauthenticated: the detail (token cache path, the sign-in service's text) goes to the log only.
          logger.warn({ state: health.state, detail: health.detail }, "Partner Center sign-in check failed");
          throw new Error(PUBLIC_CREDENTIAL_TEXT[health.state]);
        }
      : async () => {
          // A fixed token can only be checked by using it.
          await referrals.list({ top: 1 });
        },
  };
}

/**
 * The service from its configuration. Without `inbound` (the `cosell` jobs) it still reconciles
 * and backfills, and refuses calls it could not authenticate.
 */
export function composeService(config: Pick<Config, "dataverse" | "partnerCenter"> & Partial<Pick<Config, "inbound" | "state">>, options: ComposeOptions = {}): CoSellService {
  const logger = options.logger ?? createLogger();
  // Without the state part (or its connection string): in memory, and the log says it is this instance's own.
  const sharedState = openSharedState(config.state, logger, { now: options.now, ...options.sharedState });
  const partnerCenter = connectPartnerCenter(config.partnerCenter, { ...options, logger }, sharedState.callCounts);
  return createCoSellService({
    partnerCenter: partnerCenterPort(partnerCenter.referrals),
    dataverse: dataversePort(connectDataverse(config.dataverse, options)),
    logger,
    now: options.now,
    mapping: options.mapping,
    stuckAfterMs: options.stuckAfterMs,
    webhookKey: config.inbound?.webhookKey ?? "",
    verifyOptions: {
      trustRootsPem: config.inbound?.trustRootsPem ?? [],
      allowedCertificateHosts: config.inbound?.certificateHosts,
      allowLoopbackHttp: config.inbound?.allowLoopbackHttp,
    },
    partnerCenterCredential: partnerCenter.credentialCheck,
    sharedState,
    callBudget: partnerCenter.budget,
  });
}
