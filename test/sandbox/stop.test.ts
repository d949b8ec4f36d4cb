/**
 * `npm start` as a user runs it, stopped the ways a user stops it: the signal reaches npm (an IDE's
 * stop button, `kill`, a CI step's timeout), or Ctrl+C reaches the whole process group. Either way
 * the sandbox saves its state, frees its port, leaves no process behind, and a restart finds the data.
 */
import { spawn, execFileSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { freePort } from "../../emulators/kit/free-port";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const root = resolve(__dirname, "../..");
const dataDir = mkdtempSync(join(tmpdir(), "cosell-stop-"));
const groups: number[] = [];
afterAll(() => {
  // A failed stop must not leave a sandbox running after the tests: end each npm's whole group.
  for (const pgid of groups) {
    try {
      process.kill(-pgid, "SIGKILL");
    } catch {
      // Gone, as it should be.
    }
  }
  rmSync(dataDir, { recursive: true, force: true });
});

/** True when something accepts connections on the port. */
async function listening(port: number): Promise<boolean> {
  try {
    await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(2_000) });
    return true;
  } catch {
    return false;
  }
}

/** Every process whose ancestry leads to `pid` (from /proc, as ps would show). */
function descendants(pid: number): number[] {
  const out = execFileSync("ps", ["-eo", "pid=,ppid="], { encoding: "utf8" });
  const children = new Map<number, number[]>();
  for (const line of out.trim().split("\n")) {
    const [p, pp] = line.trim().split(/\s+/).map(Number);
    children.set(pp, [...(children.get(pp) ?? []), p]);
  }
  const found: number[] = [];
  const walk = (p: number) => (children.get(p) ?? []).forEach((c) => (found.push(c), walk(c)));
  walk(pid);
  return found;
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

interface Started {
  npm: ChildProcess;
  url: string;
  output: () => string;
}

/** `npm start -- --port N` in its own process group, as a terminal would run it; resolves once the URL is printed. */
function npmStart(port: number): Promise<Started> {
  const npm = spawn("npm", ["start", "--", "--port", String(port)], {
    cwd: root,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, SANDBOX_DATA_DIR: dataDir, PORT: "" },
  });
  groups.push(npm.pid!);
  let text = "";
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) => npm.once("exit", (code, signal) => done({ code, signal })));
  return new Promise((done, fail) => {
    const onData = (chunk: Buffer) => {
      text += chunk.toString();
      const url = /Co-sell sandbox running: (\S+?)\/?\s/.exec(text)?.[1];
      if (url) done({ npm, url, output: () => text });
    };
    npm.stdout!.on("data", onData);
    npm.stderr!.on("data", onData);
    void exited.then(({ code, signal }) => fail(new Error(`npm start exited (${signal ?? code}) before the sandbox ran:\n${text}`)));
  });
}

async function opportunityNames(url: string): Promise<string[]> {
  const res = await fetch(`${url}/dataverse/api/data/v9.2/opportunities?$select=name`, { headers: { Authorization: "Bearer sandbox-user" } });
  return ((await res.json()) as { value: Array<{ name: string }> }).value.map((o) => o.name);
}

async function renameFirstOpportunity(url: string, name: string): Promise<void> {
  const list = await fetch(`${url}/dataverse/api/data/v9.2/opportunities?$select=opportunityid&$top=1`, { headers: { Authorization: "Bearer sandbox-user" } });
  const [{ opportunityid }] = ((await list.json()) as { value: Array<{ opportunityid: string }> }).value;
  const res = await fetch(`${url}/dataverse/api/data/v9.2/opportunities(${opportunityid})`, {
    method: "PATCH",
    headers: { Authorization: "Bearer sandbox-user", "Content-Type": "application/json" },
    body: JSON.stringify({ name }),
  });
  expect(res.status).toBe(204);
}

async function expectStoppedCleanly(run: Started, port: number, tree: number[]) {
  // npm itself may exit first (it passes the signal on and goes); what matters is what it started.
  for (let i = 0; i < 150 && (tree.some(alive) || !run.output().includes("State saved")); i++) await new Promise((r) => setTimeout(r, 100));
  expect(run.output()).toContain(`State saved in ${dataDir}`);
  expect(tree.filter(alive)).toEqual([]);
  expect(await listening(port)).toBe(false);
  expect(existsSync(join(dataDir, "state.json"))).toBe(true);
}

test("SIGTERM to npm stops the sandbox: state saved, port freed, nothing left running, a restart finds the data", async () => {
  const port = await freePort();
  const first = await npmStart(port);
  await renameFirstOpportunity(first.url, "Renamed before SIGTERM");
  const tree = descendants(first.npm.pid!);
  expect(tree.length).toBeGreaterThan(0);

  first.npm.kill("SIGTERM");
  await expectStoppedCleanly(first, port, tree);
  expect(readFileSync(join(dataDir, "state.json"), "utf8")).toContain("Renamed before SIGTERM");

  // Ctrl+C in a terminal: SIGINT to the whole foreground group.
  const second = await npmStart(port);
  expect(await opportunityNames(second.url)).toContain("Renamed before SIGTERM");
  await renameFirstOpportunity(second.url, "Renamed before Ctrl+C");
  const tree2 = descendants(second.npm.pid!);
  process.kill(-second.npm.pid!, "SIGINT");
  await expectStoppedCleanly(second, port, tree2);
  expect(readFileSync(join(dataDir, "state.json"), "utf8")).toContain("Renamed before Ctrl+C");
}, 120_000);
