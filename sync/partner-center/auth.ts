/**
 * App+User sign-in for Partner Center (D.9): a one-time device-code login of the service account,
 * then silent refresh from the encrypted token cache. No ROPC: it cannot pass MFA.
 */
import { PublicClientApplication, type AccountInfo, type Configuration } from "@azure/msal-node";
import { REFERRALS_SCOPE, type TokenProvider } from "./auth-types";
import { SignInExpiredError } from "./errors";
import { EncryptedFileCachePlugin } from "./token-cache";

export interface PartnerCenterAuthOptions {
  clientId: string;
  /** Tenant id or domain of the partner; the authority is built from it. */
  tenantId: string;
  cachePath: string;
  cacheKey: Buffer;
  /** Extra MSAL settings (e.g. authority metadata in tests); merged over ours. */
  msal?: Partial<Configuration>;
}

export interface DeviceCodePrompt {
  message: string;
  userCode: string;
  verificationUri: string;
}

export class PartnerCenterAuth {
  readonly app: PublicClientApplication;
  readonly cache: EncryptedFileCachePlugin;

  constructor(options: PartnerCenterAuthOptions) {
    if (!options.clientId) throw new Error("Partner Center auth: clientId is required (the app registration's application id)");
    if (!options.tenantId) throw new Error("Partner Center auth: tenantId is required");
    this.cache = new EncryptedFileCachePlugin(options.cachePath, options.cacheKey);
    this.app = new PublicClientApplication({
      ...options.msal,
      auth: { authority: `https://login.microsoftonline.com/${options.tenantId}`, ...options.msal?.auth, clientId: options.clientId },
      cache: { cachePlugin: this.cache },
    });
  }

  /** Device-code login; the prompt tells the person where to go and what code to enter. */
  async login(onPrompt: (prompt: DeviceCodePrompt) => void, scopes: string[] = [REFERRALS_SCOPE]): Promise<AccountInfo> {
    const result = await this.app.acquireTokenByDeviceCode({
      scopes,
      deviceCodeCallback: (r) => onPrompt({ message: r.message, userCode: r.userCode, verificationUri: r.verificationUri }),
    });
    if (!result?.account) throw new Error("device-code login finished without an account");
    return result.account;
  }

  /** The signed-in service account, or undefined. */
  async account(): Promise<AccountInfo | undefined> {
    const accounts = await this.app.getTokenCache().getAllAccounts();
    return accounts[0];
  }

  /** A token provider for one scope: silent refresh, or SignInExpiredError when that fails. */
  tokenProvider(scope: string = REFERRALS_SCOPE): TokenProvider {
    return {
      getToken: async (opts) => {
        const account = await this.account();
        if (!account) throw new SignInExpiredError(this.cache.lastReadError ?? "no signed-in account in the token cache");
        try {
          const result = await this.app.acquireTokenSilent({ account, scopes: [scope], forceRefresh: opts?.forceRefresh ?? false });
          if (!result?.accessToken) throw new Error("no access token returned");
          return result.accessToken;
        } catch (e) {
          throw new SignInExpiredError(e instanceof Error ? e.message : String(e), { cause: e });
        }
      },
    };
  }
}
