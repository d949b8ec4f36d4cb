/**
 * The sandbox keeps both systems' data in its folder across restarts; `--reset` starts from the
 * seeded org. Driven over real HTTP like the page does.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startSandbox, type Sandbox } from "../../sandbox/server";

const dataDir = mkdtempSync(join(tmpdir(), "cosell-sandbox-"));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

async function opportunityNames(sandbox: Sandbox): Promise<string[]> {
  const res = await fetch(`${sandbox.url}/dataverse/api/data/v9.2/opportunities?$select=name`, { headers: { Authorization: "Bearer sandbox-user" } });
  return ((await res.json()) as { value: Array<{ name: string }> }).value.map((o) => o.name);
}

async function waitFor<T>(read: () => Promise<T>, ok: (v: T) => boolean, what: string): Promise<T> {
  for (let i = 0; i < 50; i++) {
    const v = await read();
    if (ok(v)) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

test("a restart keeps opportunities and referrals; --reset starts from the seeded org", async () => {
  let sandbox = await startSandbox({ dataDir });
  const seeded = await opportunityNames(sandbox);
  expect(seeded).toContain("Contoso data platform modernisation");

  const res = await fetch(`${sandbox.url}/pc/v1.0/engagements/referrals/_sandbox/seller/referrals`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({
      name: "Litware analytics", customerName: "Litware", country: "US", postalCode: "10001", dealValue: 5000, currency: "USD",
      solutionIds: ["SOL-15974-MQF"], assistanceRequestCode: "GeneralOrOther",
      customerContact: { firstName: "Ada", lastName: "Byrne", email: "ada@litware.example" },
    }),
  });
  expect(res.status).toBe(201);
  await waitFor(() => opportunityNames(sandbox), (names) => names.includes("Litware analytics"), "the incoming referral's opportunity");
  await sandbox.stop();

  sandbox = await startSandbox({ dataDir });
  expect(await opportunityNames(sandbox)).toContain("Litware analytics");
  const referrals = await fetch(`${sandbox.url}/pc/v1.0/engagements/referrals`, { headers: { Authorization: "Bearer sandbox-user" } });
  expect(((await referrals.json()) as { value: Array<{ name: string }> }).value.map((r) => r.name)).toEqual(["Litware analytics"]);
  await sandbox.stop();

  sandbox = await startSandbox({ dataDir, reset: true });
  expect((await opportunityNames(sandbox)).sort()).toEqual([...seeded].sort());
  await sandbox.stop();
}, 60_000);
