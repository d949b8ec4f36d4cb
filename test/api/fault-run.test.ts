/**
 * The fault run: 1,200 seeded random events on both sides while both emulators misbehave (webhooks
 * dropped, duplicated, delayed and reordered; 429 with Retry-After, 500, 503 and hung requests;
 * 412s because sellers edit while the service syncs). After the faults stop and a final reconcile,
 * nothing may be lost or doubled: every pair's mapped fields are equal on both sides, each field's
 * last write is what both sides hold, and there is one referral per opportunity and one
 * opportunity per referral.
 *
 * Each field has one writer (the Microsoft seller owns the deal value, the Dynamics seller the name,
 * notes and close date), so "the last write wins" is exact whatever the conflict policy says. The
 * name reaches Partner Center only in the create (its PATCH takes no /name).
 */
import { seededRandom } from "../../emulators/kit/random";
import { tableBySet } from "../../emulators/dataverse/schema";
import { SEEDED } from "../../emulators/dataverse";
import { canonicalEqual, defaultMapping, isTerminal, OPPORTUNITY_COLUMNS as C, OPPORTUNITY_STATE, type Referral } from "../../sync/engine";
import { valueAt } from "../../sync/engine/convert";
import { getColumn } from "../../sync/engine/paths";
import { createHarness } from "../../emulators/world";
import { collect, future, syncEvents } from "./helpers";

// FAULT_SEED explores other runs; CI keeps the one below.
const SEED = Number(process.env.FAULT_SEED ?? 20240611);
const EVENTS = 1_200;

const h = createHarness(SEED, {
  // Short timeouts so hung requests cost little; a real (tiny) sleep keeps the interleavings honest.
  retry: { maxAttempts: 6, timeoutMs: 150, maxRetryAfterMs: 20 },
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, Math.min(ms, 3))),
});
const random = seededRandom(SEED);
const pick = <T>(items: T[]): T | undefined => (items.length ? items[Math.floor(random() * items.length)] : undefined);
const chance = (p: number) => random() < p;

interface DriverPair {
  direction: "outbound" | "inbound";
  opportunityId?: string;
  referralId?: string;
  /** The last value each side's only writer wrote, by opportunity column. */
  expected: Record<string, unknown>;
  closedAs?: "Won" | "Lost";
}

const pairs: DriverPair[] = [];
const counts: Record<string, number> = {};
const opportunities = tableBySet("opportunities")!;

function opportunityOf(pair: DriverPair): string | undefined {
  if (pair.opportunityId) return pair.opportunityId;
  const row = h.dvEmu.store.rows(opportunities).find((r) => r[C.referralId] === pair.referralId);
  if (row) pair.opportunityId = String(row.opportunityid);
  return pair.opportunityId;
}

function referralOf(pair: DriverPair): Referral | undefined {
  if (pair.referralId) return h.pcEmu.state.referrals.get(pair.referralId);
  const r = [...h.pcEmu.state.referrals.values()].find((x) => x.externalReferenceId === pair.opportunityId);
  if (r) pair.referralId = r.id;
  return r;
}

const openRow = (id: string) => {
  const row = h.dvEmu.store.get(opportunities, id);
  return row && row.statecode === OPPORTUNITY_STATE.Open ? row : undefined;
};

const live = () => pairs.filter((p) => !p.closedAs);

async function dv(method: string, path: string, body?: unknown) {
  return h.dvEmu.request(method, path, body);
}

