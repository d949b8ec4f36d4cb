/**
 * Backfill / link: pairs existing Partner Center referrals with existing Dynamics 365 opportunities
 * so installing the connector on a tenant with history links deals instead of re-creating them.
 * Match on the referral's externalReferenceId (= opportunity id) first, then on customer name +
 * postal code + deal name. Dry run by default: it only says what it would do.
 */
import { OPPORTUNITY_COLUMNS as C } from "../../sync/schema/dynamics";
import { referralLink, type Referral } from "../../sync/schema/referral";
import type { Logger } from "./logger";
import type { SyncPipeline } from "./pipeline";
import type { DataversePort, DealWithETag, PartnerCenterPort } from "../ports";

export interface BackfillOptions {
  /** Write the links (default: dry run). */
  apply?: boolean;
  onProgress?: (done: number, total: number) => void;
}

export type BackfillAction = "link" | "alreadyLinked" | "noMatch" | "ambiguous";

export interface BackfillItem {
  referralId: string;
  referralName: string;
  action: BackfillAction;
  matchedBy?: "externalReferenceId" | "customerAndName";
  opportunityId?: string;
  opportunityName?: string | null;
  /** With --apply: what happened when the link was written. */
  applied?: "linked" | "failed";
  error?: string;
}

export interface BackfillResult {
  dryRun: boolean;
  items: BackfillItem[];
  counts: Record<BackfillAction, number>;
}

export interface BackfillDeps {
  partnerCenter: PartnerCenterPort;
  dataverse: DataversePort;
  pipeline: SyncPipeline;
  logger: Logger;
  now: () => Date;
}

const norm = (s: string | null | undefined) => (s ?? "").trim().replace(/\s+/g, " ").toLowerCase();

/** The matching key of the second rule: customer name, postal code and deal name together. */
function customerKey(customer: string | null | undefined, postalCode: string | null | undefined, dealName: string | null | undefined): string | null {
  if (!norm(customer) || !norm(dealName)) return null;
  return `${norm(customer)}|${norm(postalCode).replace(/\s/g, "")}|${norm(dealName)}`;
}

export async function backfill(deps: BackfillDeps, options: BackfillOptions = {}): Promise<BackfillResult> {
  const deals = new Map<string, DealWithETag>();
  const linkedReferrals = new Set<string>();
  const byCustomer = new Map<string, string[]>();
  for await (const loaded of deps.dataverse.listDealsForMatching()) {
    const opp = loaded.deal.opportunity;
    deals.set(opp.opportunityid.toLowerCase(), loaded);
    const rid = opp[C.referralId] as string | null | undefined;
    if (rid) {
      linkedReferrals.add(rid);
      continue;
    }
    const key = customerKey(loaded.deal.account?.name, loaded.deal.account?.address1_postalcode, opp.name);
    if (key) byCustomer.set(key, [...(byCustomer.get(key) ?? []), opp.opportunityid.toLowerCase()]);
  }

  const referrals: Referral[] = [];
  for await (const r of deps.partnerCenter.listUpdatedSince(null)) referrals.push(r);

  const items: BackfillItem[] = [];
  const claimed = new Set<string>();
  for (const referral of referrals) {
    const item: BackfillItem = { referralId: referral.id, referralName: referral.name, action: "noMatch" };
    items.push(item);
    if (linkedReferrals.has(referral.id)) {
      item.action = "alreadyLinked";
      continue;
    }
    const ext = referral.externalReferenceId?.toLowerCase();
    let candidates: string[] = [];
    if (ext && deals.has(ext)) {
      candidates = [ext];
      item.matchedBy = "externalReferenceId";
    } else {
      const key = customerKey(referral.customerProfile?.name, referral.customerProfile?.address?.postalCode, referral.name);
      candidates = (key ? byCustomer.get(key) ?? [] : []).filter((id) => !claimed.has(id));
      if (candidates.length > 0) item.matchedBy = "customerAndName";
    }
    if (candidates.length > 1) {
      item.action = "ambiguous";
      continue;
    }
    if (candidates.length === 1 && !deals.get(candidates[0])!.deal.opportunity[C.referralId]) {
      item.action = "link";
      item.opportunityId = candidates[0];
      item.opportunityName = deals.get(candidates[0])!.deal.opportunity.name ?? null;
      claimed.add(candidates[0]);
    }
  }

  if (options.apply) {
    const links = items.filter((i) => i.action === "link");
    let done = 0;
    options.onProgress?.(0, links.length);
    for (const item of links) {
      try {
        await deps.dataverse.write([
          {
            kind: "update",
            entitySet: "opportunities",
            id: item.opportunityId!,
            changes: { [C.referralId]: item.referralId, [C.referralLink]: referralLink(item.referralId), [C.syncWithPartnerCenter]: true },
          },
        ]);
        // The first sync of the linked pair takes a baseline; it re-creates nothing.
        const outcome = await deps.pipeline.syncOpportunity(item.opportunityId!, { trigger: "backfill" });
        item.applied = outcome.result === "error" ? "failed" : "linked";
        if (outcome.result === "error") item.error = outcome.message;
      } catch (e) {
        item.applied = "failed";
        item.error = (e as Error).message;
      }
      options.onProgress?.(++done, links.length);
    }
  }

  const counts: Record<BackfillAction, number> = { link: 0, alreadyLinked: 0, noMatch: 0, ambiguous: 0 };
  for (const i of items) counts[i.action]++;
  deps.logger.info({ counts, apply: !!options.apply }, "backfill done");
  return { dryRun: !options.apply, items, counts };
}

/** The dry-run report a person reads. */
export function formatBackfill(result: BackfillResult): string {
  const verb = result.dryRun ? "would link" : "linked";
  const lines = result.items.map((i) => {
    switch (i.action) {
      case "link":
        return `${i.applied === "failed" ? "FAILED to link" : verb}  ${i.referralId} "${i.referralName}" → opportunity ${i.opportunityId} "${i.opportunityName ?? ""}" (by ${i.matchedBy})${i.error ? `: ${i.error}` : ""}`;
      case "alreadyLinked":
        return `already linked  ${i.referralId} "${i.referralName}"`;
      case "ambiguous":
        return `ambiguous  ${i.referralId} "${i.referralName}": several opportunities match; link it by hand`;
      default:
        return `no match  ${i.referralId} "${i.referralName}"`;
    }
  });
  const c = result.counts;
  lines.push(
    `${c.link} to link, ${c.alreadyLinked} already linked, ${c.ambiguous} ambiguous, ${c.noMatch} without a match.${result.dryRun ? " Dry run: run with --apply to write the links." : ""}`,
  );
  return lines.join("\n");
}
