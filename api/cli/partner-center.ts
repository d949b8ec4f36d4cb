/**
 * `cosell login` (device code, D.9), `cosell login status`, and `cosell webhook show|register|test`:
 * the Partner Center side an admin sets up once.
 */
import { REFERRALS_SCOPE, WEBHOOKS_SCOPE } from "../../sync/partner-center/auth-types";
import { DELIVERY_ATTEMPTS } from "../../sync/contracts/partner-center-webhooks";
import type { WebhookRegistration } from "../../sync/partner-center/webhooks-client";
import { connectPartnerCenter } from "../compose";
import { readConfig } from "../config";
import { EXIT, UsageError, parseOptions, type CliIo, type Command } from "./command";

const connection = (io: CliIo) => connectPartnerCenter(readConfig(io.env, ["partnerCenter"]).partnerCenter, io.compose);

function signedInAuth(io: CliIo) {
  const { auth } = connection(io);
  if (!auth) throw new UsageError("PARTNER_CENTER_STATIC_TOKEN is set: there is no account to sign in; unset it to use the saved sign-in");
  return auth;
}

export const loginCommand: Command = {
  name: "login",
  summary: "sign in the Partner Center service account (device code); `login status` checks the saved sign-in",
  usage: ["login", "login status"],
  parts: ["partnerCenter"],
  async run(args, io) {
    const { positionals } = parseOptions(args, {}, { min: 0, max: 1 });
    if (positionals[0] === "status") {
      const health = await signedInAuth(io).credentialHealth();
      if (health.state === "ok") {
        io.out("Partner Center sign-in: ok");
        return EXIT.ok;
      }
      io.err(health.detail ?? `Partner Center sign-in: ${health.state}`);
      return health.state === "unavailable" ? EXIT.failed : EXIT.signIn;
    }
    if (positionals.length) throw new UsageError(`unknown login command "${positionals[0]}"`);
    const auth = signedInAuth(io);
    const account = await auth.login((p) => io.out(p.message), [REFERRALS_SCOPE]);
    // The webhook API takes a token for another resource: ask for it now so consent happens once, interactively.
    await auth.tokenProvider(WEBHOOKS_SCOPE).getToken().catch(() => io.err("note: no token yet for the webhook API; `cosell webhook` will ask again"));
    io.out(`Signed in as ${account.username || account.homeAccountId}. The token cache is saved encrypted.`);
    return EXIT.ok;
  },
};

function describe(reg: WebhookRegistration): string[] {
  return [`URL:     ${reg.webhookUrl}`, `events:  ${reg.webhookEvents.join(", ") || "(none)"}`, ...(reg.subscriberId ? [`id:      ${reg.subscriberId}`] : [])];
}

export const webhookCommand: Command = {
  name: "webhook",
  summary: "show, register or test the Partner Center webhook that calls the service",
  usage: ["webhook show", "webhook register <url> [--force]   (--force replaces another tool's URL)", "webhook test"],
  parts: ["partnerCenter"],
  async run(args, io) {
    const { values, positionals } = parseOptions(args, { force: { type: "boolean" } }, { min: 1, max: 2 });
    const [sub, url] = positionals;
    if (sub === "register") {
      if (url === undefined) throw new UsageError("webhook register needs the service's webhook URL");
      try {
        new URL(url);
      } catch {
        throw new UsageError(`"${url}" is not a URL`);
      }
    } else if (url !== undefined || values.force) throw new UsageError(`webhook ${sub} takes no ${url !== undefined ? "argument" : "--force"}`);
    const client = connection(io).webhooks();
    if (sub === "show") {
      const reg = await client.show();
      if (!reg) io.out("No webhook is registered for this tenant.");
      else describe(reg).forEach((l) => io.out(l));
      return EXIT.ok;
    }
    if (sub === "register") {
      const out = await client.register(url!, { force: values.force === true });
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
          // Partner Center makes 10 attempts; an admin learns of the first failure without waiting for the others.
          const attempt = result.results.length;
          const after = result.status === "completed" ? "" : attempt < DELIVERY_ATTEMPTS ? "; Partner Center delivers it again" : "; Partner Center gives it up";
          io.out(`Delivery to ${result.callbackUrl ?? "?"}: ${result.status ?? "?"}, ${answered} (attempt ${attempt} of ${DELIVERY_ATTEMPTS}${after})`);
          return result.status === "completed" ? EXIT.ok : EXIT.failed;
        }
        await sleep(3000);
      }
      io.err("No delivery result yet; check again later with the correlation id above.");
      return EXIT.failed;
    }
    throw new UsageError(`unknown webhook command "${sub}"`);
  },
};