const EVENT_KINDS: Array<[string, number, () => Promise<void>]> = [
  ["outboundShare", 0.1, async () => {
    const n = pairs.length;
    const account = await dv("POST", "accounts", { name: `Customer ${n}`, address1_city: "Leeds", address1_postalcode: `LS${n % 9} 1AA`, address1_country: "GB" });
    const accountId = /\(([0-9a-f-]{36})\)$/.exec(account.headers["OData-EntityId"])![1];
    const value = 1_000 * (1 + Math.floor(random() * 500));
    const closeDate = future(30 + Math.floor(random() * 300));
    const res = await dv("POST", "opportunities", {
      name: `Deal ${n}`, estimatedvalue: value, estimatedclosedate: closeDate,
      "customerid_account@odata.bind": `/accounts(${accountId})`, "transactioncurrencyid@odata.bind": `/transactioncurrencies(${SEEDED.currencies.GBP})`, cosell_solutionids: "SOL-15974-MQF", cosell_syncwithpartnercenter: true,
    });
    const opportunityId = /\(([0-9a-f-]{36})\)$/.exec(res.headers["OData-EntityId"])![1];
    pairs.push({ direction: "outbound", opportunityId, expected: { name: `Deal ${n}`, estimatedvalue: value, estimatedclosedate: closeDate, cosell_notesformicrosoft: null, cosell_notesfrommicrosoft: null } });
  }],
  ["incomingReferral", 0.1, async () => {
    const n = pairs.length;
    const value = 1_000 * (1 + Math.floor(random() * 500));
    const closeDate = future(30 + Math.floor(random() * 300));
    const r = h.pcEmu.seller.createIncoming({
      name: `Referral ${n}`, customerName: `Customer ${n}`, country: "US", postalCode: `1${String(n).padStart(4, "0")}`,
      dealValue: value, currency: "USD", closingDateTime: `${closeDate}T00:00:00Z`, solutionIds: ["SOL-15974-MQF"], notes: `Seller notes ${n}`,
    });
    pairs.push({ direction: "inbound", referralId: r.id, expected: { name: `Referral ${n}`, estimatedvalue: value, estimatedclosedate: closeDate, cosell_notesfrommicrosoft: `Seller notes ${n}`, cosell_notesformicrosoft: null } });
  }],
  ["sellerUpdate", 0.25, async () => {
    const pair = pick(live().filter((p) => referralOf(p) && !isTerminal(referralOf(p)!)));
    if (!pair) return;
    const value = 1_000 * (1 + Math.floor(random() * 500));
    h.pcEmu.seller.update(pair.referralId!, { dealValue: value });
    pair.expected.estimatedvalue = value;
  }],
  ["opportunityEdit", 0.3, async () => {
    const pair = pick(live().filter((p) => opportunityOf(p) && openRow(p.opportunityId!)));
    if (!pair) return;
    const changes: Record<string, unknown> = {};
    if (chance(0.5)) changes.name = `${String(pair.expected.name).split(" v")[0]} v${Math.floor(random() * 1000)}`;
    if (chance(0.5)) changes.cosell_notesformicrosoft = `Notes ${Math.floor(random() * 1e6)}`;
    if (chance(0.4) || Object.keys(changes).length === 0) changes.estimatedclosedate = future(30 + Math.floor(random() * 300));
    const res = await dv("PATCH", `opportunities(${pair.opportunityId})`, changes);
    if (res.status < 300) Object.assign(pair.expected, changes);
  }],
  ["syncNow", 0.1, async () => {
    const pair = pick(live().filter((p) => opportunityOf(p)));
    if (pair) await dv("POST", `opportunities(${pair.opportunityId})/Microsoft.Dynamics.CRM.cosell_SyncOpportunity`, {});
  }],
  ["accept", 0.08, async () => {
    const pair = pick(live().filter((p) => p.direction === "inbound" && opportunityOf(p) && referralOf(p)?.status === "New"));
    if (pair) await dv("POST", `opportunities(${pair.opportunityId})/Microsoft.Dynamics.CRM.cosell_RespondToReferral`, { Decision: "accept" });
  }],
  ["sellerClose", 0.07, async () => {
    // Closed before the service imported it, a referral is left out of Dynamics by design: close imported ones.
    const pair = pick(live().filter((p) => opportunityOf(p) && referralOf(p) && !isTerminal(referralOf(p)!) && referralOf(p)!.status === "Active"));
    if (!pair) return;
    pair.closedAs = chance(0.5) ? "Won" : "Lost";
    h.pcEmu.seller.close(pair.referralId!, pair.closedAs, pair.closedAs === "Lost" ? "Others" : undefined);
  }],
];

async function randomEvent(): Promise<void> {
  let roll = random();
  for (const [name, weight, run] of EVENT_KINDS) {
    roll -= weight;
    if (roll < 0 || name === EVENT_KINDS[EVENT_KINDS.length - 1][0]) {
      counts[name] = (counts[name] ?? 0) + 1;
      return run();
    }
  }
}

function faultsOn(): void {
  const rules = { path: /.*/, throttleRate: 0.03, retryAfterSeconds: 0, serverErrorRate: 0.02, unavailableRate: 0.02, timeoutRate: 0.01, hangMs: 300 };
  h.dvEmu.faults.set([rules]);
  h.pcEmu.faults.set([rules]);
  const delivery = { dropRate: 0.05, duplicateRate: 0.05, reorderRate: 0.1, maxDelayMs: 5 };
  h.dvEmu.dispatcher.faults = delivery;
  h.pcEmu.dispatcher.faults = delivery;
}

function faultsOff(): void {
  h.dvEmu.faults.clear();
  h.pcEmu.faults.clear();
  h.dvEmu.dispatcher.faults = {};
  h.pcEmu.dispatcher.faults = {};
}

beforeAll(async () => {
  h.server.listen({ onUnhandledRequest: "error" });
  await h.install();
});
afterAll(() => h.server.close());

