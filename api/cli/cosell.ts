#!/usr/bin/env node
/**
 * `cosell`: the one command of the package (its `bin`). Every subcommand has `--help`; exit codes:
 * 0 done, 1 failed, 2 usage or configuration, 3 refused (another webhook URL registered),
 * 4 Partner Center sign-in needed.
 */
import { PartnerCenterError, SignInExpiredError } from "../../sync/partner-center/errors";
import { RegistrationConflictError } from "../../sync/partner-center/webhooks-client";
import { ConfigError, describeVariables } from "../config";
import { serve, SERVER_PARTS } from "../hosts/node-server";
import { EXIT, UsageError, parseOptions, type CliIo, type Command } from "./command";
import { installCommand } from "./install";
import { backfillCommand, reconcileCommand } from "./jobs";
import { mappingCommand } from "./mapping";
import { loginCommand, webhookCommand } from "./partner-center";

const serveCommand: Command = {
  name: "serve",
  summary: "run the service: the standalone Node server, with reconcile on a timer",
  usage: ["serve"],
  parts: [...SERVER_PARTS],
  async run(args, io) {
    parseOptions(args, {}, { min: 0, max: 0 });
    const running = await serve(io.env);
    await new Promise((resolve) => running.server.once("close", resolve));
    return EXIT.ok;
  },
};

export const COMMANDS: readonly Command[] = [serveCommand, installCommand, loginCommand, webhookCommand, mappingCommand, reconcileCommand, backfillCommand];

function overview(): string[] {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    "usage: cosell <command> [options]     (cosell <command> --help for its options and variables)",
    "",
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    "",
    "Configuration comes from environment variables; each command names the ones it reads.",
    "Exit codes: 0 done, 1 failed, 2 usage or configuration, 3 refused, 4 Partner Center sign-in needed.",
  ];
}

function help(command: Command): string[] {
  return [
    ...command.usage.map((u, i) => `${i === 0 ? "usage: " : "       "}cosell ${u}`),
    "",
    command.summary,
    "",
    "environment:",
    ...describeVariables(command.parts),
  ];
}

export async function runCosell(argv: string[], io: CliIo): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    overview().forEach((l) => (name === undefined ? io.err(l) : io.out(l)));
    return name === undefined ? EXIT.usage : EXIT.ok;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    io.err(`cosell: unknown command "${name}"`);
    overview().forEach((l) => io.err(l));
    return EXIT.usage;
  }
  if (args.includes("--help") || args.includes("-h")) {
    help(command).forEach((l) => io.out(l));
    return EXIT.ok;
  }
  try {
    return await command.run(args, io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`cosell ${name}: ${e.message}`);
      command.usage.forEach((u) => io.err(`usage: cosell ${u}`));
      return EXIT.usage;
    }
    if (e instanceof ConfigError) {
      io.err(`cosell ${name}: ${e.message}`);
      return EXIT.usage;
    }
    if (e instanceof RegistrationConflictError) {
      io.err(e.message);
      return EXIT.refused;
    }
    if (e instanceof SignInExpiredError || (e instanceof PartnerCenterError && e.kind === "credential")) {
      io.err(e.message);
      return EXIT.signIn;
    }
    if (e instanceof PartnerCenterError) {
      io.err(`Partner Center: ${e.message}${e.status ? ` (HTTP ${e.status}${e.code ? `, ${e.code}` : ""})` : ""}${e.requestId ? ` request-id ${e.requestId}` : ""}`);
      return EXIT.failed;
    }
    io.err(`cosell ${name} failed: ${e instanceof Error ? e.message : String(e)}`);
    return EXIT.failed;
  }
}

if (require.main === module) {
  runCosell(process.argv.slice(2), { out: (l) => console.log(l), err: (l) => console.error(l), env: process.env }).then(
    (code) => (process.exitCode = code),
  );
}
