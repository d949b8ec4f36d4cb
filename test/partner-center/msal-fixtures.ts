/**
 * MSAL set-up for the sign-in tests: authority metadata given up front and a scripted token endpoint,
 * so MSAL never goes to the network, and token caches shaped as MSAL itself writes them.
 */
import type { Configuration, INetworkModule, NetworkResponse } from "@azure/msal-node";
import { REFERRALS_SCOPE } from "../../sync/partner-center/auth-types";

export const TENANT = "11111111-2222-4333-8444-555555555555";
export const CLIENT = "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee";
export const HOME = `00000000-0000-4000-8000-000000000001.${TENANT}`;
export const USERNAME = "referrals-admin@contoso.example";
export const SECRET = "eyJ0eXAiOiJKV1QiLCJhbGciOiJub25lIn0.SECRET-ACCESS-TOKEN";
export const REFRESH_TOKEN = "0.AAAA-REFRESH-TOKEN";
const ENV = "login.microsoftonline.com";
export const TOKEN_ENDPOINT = `https://${ENV}/${TENANT}/oauth2/v2.0/token`;

/** One answer of the token endpoint: a JSON body with a status, or a network failure. */
export type TokenEndpointAnswer = { status: number; body: Record<string, unknown> } | { fail: Error };

/** A token endpoint that answers from a script and records the refresh tokens it was sent. */
export function scriptedTokenEndpoint(answers: TokenEndpointAnswer[]) {
  const refreshTokensSent: string[] = [];
  const networkClient: INetworkModule = {
    sendGetRequestAsync: async (url) => {
      throw new Error(`unexpected GET ${url}: authority metadata is configured`);
    },
    sendPostRequestAsync: async <T>(url: string, options?: { body?: string }): Promise<NetworkResponse<T>> => {
      if (!url.startsWith(TOKEN_ENDPOINT)) throw new Error(`unexpected POST ${url}`);
      const form = new URLSearchParams(options?.body ?? "");
      if (form.get("grant_type") === "refresh_token") refreshTokensSent.push(form.get("refresh_token") ?? "");
      const answer = answers.shift();
      if (!answer) throw new Error("the token endpoint was called more often than the test expected");
      if ("fail" in answer) throw answer.fail;
      return { status: answer.status, headers: { "content-type": "application/json" }, body: answer.body as T };
    },
  };
  return { networkClient, refreshTokensSent, remaining: answers };
}

/** Extra MSAL settings for PartnerCenterAuth: no discovery over the network, optional scripted endpoint. */
export function msalSettings(networkClient?: INetworkModule): Partial<Configuration> {
  return {
    auth: {
      clientId: CLIENT,
      authorityMetadata: JSON.stringify({
        token_endpoint: TOKEN_ENDPOINT,
        authorization_endpoint: `https://${ENV}/${TENANT}/oauth2/v2.0/authorize`,
        device_authorization_endpoint: `https://${ENV}/${TENANT}/oauth2/v2.0/devicecode`,
        end_session_endpoint: `https://${ENV}/${TENANT}/oauth2/v2.0/logout`,
        issuer: `https://${ENV}/${TENANT}/v2.0`,
      }),
      cloudDiscoveryMetadata: JSON.stringify({
        tenant_discovery_endpoint: `https://${ENV}/${TENANT}/v2.0/.well-known/openid-configuration`,
        "api-version": "1.1",
        metadata: [{ preferred_network: ENV, preferred_cache: ENV, aliases: [ENV] }],
      }),
    },
    ...(networkClient ? { system: { networkClient } } : {}),
  };
}

/** What MSAL itself writes after a device-code sign-in: an account, an access token and (optionally) a refresh token. */
export function signedInCache(expiresInSeconds: number, options: { refreshToken?: boolean } = {}): string {
  const now = Math.floor(Date.now() / 1000);
  const target = REFERRALS_SCOPE.toLowerCase();
  return JSON.stringify({
    Account: {
      [`${HOME}-${ENV}-${TENANT}`]: {
        home_account_id: HOME, environment: ENV, realm: TENANT, local_account_id: HOME.split(".")[0],
        username: USERNAME, authority_type: "MSSTS",
      },
    },
    IdToken: {},
    AccessToken: {
      [`${HOME}-${ENV}-accesstoken-${CLIENT}-${TENANT}-${target}`]: {
        home_account_id: HOME, environment: ENV, credential_type: "AccessToken", client_id: CLIENT, secret: SECRET,
        realm: TENANT, target, cached_at: String(now), expires_on: String(now + expiresInSeconds),
        extended_expires_on: String(now + expiresInSeconds), token_type: "Bearer",
      },
    },
    RefreshToken: options.refreshToken
      ? { [`${HOME}-${ENV}-refreshtoken-${CLIENT}--`]: { home_account_id: HOME, environment: ENV, credential_type: "RefreshToken", client_id: CLIENT, secret: REFRESH_TOKEN } }
      : {},
    AppMetadata: {},
  });
}
