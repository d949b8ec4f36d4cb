/**
 * Configuration from environment variables (documented in api/README.md) and the wiring of the
 * real clients into the service. Every missing variable is reported at once.
 */
import { readFileSync } from "node:fs";
import { DataverseClient } from "../sync/dataverse/client";
import { msalTokenProvider } from "../sync/dataverse/token";
import { PartnerCenterAuth } from "../sync/partner-center/auth";
import { ReferralsClient } from "../sync/partner-center/referrals-client";
import { parseCacheKey } from "../sync/partner-center/token-cache";
import { callBudgetFromEnv } from "../sync/partner-center/config";
import { DEFAULT_CERTIFICATE_HOSTS } from "../sync/partner-center/webhook-verify";
import { dataversePort } from "./ports/dataverse";
import type { Logger } from "./core/logger";
import { partnerCenterPort } from "./ports/partner-center";
import { createCoSellService, type CoSellService } from "./service";

export interface ServiceConfig {
  host: string;
  port: number;
  webhookKey: string;
  reconcileIntervalMs: number;
  dataverse: { url: string; tenantId: string; clientId: string; clientSecret: string };
  partnerCenter: { clientId: string; tenantId: string; cachePath: string; cacheKey: string; referralsUrl?: string };
  trustRootsPath: string;
  certificateHosts: string[];
}

export class ConfigError extends Error {
  constructor(readonly missing: string[], readonly invalid: string[]) {
    super(
      [
        missing.length ? `missing environment variables: ${missing.join(", ")}` : "",
        ...invalid,
      ].filter(Boolean).join("; ") + " (see api/README.md)",
    );
    this.name = "ConfigError";
  }
}

export function readConfig(env: Record<string, string | undefined>): ServiceConfig {
  const missing: string[] = [];
  const invalid: string[] = [];
  const need = (name: string) => {
    const v = env[name]?.trim();
    if (!v) missing.push(name);
    return v ?? "";
  };
  const int = (name: string, fallback: number) => {
    const raw = env[name];
    if (raw === undefined || raw === "") return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n <= 0) invalid.push(`${name} must be a positive integer, got "${raw}"`);
    return n;
  };
  const webhookKey = need("COSELL_WEBHOOK_KEY");
  if (webhookKey && webhookKey.length < 16) invalid.push("COSELL_WEBHOOK_KEY must be at least 16 characters");
  const config: ServiceConfig = {
    host: env.HOST || "127.0.0.1",
    port: int("PORT", 7071),
    webhookKey,
    reconcileIntervalMs: int("COSELL_RECONCILE_INTERVAL_MS", 900_000),
    dataverse: {
      url: need("DATAVERSE_URL"),
      tenantId: need("DATAVERSE_TENANT_ID"),
      clientId: need("DATAVERSE_CLIENT_ID"),
      clientSecret: need("DATAVERSE_CLIENT_SECRET"),
    },
    partnerCenter: {
      clientId: need("PARTNER_CENTER_CLIENT_ID"),
      tenantId: need("PARTNER_CENTER_TENANT_ID"),
      cachePath: need("PARTNER_CENTER_TOKEN_CACHE"),
      cacheKey: need("PARTNER_CENTER_TOKEN_CACHE_KEY"),
      referralsUrl: env.PARTNER_CENTER_REFERRALS_URL || undefined,
    },
    trustRootsPath: need("PARTNER_CENTER_TRUST_ROOTS"),
    certificateHosts: env.PARTNER_CENTER_CERT_HOSTS ? env.PARTNER_CENTER_CERT_HOSTS.split(",").map((h) => h.trim()).filter(Boolean) : DEFAULT_CERTIFICATE_HOSTS,
  };
  if (missing.length || invalid.length) throw new ConfigError(missing, invalid);
  return config;
}

/** The service's Dataverse connection: its application user, client credentials. */
export function createDataverseClient(config: ServiceConfig): DataverseClient {
  return new DataverseClient({
    orgUrl: config.dataverse.url,
    tokens: msalTokenProvider({ tenantId: config.dataverse.tenantId, clientId: config.dataverse.clientId, clientSecret: config.dataverse.clientSecret, orgUrl: config.dataverse.url }),
  });
}

export async function createServiceFromConfig(config: ServiceConfig, logger: Logger): Promise<CoSellService> {
  const auth = new PartnerCenterAuth({
    clientId: config.partnerCenter.clientId,
    tenantId: config.partnerCenter.tenantId,
    cachePath: config.partnerCenter.cachePath,
    cacheKey: parseCacheKey(config.partnerCenter.cacheKey),
  });
  const pcTokens = auth.tokenProvider();
  // D.10: count Partner Center calls per UTC day and warn before the daily budget.
  const budget = callBudgetFromEnv((warning) => logger.warn({ callBudget: warning }, warning.message));
  const referrals = new ReferralsClient({ tokenProvider: pcTokens, baseUrl: config.partnerCenter.referralsUrl, budget });
  const dataverse = createDataverseClient(config);
  return createCoSellService({
    partnerCenter: partnerCenterPort(referrals),
    dataverse: dataversePort(dataverse),
    logger,
    webhookKey: config.webhookKey,
    verifyOptions: { trustRootsPem: readFileSync(config.trustRootsPath, "utf8"), allowedCertificateHosts: config.certificateHosts },
    // A silent check: a cached token that is still valid costs no call to the sign-in service.
    partnerCenterCredential: async () => {
      const health = await auth.credentialHealth();
      if (health.state !== "ok") throw new Error(health.detail ?? `Partner Center sign-in: ${health.state}`);
    },
  });
}
