/**
 * `npm start`: the whole co-sell loop offline. Builds the panel and the ribbon if they are not
 * built yet, starts the sandbox and prints its URL. `--reset` starts from the seeded org again;
 * `--port N` picks the port (default 4870, or $PORT); $SANDBOX_DATA_DIR moves the state folder
 * (default .sandbox-data/).
 *
 * Stopping: SIGINT, SIGTERM or SIGHUP — or the process that started us going away — stops the
 * build if one is running, saves the state and exits 0. The package.json script runs this file in
 * `node --import tsx` itself, not under the `tsx` command: npm passes a SIGTERM to the script's
 * shell only, and the shell (dash) dies of it without passing it on. Then our parent goes away,
 * which the watch below sees; under `tsx` our parent would be tsx, left running too, and nothing
 * would notice (test/sandbox/stop.test.ts).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { startSandbox, type Sandbox } from "./server";

const root = resolve(__dirname, "..");
const args = process.argv.slice(2);
const portArg = args.indexOf("--port");
const port = portArg >= 0 ? Number(args[portArg + 1]) : Number(process.env.PORT ?? 4870);
const dataDir = process.env.SANDBOX_DATA_DIR || join(root, ".sandbox-data");
const posix = process.platform !== "win32";

/** A child that ignores the forwarded signal this long is killed. */
const CHILD_GRACE_MS = 5_000;
/** The whole stop (children, then the sandbox's drain and save) may take this long before we give up. */
const STOP_DEADLINE_MS = 10_000;

const children = new Set<ChildProcess>();
let starting: Promise<Sandbox> | undefined;
let stopping: Promise<void> | undefined;

/**
 * Runs a build command in its own process group, so that a stop can signal the whole group: the
 * command goes through a shell and npm, and neither passes a signal on to the build tools below it.
 */
function runChild(command: string): Promise<void> {
  return new Promise((done, fail) => {
    const child = spawn(command, {
      cwd: root,
      shell: true,
      detached: posix,
      // stdin stays ours: a build in its own process group must not try to read the terminal.
      stdio: ["ignore", "inherit", "inherit"],
      env: { ...process.env, PP_TOOLS_TELEMETRY_OPTOUT: "true" },
    });
    children.add(child);
    child.once("error", fail);
    child.once("exit", (code, signal) => {
      children.delete(child);
      if (code === 0) done();
      else fail(new Error(`${command} failed (${signal ?? `exit code ${code}`})`));
    });
  });
}

function signalChild(child: ChildProcess, signal: NodeJS.Signals) {
  try {
    if (posix && child.pid) process.kill(-child.pid, signal);
    else child.kill(signal);
  } catch {
    // The group has already gone.
  }
}

/** Forwards `signal` to the child's group and waits for it to exit, killing it after the grace period. */
function stopChild(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((done) => {
    const kill = setTimeout(() => signalChild(child, "SIGKILL"), CHILD_GRACE_MS);
    child.once("exit", () => {
      clearTimeout(kill);
      done();
    });
    signalChild(child, signal);
  });
}

/** Idempotent: Ctrl+C reaches us twice (from the terminal and forwarded by npm). */
function stop(signal: NodeJS.Signals, why: string): Promise<void> {
  stopping ??= (async () => {
    setTimeout(() => {
      console.error(`The sandbox did not stop within ${STOP_DEADLINE_MS / 1000}s; exiting. State is saved up to the last second.`);
      process.exit(1);
    }, STOP_DEADLINE_MS).unref();
    if (why) console.log(`\n${why}: stopping the sandbox…`);
    await Promise.all([...children].map((child) => stopChild(child, signal)));
    // A sandbox still starting is waited for and stopped, so its first save is not cut off.
    const sandbox = await starting?.catch(() => undefined);
    await sandbox?.stop();
    if (sandbox) console.log(`Stopped. State saved in ${dataDir}`);
    process.exit(0);
  })().catch((e: unknown) => {
    console.error(e instanceof Error ? (e.stack ?? e.message) : e);
    process.exit(1);
  });
  return stopping;
}

// Before anything that starts a child: a signal during the first-run build must stop the build too.
process.on("SIGINT", () => void stop("SIGINT", "Interrupted"));
process.on("SIGTERM", () => void stop("SIGTERM", "Terminated"));
// The terminal went away: nothing to print to, but the data is still saved.
process.on("SIGHUP", () => void stop("SIGTERM", ""));
// Output after the terminal or the reading pipe is gone fails; that must not stop the save.
process.stdout.on("error", () => undefined);
process.stderr.on("error", () => undefined);

// If whoever started us dies without passing a signal on (npm or a shell killed with SIGKILL, a
// closed IDE task), we are re-parented: stop cleanly rather than keep the port and the data.
// Windows does not re-parent, so there this never fires.
const parentAtStart = process.ppid;
setInterval(() => {
  if (process.ppid !== parentAtStart) void stop("SIGTERM", "The process that started the sandbox has exited");
}, 500).unref();

async function main() {
  if (!existsSync(join(root, "out/controls/CoSellPanel/bundle.js")) || !existsSync(join(root, "out/webresources/cosell_/ribbon.js"))) {
    console.log("Building the Co-sell panel and the ribbon commands (first run only)…");
    await runChild("npm run build:controls && npm run build:webresources");
  }
  if (stopping) return;
  starting = startSandbox({ port, dataDir, reset: args.includes("--reset"), reconcileIntervalMs: 15_000 });
  const sandbox = await starting;
  if (stopping) return;
  console.log(`\nCo-sell sandbox running: ${sandbox.url}/\n`);
  console.log("  Dynamics 365 form, Partner Center (Microsoft seller) and sync health on one page.");
  console.log(`  State is kept in ${dataDir} (npm start -- --reset starts clean). Ctrl+C stops.\n`);
}

main().catch((e: unknown) => {
  // A build killed by our own stop is not a failure to report; stop() exits.
  if (stopping) return;
  console.error(e instanceof Error ? (e.stack ?? e.message) : e);
  process.exit(1);
});
