/** Partner Center settings from the environment, with errors that name the variable to set. */
import os from "node:os";
import path from "node:path";
import { PartnerCenterAuth } from "./auth";
import { REFERRALS_SCOPE, WEBHOOKS_SCOPE, staticTokenProvider, type TokenProvider } from "./auth-types";
import { CallBudget, type CallBudgetWarning } from "./call-budget";
import { parseCacheKey, TOKEN_CACHE_KEY_ENV } from "./token-cache";

export const ENV = {
  clientId: "PARTNER_CENTER_CLIENT_ID",
  tenantId: "PARTNER_CENTER_TENANT_ID",
  cachePath: "PARTNER_CENTER_TOKEN_CACHE",
  cacheKey: TOKEN_CACHE_KEY_ENV,
  referralsBaseUrl: "PARTNER_CENTER_REFERRALS_URL",
  webhooksBaseUrl: "PARTNER_CENTER_WEBHOOKS_URL",
  /** Sandbox only: a fixed bearer token instead of a signed-in account. */
  staticToken: "PARTNER_CENTER_STATIC_TOKEN",
  /** Calls per UTC day (D.10); default 10,000. */
  dailyCallBudget: "PARTNER_CENTER_DAILY_CALL_BUDGET",
  /** Percent of the budget at which to warn; default 80. */
  callBudgetWarnPercent: "PARTNER_CENTER_CALL_BUDGET_WARN_PERCENT",
} as const;

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ConfigError";
  }
}

function required(env: NodeJS.ProcessEnv, name: string): string {
  const v = env[name]?.trim();
  if (!v) throw new ConfigError(`${name} is not set`);
  return v;
}

export function authFromEnv(env: NodeJS.ProcessEnv = process.env): PartnerCenterAuth {
  return new PartnerCenterAuth({
    clientId: required(env, ENV.clientId),
    tenantId: required(env, ENV.tenantId),
    cachePath: env[ENV.cachePath]?.trim() || path.join(os.homedir(), ".cosell", "partner-center-token-cache.json"),
    cacheKey: parseCacheKey(env[ENV.cacheKey]),
  });
}

/** Token providers for the two Partner Center hosts (they take tokens for different resources). */
export function tokenProvidersFromEnv(env: NodeJS.ProcessEnv = process.env): { referrals: TokenProvider; webhooks: TokenProvider } {
  const fixed = env[ENV.staticToken]?.trim();
  if (fixed) return { referrals: staticTokenProvider(fixed), webhooks: staticTokenProvider(fixed) };
  const auth = authFromEnv(env);
  return { referrals: auth.tokenProvider(REFERRALS_SCOPE), webhooks: auth.tokenProvider(WEBHOOKS_SCOPE) };
}

/** A whole number from the environment, or undefined when unset; anything else names the variable. */
function wholeNumber(env: NodeJS.ProcessEnv, name: string, min: number, max?: number): number | undefined {
  const v = env[name]?.trim();
  if (!v) return undefined;
  const n = /^\d+$/.test(v) ? Number(v) : Number.NaN;
  if (!(n >= min && n <= (max ?? Number.MAX_SAFE_INTEGER))) {
    throw new ConfigError(`${name} must be a whole number ${max === undefined ? `≥ ${min}` : `from ${min} to ${max}`}; got "${v}"`);
  }
  return n;
}

/** The daily call budget (D.10) from the environment; share the one instance between both clients. */
export function callBudgetFromEnv(onWarning: (warning: CallBudgetWarning) => void, env: NodeJS.ProcessEnv = process.env): CallBudget {
  const percent = wholeNumber(env, ENV.callBudgetWarnPercent, 1, 100);
  return new CallBudget({
    dailyBudget: wholeNumber(env, ENV.dailyCallBudget, 1),
    warnAt: percent === undefined ? undefined : percent / 100,
    onWarning,
  });
}
