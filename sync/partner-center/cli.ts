/**
 * Partner Center administration: `login` (device code), `status` (sign-in health), `webhook show`,
 * `webhook register <url> [--force]`, `webhook test`. Run with tsx.
 * Exit codes: 0 done, 1 failed, 2 usage or configuration, 3 refused (another URL registered),
 * 4 sign-in needed.
 */
import { REFERRALS_SCOPE, WEBHOOKS_SCOPE } from "./auth-types";
import { ConfigError, ENV, authFromEnv, tokenProvidersFromEnv } from "./config";
import { PartnerCenterError, SignInExpiredError } from "./errors";
import { TokenCacheKeyError } from "./token-cache";
import { RegistrationConflictError, WebhooksClient, type WebhookRegistration } from "./webhooks-client";

export const EXIT = { ok: 0, failed: 1, usage: 2, refused: 3, signIn: 4 } as const;

export interface CliIo {
  out(line: string): void;
  err(line: string): void;
  env: NodeJS.ProcessEnv;
  sleep?: (ms: number) => Promise<void>;
}

const USAGE = `usage:
  cli login                         sign in the Partner Center service account (device code)
  cli status                        say whether the saved sign-in still gives tokens
  cli webhook show                  show the registered webhook URL and events
  cli webhook register <url> [--force]
                                    register <url> for referral events; --force replaces another tool's URL
  cli webhook test                  send a test event and report its delivery
environment: ${ENV.clientId}, ${ENV.tenantId}, ${ENV.cacheKey}, optional ${ENV.cachePath}, ${ENV.webhooksBaseUrl}`;

function describe(reg: WebhookRegistration): string[] {
  return [`URL:     ${reg.webhookUrl}`, `events:  ${reg.webhookEvents.join(", ") || "(none)"}`, ...(reg.subscriberId ? [`id:      ${reg.subscriberId}`] : [])];
}

function webhooksClient(io: CliIo): WebhooksClient {
  return new WebhooksClient({ tokenProvider: tokenProvidersFromEnv(io.env).webhooks, baseUrl: io.env[ENV.webhooksBaseUrl]?.trim() || undefined });
}

async function login(io: CliIo): Promise<number> {
  const auth = authFromEnv(io.env);
  const account = await auth.login((p) => io.out(p.message), [REFERRALS_SCOPE]);
  // The webhook API takes a token for another resource: ask for it now so consent happens once, interactively.
  await auth.tokenProvider(WEBHOOKS_SCOPE).getToken().catch(() => io.err("note: no token yet for the webhook API; `webhook` commands will ask again"));
  io.out(`Signed in as ${account.username || account.homeAccountId}. The token cache is saved encrypted.`);
  return EXIT.ok;
}

async function status(io: CliIo): Promise<number> {
  const health = await authFromEnv(io.env).credentialHealth();
  if (health.state === "ok") {
    io.out("Partner Center sign-in: ok");
    return EXIT.ok;
  }
  io.err(health.detail ?? `Partner Center sign-in: ${health.state}`);
  return health.state === "unavailable" ? EXIT.failed : EXIT.signIn;
}

async function webhook(args: string[], io: CliIo): Promise<number> {
  const [sub, ...rest] = args;
  const client = webhooksClient(io);
  if (sub === "show") {
    const reg = await client.show();
    if (!reg) io.out("No webhook is registered for this tenant.");
    else describe(reg).forEach((l) => io.out(l));
    return EXIT.ok;
  }
  if (sub === "register") {
    const force = rest.includes("--force");
    const positional = rest.filter((a) => !a.startsWith("--"));
    const unknown = rest.filter((a) => a.startsWith("--") && a !== "--force");
    if (positional.length !== 1 || unknown.length > 0) {
      io.err(unknown.length ? `unknown option ${unknown.join(", ")}` : "webhook register needs exactly one URL");
      return EXIT.usage;
    }
    try {
      new URL(positional[0]);
    } catch {
      io.err(`"${positional[0]}" is not a URL`);
      return EXIT.usage;
    }
    const out = await client.register(positional[0], { force });
    const verb = { created: "Registered", updated: "Updated", unchanged: "Already registered", replaced: "Replaced" }[out.action];
    io.out(`${verb}${out.previousUrl ? ` (was ${out.previousUrl})` : ""}.`);
    describe(out.registration).forEach((l) => io.out(l));
    return EXIT.ok;
  }
  if (sub === "test") {
    const id = await client.sendTest();
    io.out(`Test event sent (correlation id ${id}); waiting for its delivery…`);
    const sleep = io.sleep ?? ((ms: number) => new Promise((r) => setTimeout(r, ms)));
    for (let i = 0; i < 10; i++) {
      const result = await client.testResult(id);
      const last = result.results.at(-1);
      if (last) {
        const answered = last.systemError ? `no answer (${last.responseMessage || "system error"})` : `answered ${last.responseCode || "?"}`;
        io.out(`Delivery to ${result.callbackUrl ?? "?"}: ${result.status ?? "?"}, ${answered}`);
        return result.status === "completed" ? EXIT.ok : EXIT.failed;
      }
      await sleep(3000);
    }
    io.err("No delivery result yet; check again later with the correlation id above.");
    return EXIT.failed;
  }
  io.err(USAGE);
  return EXIT.usage;
}

export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (command === "login" && rest.length === 0) return await login(io);
    if (command === "status" && rest.length === 0) return await status(io);
    if (command === "webhook") return await webhook(rest, io);
    io.err(USAGE);
    return EXIT.usage;
  } catch (e) {
    if (e instanceof RegistrationConflictError) {
      io.err(e.message);
      return EXIT.refused;
    }
    if (e instanceof SignInExpiredError || (e instanceof PartnerCenterError && e.kind === "credential")) {
      io.err(e.message);
      return EXIT.signIn;
    }
    if (e instanceof ConfigError || e instanceof TokenCacheKeyError) {
      io.err(`configuration: ${e.message}`);
      return EXIT.usage;
    }
    if (e instanceof PartnerCenterError) {
      io.err(`Partner Center: ${e.message}${e.status ? ` (HTTP ${e.status}${e.code ? `, ${e.code}` : ""})` : ""}${e.requestId ? ` request-id ${e.requestId}` : ""}`);
      return EXIT.failed;
    }
    io.err(`failed: ${e instanceof Error ? e.message : String(e)}`);
    return EXIT.failed;
  }
}

if (require.main === module) {
  runCli(process.argv.slice(2), { out: (l) => console.log(l), err: (l) => console.error(l), env: process.env }).then(
    (code) => (process.exitCode = code),
  );
}
