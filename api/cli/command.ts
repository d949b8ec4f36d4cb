/** What every `cosell` subcommand is: its usage, the configuration it reads, and how it runs. */
import { parseArgs, type ParseArgsConfig } from "node:util";
import type { ComposeOptions } from "../compose";
import type { ConfigPart } from "../config";

export const EXIT = { ok: 0, failed: 1, usage: 2, refused: 3, signIn: 4 } as const;

export interface CliIo {
  out(line: string): void;
  err(line: string): void;
  env: Record<string, string | undefined>;
  /** Waits between polls (tests make them instant). */
  sleep?: (ms: number) => Promise<void>;
  /** Tests inject instant retries; production passes nothing. */
  compose?: ComposeOptions;
}

export interface Command {
  name: string;
  summary: string;
  /** Lines after `cosell `. */
  usage: string[];
  /** The configuration the command reads; `--help` lists these variables. */
  parts: ConfigPart[];
  run(args: string[], io: CliIo): Promise<number>;
}

/** A wrong command line: the message and the usage are printed, exit 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** Node's own parser, strict: an unknown option or a missing value is a usage error. */
export function parseOptions<T extends NonNullable<ParseArgsConfig["options"]>>(args: string[], options: T, positionals: { min: number; max: number }) {
  let parsed;
  try {
    parsed = parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const n = parsed.positionals.length;
  if (n < positionals.min || n > positionals.max) {
    throw new UsageError(n < positionals.min ? "missing argument" : `unexpected argument ${parsed.positionals.slice(positionals.max).join(" ")}`);
  }
  return parsed;
}
