/**
 * The one `cosell` command: help for every subcommand, usage and configuration errors with exit
 * code 2 before anything is touched, and the jobs, the install and the mapping run end to end
 * against the emulated org through the same composition as the service.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EXIT } from "../../api/cli/command";
import { COMMANDS, runCosell } from "../../api/cli/cosell";
import { SEEDED } from "../../emulators/dataverse";
import { SERVICE_URL, installedHarness } from "../../emulators/world";
import { SETTING_NAMES } from "../../sync/schema/dynamics";
import { createOpportunity } from "./helpers";

const h = installedHarness(31);
const instant = { retry: { baseDelayMs: 1, maxDelayMs: 2 }, retryEnv: { sleep: async () => undefined } };
const emulatedOrg = () => ({ DATAVERSE_URL: h.dvEmu.orgUrl, DATAVERSE_TOKEN: SEEDED.applicationUserId, PARTNER_CENTER_STATIC_TOKEN: "pc-token" });

async function cosell(argv: string[], env: Record<string, string | undefined> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCosell(argv, { out: (l) => out.push(l), err: (l) => err.push(l), env, compose: instant });
  return { code, out: out.join("\n"), err: err.join("\n") };
}

test("--help lists every command, and each command's --help its usage and the variables it reads", async () => {
  const overview = await cosell(["--help"]);
  expect(overview.code).toBe(EXIT.ok);
  for (const name of ["serve", "install", "login", "webhook", "mapping", "reconcile", "backfill"]) expect(overview.out).toMatch(new RegExp(`^  ${name} `, "m"));
  for (const command of COMMANDS) {
    const help = await cosell([command.name, "--help"]);
    expect(help.code).toBe(EXIT.ok);
    expect(help.out).toMatch(new RegExp(`^usage: cosell ${command.name}`));
  }
  expect((await cosell(["serve", "--help"])).out).toMatch(/COSELL_WEBHOOK_KEY +required/);
  expect((await cosell(["reconcile", "--help"])).out).not.toMatch(/COSELL_WEBHOOK_KEY/);
});

test("a wrong command line exits 2 with the usage, touching nothing", async () => {
  expect(await cosell([])).toMatchObject({ code: EXIT.usage, err: expect.stringMatching(/^usage: cosell <command>/) });
  expect(await cosell(["bogus"])).toMatchObject({ code: EXIT.usage, err: expect.stringMatching(/unknown command "bogus"/) });
  const option = await cosell(["reconcile", "--bogus"], emulatedOrg());
  expect(option.code).toBe(EXIT.usage);
  expect(option.err).toMatch(/Unknown option '--bogus'[^]*usage: cosell reconcile \[--full\]/);
  expect((await cosell(["webhook", "register"], emulatedOrg())).err).toMatch(/needs the service's webhook URL/);
});

test("a job with no configuration names every variable it needs, and only those", async () => {
  const r = await cosell(["reconcile"]);
  expect(r.code).toBe(EXIT.usage);
  expect(r.err).toMatch(/DATAVERSE_URL is not set[^]*PARTNER_CENTER_CLIENT_ID is not set/);
  expect(r.err).not.toMatch(/COSELL_WEBHOOK_KEY|PARTNER_CENTER_TRUST_ROOTS/);
});

test("reconcile and backfill run against the org and say what they did", async () => {
  await createOpportunity(h.dataverse, { name: "Command line deal" });
  await h.settle();
  const reconciled = await cosell(["reconcile", "--full"], emulatedOrg());
  expect(reconciled).toMatchObject({ code: EXIT.ok, err: "" });
  expect(reconciled.out).toMatch(/^\d+ pairs: \d+ written, \d+ unchanged, \d+ created, 0 failed\. Watermark /);
  const backfill = await cosell(["backfill"], emulatedOrg());
  expect(backfill.code).toBe(EXIT.ok);
  expect(backfill.out).toMatch(/dry run/i);
});

test("mapping set stores a checked document; a broken one is refused and nothing changes", async () => {
  const dir = mkdtempSync(join(tmpdir(), "cosell-mapping-"));
  try {
    const good = join(dir, "good.json");
    writeFileSync(good, readFileSync(join(__dirname, "../../sync/engine/default-mapping.json"), "utf8"));
    const broken = join(dir, "broken.json");
    writeFileSync(broken, JSON.stringify({ fields: [{ column: "name" }] }));
    expect((await cosell(["mapping", "check", good])).code).toBe(EXIT.ok);
    const refused = await cosell(["mapping", "set", broken], emulatedOrg());
    expect(refused.code).toBe(EXIT.failed);
    expect(await h.dataverse.getSetting(SETTING_NAMES.mappingDocument)).toBeNull();
    expect((await cosell(["mapping", "set", good], emulatedOrg())).code).toBe(EXIT.ok);
    expect(JSON.parse((await h.dataverse.getSetting(SETTING_NAMES.mappingDocument))!)).toEqual(JSON.parse(readFileSync(good, "utf8")));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

// Last: the steps it registers call the service too.
test("install points the endpoint at the service; run again, it changes nothing", async () => {
  const args = ["install", "--service-url", `${SERVICE_URL}/api/dataverse`, "--key", "a-long-webhook-key-0123", "--skip-forms"];
  const first = await cosell(args, emulatedOrg());
  expect(first.code).toBe(EXIT.ok);
  expect(first.out).toMatch(/^changed +created webhook endpoint cosell_CoSellService → https:\/\/cosell-service\.example\.com\/api\/dataverse$/m);
  const again = await cosell(args.filter((a, i) => a !== "--key" && args[i - 1] !== "--key"), emulatedOrg());
  expect(again.code).toBe(EXIT.ok);
  expect(again.out).toMatch(/nothing to change/);
  expect((await cosell(["install", "--service-url", "http://example.com/hook"], emulatedOrg())).err).toMatch(/https on port 443 only/);
});

test("every cosell command line in the READMEs and the install guide names a real command and its real options", () => {
  const docs = ["README.md", "api/README.md", "solution/INSTALL.md"].map((f) => readFileSync(join(__dirname, "../..", f), "utf8").replace(/\\\n\s*/g, " "));
  const lines = docs.flatMap((d) => [...d.matchAll(/(?:npx )?(?<![\w_])cosell ([a-z][^`\n#|(]*)/g)].map((m) => m[1].trim()));
  expect(lines.length).toBeGreaterThan(15);
  for (const line of lines) {
    const [name, ...words] = line.split(/\s+/);
    if (name === "<command>") continue;
    const command = COMMANDS.find((c) => c.name === name);
    expect({ line, known: Boolean(command) }).toEqual({ line, known: true });
    const usage = command!.usage.join(" ");
    for (const option of words.filter((w) => w.startsWith("--") && w !== "--help")) expect({ line, option, inUsage: usage.includes(option.replace(/[,…]+$/, "")) }).toEqual({ line, option, inUsage: true });
  }
});