test(`${EVENTS} random events under faults: nothing lost, nothing doubled, both sides equal`, async () => {
  faultsOn();
  for (let i = 0; i < EVENTS; i++) {
    await randomEvent();
    // Let deliveries overlap the next events (that is where the 412s come from), but not pile up without bound.
    if (i % 10 === 9) await new Promise((resolve) => setTimeout(resolve, 2));
  }
  await h.settle();
  const injected = { dataverse: { ...h.dvEmu.faults.stats }, partnerCenter: { ...h.pcEmu.faults.stats } };
  const dropped = [...h.dvEmu.dispatcher.log, ...h.pcEmu.dispatcher.log].filter((d) => d.outcome === "dropped").length;
  faultsOff();
  // Edits to a referral still awaiting a response are held until the seller answers: answer the rest now.
  for (const pair of pairs.filter((p) => p.direction === "inbound" && !p.closedAs && opportunityOf(p) && referralOf(p)?.status === "New")) {
    await dv("POST", `opportunities(${pair.opportunityId})/Microsoft.Dynamics.CRM.cosell_RespondToReferral`, { Decision: "accept" });
  }

  for (let i = 0; i < 2; i++) {
    const result = await h.service.reconcile({ full: true });
    await h.settle();
    if (i === 1) expect(result.failures).toEqual([]);
  }

  // The faults really happened.
  expect(injected.dataverse.throttled + injected.partnerCenter.throttled).toBeGreaterThan(0);
  expect(injected.dataverse.timeouts + injected.partnerCenter.timeouts).toBeGreaterThan(0);
  expect(dropped).toBeGreaterThan(0);

  const referrals = await collect(h.referrals.listAll());
  const opportunitiesNow = h.dvEmu.store.rows(opportunities);

  // No duplicates on either side.
  const byExternal = new Map<string, number>();
  for (const r of referrals) if (r.externalReferenceId) byExternal.set(r.externalReferenceId, (byExternal.get(r.externalReferenceId) ?? 0) + 1);
  expect([...byExternal].filter(([, n]) => n > 1)).toEqual([]);
  const byReferral = new Map<string, number>();
  for (const o of opportunitiesNow) if (o[C.referralId]) byReferral.set(String(o[C.referralId]), (byReferral.get(String(o[C.referralId])) ?? 0) + 1);
  expect([...byReferral].filter(([, n]) => n > 1)).toEqual([]);

  // Every pair is linked, equal on both sides, and holds each field's last write.
  const mapping = defaultMapping();
  const problems: string[] = [];
  for (const pair of pairs) {
    const opportunityId = opportunityOf(pair);
    const referral = referralOf(pair);
    const label = `${pair.direction} ${opportunityId ?? "?"} / ${pair.referralId ?? "?"}`;
    const deal = opportunityId ? (await h.dataverse.getDeal(opportunityId)).deal : undefined;
    const status = deal ? ` (sync status ${String(deal.opportunity[C.syncStatus])}: ${String(deal.opportunity[C.syncError] ?? "")})` : "";
    if (!opportunityId || !referral || !deal) {
      problems.push(`${label}: not linked${status}`);
      continue;
    }
    if (deal.opportunity[C.referralId] !== referral.id) problems.push(`${label}: opportunity carries referral ${String(deal.opportunity[C.referralId])}`);
    if (pair.closedAs) {
      const state = pair.closedAs === "Won" ? OPPORTUNITY_STATE.Won : OPPORTUNITY_STATE.Lost;
      if (deal.opportunity.statecode !== state && process.env.FAULT_DEBUG) console.log(JSON.stringify((await syncEvents(h.dataverse, opportunityId)).reverse().map((e) => [e.cosell_occurredon, e.cosell_trigger, e.cosell_result, e.cosell_name, e.cosell_errorcode, e.cosell_changes])));
      if (deal.opportunity.statecode !== state) problems.push(`${label}: closed ${pair.closedAs} in Partner Center, statecode ${String(deal.opportunity.statecode)}${status}`);
      continue;
    }
    // A field Partner Center takes only in the create (the name, the customer's profile) may differ
    // afterwards by design; the Dynamics side's last write is checked below all the same.
    for (const field of mapping.fields.filter((f) => f.sendOn === "always" && !f.inboundTwin)) {
      const p = field.transform.fromReferral(valueAt(referral, field));
      // A split field has converged when Partner Center's value is one of its two columns (ours sent, or Microsoft's kept).
      const sides = [field, field.outboundTwin].filter((f) => f !== undefined).map((f) => f.transform.fromDynamics(getColumn(deal, f.columnRef)));
      const d = sides.find((v) => canonicalEqual(v, p)) ?? sides[0];
      if (!canonicalEqual(d, p)) problems.push(`${label}: ${field.name} is ${JSON.stringify(d)} in Dynamics, ${JSON.stringify(p)} in Partner Center`);
    }
    for (const [column, value] of Object.entries(pair.expected)) {
      const actual = (deal.opportunity as Record<string, unknown>)[column] ?? null;
      if (actual !== value) problems.push(`${label}: ${column} is ${JSON.stringify(actual)}, last written ${JSON.stringify(value)}`);
    }
  }
  if (problems.length) console.log(`fault run: ${problems.length} problems over ${pairs.length} pairs; events ${JSON.stringify(counts)}`);
  expect(problems).toEqual([]);
  expect(pairs.length).toBeGreaterThan(100);
  // ~17 s alone; inside the full jest run on 2 busy cores it has taken over 100 s: the budget is for that.
}, 300_000);
