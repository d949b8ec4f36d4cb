/**
 * The webhook steps. The Update step fires only for the columns the sync maps (the default
 * mapping's opportunity columns, and the contact and currency lookups whose rows it sends from)
 * and the sync toggle, so unrelated edits cost no service call.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { OPPORTUNITY_COLUMNS } from "../../sync/schema/dynamics";
import { el, kid, type XNode } from "./xml";

/** Used only while sync/engine/default-mapping.json does not exist yet. */
const FALLBACK_COLUMNS = ["name", "estimatedvalue", "estimatedclosedate", "description", "statecode", "statuscode"];
/** Co-sell columns a seller edits (the rest are written by the service itself and must not echo). */
const USER_COLUMNS = [
  OPPORTUNITY_COLUMNS.syncWithPartnerCenter, OPPORTUNITY_COLUMNS.howCanMicrosoftHelp, OPPORTUNITY_COLUMNS.solutionIds,
  OPPORTUNITY_COLUMNS.closeReason, OPPORTUNITY_COLUMNS.referralVisibility,
];

/**
 * Opportunity columns of the default mapping (`"column": "opportunity.x"`) that travel to Partner Center,
 * plus the seller's co-sell columns. A field mapped only `toDynamics` (the Microsoft CRM ID) is the
 * service's own write: a change to it has nothing to send, and must not echo.
 */
export function filteringAttributes(root: string): string[] {
  const file = join(root, "sync/engine/default-mapping.json");
  const mapped = existsSync(file) ? mappedOpportunityColumns(JSON.parse(readFileSync(file, "utf8"))) : FALLBACK_COLUMNS;
  return [...new Set([...mapped, ...USER_COLUMNS])].sort();
}

/**
 * The opportunity's lookups to the rows other mapped columns live on: choosing another contact or
 * currency changes what a sync sends, so it must fire the step too. Not the customer: its columns
 * go only in the new referral (`sendOn: create`), so a later change has nothing to send.
 */
const LOOKUP_OF_TABLE: Record<string, string> = { account: "customerid", contact: "parentcontactid", currency: "transactioncurrencyid" };

function mappedOpportunityColumns(doc: unknown): string[] {
  const found: string[] = [];
  const visit = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(visit);
    else if (v && typeof v === "object") {
      const field = v as { direction?: unknown; sendOn?: unknown };
      const inboundOnly = field.direction === "toDynamics";
      for (const [k, x] of Object.entries(v)) {
        if (k === "column" && typeof x === "string" && x.startsWith("opportunity.")) {
          if (!inboundOnly) found.push(x.slice("opportunity.".length).split(".")[0]);
        } else if (k === "column" && typeof x === "string" && LOOKUP_OF_TABLE[x.split(".")[0]]) {
          if (!inboundOnly && field.sendOn !== "create") found.push(LOOKUP_OF_TABLE[x.split(".")[0]]);
        } else visit(x);
      }
    }
  };
  visit(doc);
  return found;
}

/** Fills an Update step's FilteringAttributes. */
export function withFilteringAttributes(step: XNode, attributes: string[]): XNode {
  if (!kid(step, "FilteringAttributes")) return step;
  return { ...step, children: step.children.map((c) => (c.name === "FilteringAttributes" ? el("FilteringAttributes", {}, attributes.join(",")) : c)) };
}

/** Message ids of the platform messages the packed steps use (same in every org). */
export const PLATFORM_MESSAGES: Record<string, string> = {
  "9ebdbb1b-ea3e-db11-86a7-000a3a5473e8": "Create",
  "20bebb1b-ea3e-db11-86a7-000a3a5473e8": "Update",
};
export const bareGuid = (g: string): string => g.replace(/[{}]/g, "").toLowerCase();
