/**
 * App+User sign-in for Partner Center (D.9): a one-time device-code login of the service account,
 * then silent refresh from the encrypted token cache. No ROPC: it cannot pass MFA.
 */
import {
  ClientAuthError,
  ClientAuthErrorCodes,
  InteractionRequiredAuthError,
  PublicClientApplication,
  ServerError,
  type AccountInfo,
  type Configuration,
} from "@azure/msal-node";
import { REFERRALS_SCOPE, type TokenProvider } from "./auth-types";
import { SignInExpiredError, SignInUnavailableError } from "./errors";
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

/**
 * Whether syncs can get a Partner Center token right now, for the service's /health and the panel:
 * `expired` and `notSignedIn` need a person to run the login command; `unavailable` is the sign-in
 * service failing to answer, which passes by itself.
 */
export interface CredentialHealth {
  state: "ok" | "expired" | "notSignedIn" | "unavailable";
  /** What to tell the person (absent when all is well). */
  detail?: string;
}

export const NOT_SIGNED_IN_MESSAGE = "Partner Center is not signed in — run `cosell login`";

/** OAuth error codes for the sign-in service's own passing trouble (RFC 6749 §5.2 / §4.1.2.1). */
const TRANSIENT_SERVER_CODES = new Set(["server_error", "temporarily_unavailable"]);

/** A failed silent refresh as the error the token provider throws: expired sign-in, or passing trouble. */
function silentFailure(e: unknown): SignInExpiredError | SignInUnavailableError {
  const detail = e instanceof Error ? e.message : String(e);
  const passing =
    !(e instanceof InteractionRequiredAuthError) &&
    ((e instanceof ClientAuthError && (e.errorCode === ClientAuthErrorCodes.networkError || e.errorCode === ClientAuthErrorCodes.noNetworkConnectivity)) ||
      (e instanceof ServerError && (TRANSIENT_SERVER_CODES.has(e.errorCode) || (e.status ?? 0) >= 500 || e.status === 429)));
  return passing ? new SignInUnavailableError(detail, { cause: e }) : new SignInExpiredError(detail, { cause: e });
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

  /** A token provider for one scope: silent refresh, or SignInExpiredError / SignInUnavailableError when that fails. */
  tokenProvider(scope: string = REFERRALS_SCOPE): TokenProvider {
    return {
      getToken: async (opts) => {
        const account = await this.account();
        if (!account) throw new SignInExpiredError(this.cache.lastReadError ?? "no signed-in account in the token cache");
        return this.silentToken(account, scope, opts?.forceRefresh ?? false);
      },
    };
  }

  /**
   * Tries a silent token (from the cache, refreshing when it has run out) and says what a person
   * must do, if anything. A token still valid in the cache counts as ok without asking the sign-in
   * service, so polling /health costs no calls.
   */
  async credentialHealth(scope: string = REFERRALS_SCOPE): Promise<CredentialHealth> {
    const account = await this.account();
    if (!account) {
      // An unreadable cache (wrong key, altered file) was a sign-in once; an absent one never was.
      const unreadable = this.cache.lastReadError;
      return unreadable ? { state: "expired", detail: new SignInExpiredError(unreadable).message } : { state: "notSignedIn", detail: NOT_SIGNED_IN_MESSAGE };
    }
    try {
      await this.silentToken(account, scope, false);
      return { state: "ok" };
    } catch (e) {
      return { state: e instanceof SignInUnavailableError ? "unavailable" : "expired", detail: e instanceof Error ? e.message : String(e) };
    }
  }

  private async silentToken(account: AccountInfo, scope: string, forceRefresh: boolean): Promise<string> {
    let accessToken: string | undefined;
    try {
      accessToken = (await this.app.acquireTokenSilent({ account, scopes: [scope], forceRefresh }))?.accessToken;
    } catch (e) {
      throw silentFailure(e);
    }
    if (!accessToken) throw new SignInExpiredError("the sign-in service returned no access token");
    return accessToken;
  }
}
