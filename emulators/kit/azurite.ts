/**
 * Azurite's Table service for tests and benchmarks: started on a free loopback port, in memory
 * (or in a folder, to keep its tables across a restart), stopped by its own process id, and
 * restarted on the same port for outage tests. Dev-only, as Azurite is a devDependency.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { freePort } from "./free-port";

/** Azurite's development account: its name and key are published, the same on every machine. */
export const DEV_ACCOUNT = "devstoreaccount1";
export const DEV_ACCOUNT_KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

export interface Azurite {
  port: number;
  /** The connection string the service is configured with (COSELL_STATE_CONNECTION_STRING). */
  connectionString: string;
  /** Stops the process (storage down); what it held stays only with `persist`. Its folder goes when this process exits. */
  stop(): Promise<void>;
  /** Starts it again on the same port (storage back). */
  restart(): Promise<void>;
}

export interface AzuriteOptions {
  /** Keep the tables in a temporary folder, so they survive `stop()` and `restart()` (default: in memory). */
  persist?: boolean;
  /** Longest wait for it to listen. */
  startTimeoutMs?: number;
}

const binary = () => join(dirname(require.resolve("azurite/package.json")), "..", ".bin", "azurite-table");

export async function startAzurite(options: AzuriteOptions = {}): Promise<Azurite> {
  const port = await freePort();
  // Its working folder: Azurite writes its files (and, persisted, its tables) there, never in the checkout.
  const folder = mkdtempSync(join(tmpdir(), "cosell-azurite-"));
  let child: ChildProcess | undefined;
  process.once("exit", () => {
    child?.kill("SIGKILL");
    rmSync(folder, { recursive: true, force: true });
  });

  async function start(): Promise<void> {
    const args = ["--tableHost", "127.0.0.1", "--tablePort", String(port), "--silent", "--skipApiVersionCheck", "--disableTelemetry"];
    args.push(...(options.persist ? ["--location", folder] : ["--inMemoryPersistence"]));
    const proc = spawn(binary(), args, { cwd: folder, stdio: ["ignore", "pipe", "pipe"] });
    child = proc;
    let output = "";
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => fail(new Error(`Azurite did not start within ${options.startTimeoutMs ?? 15_000} ms:\n${output}`)), options.startTimeoutMs ?? 15_000);
      const fail = (e: Error) => {
        clearTimeout(timer);
        proc.kill("SIGKILL");
        reject(e);
      };
      const read = (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes("successfully started")) {
          clearTimeout(timer);
          resolve();
        }
      };
      proc.stdout!.on("data", read);
      proc.stderr!.on("data", read);
      proc.once("exit", (code) => fail(new Error(`Azurite exited (${code}) before it started:\n${output}`)));
    });
  }

  async function stop(): Promise<void> {
    // By its own process id, and only the one this started.
    const proc = child;
    child = undefined;
    if (!proc || proc.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      proc.once("exit", () => resolve());
      proc.kill("SIGTERM");
    });
  }

  await start();
  return {
    port,
    connectionString: `DefaultEndpointsProtocol=http;AccountName=${DEV_ACCOUNT};AccountKey=${DEV_ACCOUNT_KEY};TableEndpoint=http://127.0.0.1:${port}/${DEV_ACCOUNT};`,
    restart: start,
    stop,
  };
}
