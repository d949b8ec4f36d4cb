/** How the clients get a bearer token; tests and the sandbox pass a static one. */
export interface TokenProvider {
  getToken(opts?: { forceRefresh?: boolean }): Promise<string>;
}

/** Delegated scope for the Referrals API (api.partner.microsoft.com). */
export const REFERRALS_SCOPE = "https://api.partner.microsoft.com/user_impersonation";
/** The webhook registration API lives on the other host and takes a token for that resource (§1.1, §3.1). */
export const WEBHOOKS_SCOPE = "https://api.partnercenter.microsoft.com/user_impersonation";

export function staticTokenProvider(token: string): TokenProvider {
  return { getToken: async () => token };
}
