/**
 * Reconcile of 10,000 linked pairs of which 5% changed (half on each side): Dataverse requests per
 * changed pair (every request the service sends, reads included), writes for unchanged pairs (rows
 * of theirs whose version moved, plus sync events written for them: a batch request carries many
 * pairs, so requests cannot tell), total wall time. The pairs are seeded straight into the
 * emulators' stores and baselined by one full reconcile; the measured run is a second full one.
 * Run: npx tsx bench/service/reconcile.bench.ts
 */
import { LOOKUP_TARGET_SUFFIX } from "../../emulators/dataverse/store";
import { SEEDED } from "../../emulators/dataverse";
import { tableBySet } from "../../emulators/dataverse/schema";
import { defaultMapping, referralFromDeal, SYNC_EVENT_COLUMNS as EV, type DynamicsDeal, type OpportunityRecord } from "../../sync/engine";
import { benchHarness, printMetrics, serviceCallCounter, type BenchMetric } from "./env";

const PAIRS = Number(process.env.RECONCILE_PAIRS ?? 10_000);
const CHANGED_SHARE = 0.05;
const TARGET_REQUESTS_PER_CHANGED = 1.05;

export async function runReconcileBench(pairs = PAIRS): Promise<BenchMetric[]> {
  const h = benchHarness(7);
  try {
    const mapping = defaultMapping();
    const closeDate = new Date(Date.now() + 120 * 86_400_000).toISOString().slice(0, 10);
    const ids: Array<{ opportunityId: string; referralId: string; accountId: string }> = [];
    const accounts: Record<string, unknown>[] = [];
    const opportunities: Record<string, unknown>[] = [];
    for (let i = 0; i < pairs; i++) {
      const accountId = h.dvEmu.store.newId();
      const opportunityId = h.dvEmu.store.newId();
      const account = { accountid: accountId, name: `Bench Customer ${i}`, address1_city: "Leeds", address1_postalcode: "LS1 4AP", address1_country: "GB" };
      const opportunity = {
        opportunityid: opportunityId, name: `Bench deal ${i}`, estimatedvalue: 10_000 + i, estimatedclosedate: closeDate,
        cosell_solutionids: "SOL-15974-MQF", cosell_syncwithpartnercenter: true, statecode: 0, statuscode: 1,
      };
      const deal: DynamicsDeal = {
        opportunity: opportunity as OpportunityRecord,
        account,
        contact: null,
        currency: { transactioncurrencyid: SEEDED.currencies.GBP, isocurrencycode: "GBP" },
      };
      const referral = h.pcEmu.state.insert(referralFromDeal(deal, mapping) as unknown as Record<string, unknown>, { direction: "Outgoing" }, (r) => ({ ...r, status: "Active", substatus: "Accepted" }));
      accounts.push(account);
      opportunities.push({
        ...opportunity,
        cosell_referralid: referral.id,
        _customerid_value: accountId,
        [`_customerid_value${LOOKUP_TARGET_SUFFIX}`]: "account",
        _transactioncurrencyid_value: SEEDED.currencies.GBP,
      });
      ids.push({ opportunityId, referralId: referral.id, accountId });
    }
    h.dvEmu.seed({ accounts, opportunities });

    // Baseline: the first sync of every pair stores its snapshot.
    const baseline = await h.service.reconcile({ full: true, concurrency: 8 });
    if (baseline.failed > 0) throw new Error(`reconcile bench: baseline failed for ${baseline.failed} pairs: ${JSON.stringify(baseline.failures.slice(0, 3))}`);

    // 5% change: half by the seller in Dynamics, half by Microsoft in Partner Center.
    const changed = Math.round(pairs * CHANGED_SHARE);
    const oppTable = tableBySet("opportunities")!;
    const accountTable = tableBySet("accounts")!;
    const eventTable = tableBySet("cosell_syncevents")!;
    const changedIds = new Set<string>();
    for (let k = 0; k < changed; k++) {
      const pair = ids[Math.floor((k * pairs) / changed)];
      changedIds.add(pair.opportunityId);
      if (k % 2 === 0) h.dvEmu.store.update(oppTable, pair.opportunityId, { estimatedvalue: 50_000 + k });
      else h.pcEmu.seller.update(pair.referralId, { dealValue: 60_000 + k });
    }
    const unchanged = ids.filter((p) => !changedIds.has(p.opportunityId));
    const versions = (p: (typeof ids)[number]) =>
      `${String(h.dvEmu.store.get(oppTable, p.opportunityId)?.versionnumber)}/${String(h.dvEmu.store.get(accountTable, p.accountId)?.versionnumber)}`;
    const versionsBefore = new Map(unchanged.map((p) => [p.opportunityId, versions(p)]));
    const eventsBefore = new Set(h.dvEmu.store.rows(eventTable).map((e) => e.cosell_synceventid));

    const counter = serviceCallCounter(h);
    const t0 = performance.now();
    const result = await h.service.reconcile({ full: true, concurrency: 8 });
    const wallMs = performance.now() - t0;
    counter.stop();
    const rowsRewritten = unchanged.filter((p) => versions(p) !== versionsBefore.get(p.opportunityId)).length;
    const unchangedIds = new Set(unchanged.map((p) => p.opportunityId));
    const eventsForUnchanged = h.dvEmu.store
      .rows(eventTable)
      .filter((e) => !eventsBefore.has(e.cosell_synceventid) && unchangedIds.has(String(e[`_${EV.opportunity}_value`]))).length;
    const unchangedWrites = rowsRewritten + eventsForUnchanged;
    const perChanged = counter.counts.dataverse / changed;
    return [
      { metric: `reconcile ${pairs} pairs: pairs written`, value: result.written, unit: "pairs", target: `= ${changed}`, pass: result.written === changed && result.failed === 0 },
      { metric: "Dataverse requests per changed pair", value: perChanged, unit: "requests", target: `≤ ${TARGET_REQUESTS_PER_CHANGED}`, pass: perChanged <= TARGET_REQUESTS_PER_CHANGED },
      { metric: "Dataverse writes for unchanged pairs", value: unchangedWrites, unit: "writes", target: "0", pass: unchangedWrites === 0 },
      { metric: "Dataverse requests in total (reads included)", value: counter.counts.dataverse, unit: "requests", target: "report", pass: true },
      { metric: "Dataverse write requests ($batch and single writes)", value: counter.counts.dataverseWrites, unit: "requests", target: "report", pass: true },
      { metric: "Partner Center requests", value: counter.counts.partnerCenter, unit: "requests", target: "report", pass: true },
      { metric: "reconcile wall time", value: wallMs / 1000, unit: "s", target: "report", pass: true },
    ];
  } finally {
    h.server.close();
  }
}

if (require.main === module) {
  runReconcileBench().then((m) => printMetrics(`Reconcile, ${PAIRS} pairs, ${CHANGED_SHARE * 100}% changed`, m)).catch((e) => {
    console.error(e);
    process.exitCode = 1;
  });
}
