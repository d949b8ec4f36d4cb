/** Partner Center settings from the environment, with errors that name the variable to set. */
import os from "node:os";
import path from "node:path";
import { PartnerCenterAuth } from "./auth";
import { REFERRALS_SCOPE, WEBHOOKS_SCOPE, staticTokenProvider, type TokenProvider } from "./auth-types";
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
