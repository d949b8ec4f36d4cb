/**
 * The opportunity as the Update step's post-image carries it (solution/src/SdkMessageProcessingSteps):
 * every column the service reads of an opportunity (OPPORTUNITY_SELECT), so a seller's save can
 * be planned without reading the row again.
 *
 * What Microsoft documents and what follows from it (docs/contracts.md, "Step images"):
 * - an image holds the columns its `Attributes` list names, as the row was after the operation
 *   (register-plug-in.md, "Define table images"); an empty list would mean every column;
 * - lookups come as EntityReferences under the column's logical name (`customerid`), not the Web
 *   API's `_customerid_value`;
 * - the image Entity's own `RowVersion` is null in Microsoft's webhook sample (use-webhooks.md), so
 *   the row's version is asked for as a column: `versionnumber`, the value the Web API's weak ETag
 *   carries (`W/"<versionnumber>"`). The docs call ETags opaque, so this is used only for If-Match:
 *   if it were ever not the ETag, the write fails with 412 and the pipeline reads the row again.
 * - a column that is null in the row is not in the image (as in a Retrieve; the docs do not say
 *   otherwise), so an absent column reads as null. That is only sound for an image that lists
 *   every column read: the alias names the list (DEAL_IMAGE.alias), and an image under any other
 *   alias (an older registration) is not used for this.
 */
import type { OpportunityRecord } from "../schema/dynamics";
import { OPPORTUNITY_SELECT } from "./client";
import type { EntityReference, EntityValue, RemoteExecutionContext } from "./remote-execution-context";

/** The row version column the Web API's ETag is made from. */
const VERSION_COLUMN = "versionnumber";

/** `_customerid_value` → `customerid`: the logical name an image (like any SDK Entity) uses for a lookup. */
const lookupName = (select: string): string | undefined => /^_(.+)_value$/.exec(select)?.[1];

/** Date-only columns: the Web API gives `YYYY-MM-DD`, an image a DateTime. */
const DATE_ONLY = new Set(["estimatedclosedate"]);

/**
 * The post-image the Update step registers. The alias changes whenever the column list does, so
 * an org whose step still has an older list (until `cosell install` repairs it) is never read as
 * if its missing columns were null.
 */
export const DEAL_IMAGE = {
  alias: "CoSellOpportunity1",
  attributes: [...OPPORTUNITY_SELECT.map((c) => lookupName(c) ?? c), VERSION_COLUMN],
} as const;

export interface OpportunityImage {
  opportunity: OpportunityRecord;
  /** The ETag of the row as the image shows it. */
  etag: string;
}

/**
 * The opportunity of the step's post-image in the Web API's shape, or undefined when the context
 * has no complete image of it (another alias, no version, or a value the Web API would spell in
 * a way the image cannot tell, e.g. a date-only value that is not at midnight UTC).
 */
export function opportunityImageOf(rec: RemoteExecutionContext): OpportunityImage | undefined {
  const image = rec.PostEntityImages[DEAL_IMAGE.alias];
  if (!image || image.LogicalName !== "opportunity" || image.Id.toLowerCase() !== rec.PrimaryEntityId.toLowerCase()) return undefined;
  const etag = etagOf(image);
  if (!etag) return undefined;
  const opportunity: Record<string, unknown> = { opportunityid: image.Id.toLowerCase() };
  for (const column of OPPORTUNITY_SELECT) {
    if (column === "opportunityid") continue;
    const lookup = lookupName(column);
    const value = image.Attributes[lookup ?? column];
    if (lookup) {
      const ref = value as EntityReference | null | undefined;
      opportunity[column] = ref && typeof ref.Id === "string" ? ref.Id.toLowerCase() : null;
      continue;
    }
    const read = webApiValue(column, value);
    if (read === INCOMPLETE) return undefined;
    opportunity[column] = read;
  }
  return { opportunity: opportunity as OpportunityRecord, etag };
}

const INCOMPLETE = Symbol("incomplete");

function webApiValue(column: string, value: unknown): unknown {
  if (value === undefined || value === null) return null;
  if (!(value instanceof Date)) return value;
  if (!DATE_ONLY.has(column)) return value.toISOString().replace(/\.000Z$/, "Z");
  // A date-only value at midnight UTC is that date; any other instant depends on a time zone the image does not name.
  const iso = value.toISOString();
  return iso.endsWith("T00:00:00.000Z") ? iso.slice(0, 10) : INCOMPLETE;
}

/** The image's RowVersion when Dataverse fills it, else its `versionnumber` column. */
function etagOf(image: EntityValue): string | undefined {
  if (typeof image.RowVersion === "string" && /^\d+$/.test(image.RowVersion)) return `W/"${image.RowVersion}"`;
  const version = image.Attributes[VERSION_COLUMN];
  if (typeof version === "number" && Number.isInteger(version)) return `W/"${version}"`;
  if (typeof version === "string" && /^\d+$/.test(version)) return `W/"${version}"`;
  return undefined;
}
