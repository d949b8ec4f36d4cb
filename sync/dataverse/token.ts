/**
 * Access tokens for the Dataverse Web API. Production: MSAL client credentials for the
 * application user (scope `<org>/.default`); tests and the sandbox pass a static provider.
 */
import { ConfidentialClientApplication } from "@azure/msal-node";

export interface TokenProvider {
  getToken(): Promise<string>;
}

export function staticTokenProvider(token: string): TokenProvider {
  return { getToken: async () => token };
}

export interface ClientCredentials {
  tenantId: string;
  clientId: string;
  clientSecret: string;
  /** e.g. https://contoso.crm.dynamics.com */
  orgUrl: string;
  /** Defaults to https://login.microsoftonline.com. */
  authorityHost?: string;
}

/** MSAL caches the token and renews it before expiry; each call is cheap. */
export function msalTokenProvider(c: ClientCredentials): TokenProvider {
  for (const [name, value] of Object.entries({ tenantId: c.tenantId, clientId: c.clientId, clientSecret: c.clientSecret, orgUrl: c.orgUrl })) {
    if (!value) throw new Error(`Dataverse credentials: ${name} is missing`);
  }
  const app = new ConfidentialClientApplication({
    auth: {
      clientId: c.clientId,
      clientSecret: c.clientSecret,
      authority: `${(c.authorityHost ?? "https://login.microsoftonline.com").replace(/\/$/, "")}/${c.tenantId}`,
    },
  });
  const scope = `${new URL(c.orgUrl).origin}/.default`;
  return {
    async getToken() {
      const result = await app.acquireTokenByClientCredential({ scopes: [scope] });
      if (!result?.accessToken) throw new Error(`Dataverse credentials: no access token for ${scope}`);
      return result.accessToken;
    },
  };
}
