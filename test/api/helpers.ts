/** Small helpers shared by the service's end-to-end tests. */
import { SEEDED } from "../../emulators/dataverse";
import { SYNC_EVENT_COLUMNS as EV } from "../../sync/schema/dynamics";
import type { DataverseClient } from "../../sync/dataverse/client";
import { buildRemoteExecutionContext, wireValue } from "../../sync/dataverse/remote-execution-context";
import { SERVICE_URL, WEBHOOK_KEY, type createHarness } from "../../emulators/world";

export async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

/** A date `days` from today, YYYY-MM-DD. */
export const future = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);

export interface NewOpportunity {
  name: string;
  customer?: string;
  postalCode?: string;
  value?: number;
  sync?: boolean;
}

/** An account and an opportunity as a seller would create them (Sync = Yes unless told otherwise). */
export async function createOpportunity(dv: DataverseClient, o: NewOpportunity): Promise<string> {
  const accountId = await dv.createAccount({
    name: o.customer ?? `${o.name} Ltd`,
    address1_city: "Leeds",
    address1_postalcode: o.postalCode ?? "LS1 4AP",
    address1_country: "GB",
  });
  return dv.createOpportunity({
    name: o.name,
    estimatedvalue: o.value ?? 50_000,
    estimatedclosedate: future(60),
    "customerid_account@odata.bind": `/accounts(${accountId})`,
    "transactioncurrencyid@odata.bind": `/transactioncurrencies(${SEEDED.currencies.GBP})`,
    cosell_solutionids: "SOL-15974-MQF",
    cosell_syncwithpartnercenter: o.sync ?? true,
  });
}

/** Every sync event on the opportunity's timeline, newest first. */
export async function syncEvents(dv: DataverseClient, opportunityId: string): Promise<Array<Record<string, unknown>>> {
  const out: Array<Record<string, unknown>> = [];
  let next: string | undefined;
  do {
    const page = await dv.listSyncEvents(opportunityId, { top: 200, next });
    out.push(...page.items);
    next = page.next;
  } while (next);
  return out;
}

export const eventOperationId = (e: Record<string, unknown>) => e[EV.operationId];

/** A RemoteExecutionContext as Dataverse posts it for `messageName` on the opportunity (the seller initiating unless told). */
export function context(
  messageName: string,
  opportunityId: string,
  extra: { operationId?: string; input?: Record<string, unknown>; primaryEntityId?: string; initiatingUserId?: string } = {},
) {
  return buildRemoteExecutionContext({
    messageName,
    primaryEntityName: "opportunity",
    primaryEntityId: extra.primaryEntityId ?? opportunityId,
    operationId: extra.operationId ?? crypto.randomUUID(),
    correlationId: crypto.randomUUID(),
    initiatingUserId: extra.initiatingUserId ?? SEEDED.sellerUserId,
    userId: SEEDED.applicationUserId,
    businessUnitId: SEEDED.businessUnitId,
    organizationId: SEEDED.organizationId,
    organizationName: "contoso",
    inputParameters: extra.input ?? { Target: wireValue.entityReference({ Id: opportunityId, LogicalName: "opportunity" }) },
    depth: 1,
    mode: messageName.startsWith("cosell_") ? 0 : 1,
    stage: 40,
    operationCreatedOn: new Date(),
  });
}

/** Posts a context to the service's Dataverse endpoint with the right key. */
export const postContext = (body: unknown) =>
  fetch(`${SERVICE_URL}/api/dataverse`, { method: "POST", headers: { "x-cosell-key": WEBHOOK_KEY, "content-type": "application/json" }, body: JSON.stringify(body) });

type RequestStart = { request: Request; requestId: string };
type RequestEnd = { response: Response; requestId: string };

/** Runs `run` with listeners on the harness's requests as they start and as their (mocked) answers come. */
export async function watchingRequests(
  h: ReturnType<typeof createHarness>,
  listeners: { start?: (e: RequestStart) => void; end?: (e: RequestEnd) => void },
  run: () => Promise<unknown>,
): Promise<void> {
  if (listeners.start) h.server.events.on("request:start", listeners.start);
  if (listeners.end) h.server.events.on("response:mocked", listeners.end);
  try {
    await run();
  } finally {
    if (listeners.start) h.server.events.removeListener("request:start", listeners.start);
    if (listeners.end) h.server.events.removeListener("response:mocked", listeners.end);
  }
}

/** Requests the service (its application user) makes to Dataverse while `run` runs, as "METHOD path". */
export async function serviceDataverseRequests(h: ReturnType<typeof createHarness>, run: () => Promise<unknown>): Promise<string[]> {
  const apiPath = new URL(h.dvEmu.apiUrl).pathname;
  const seen: string[] = [];
  const start = ({ request }: RequestStart) => {
    if (!request.url.startsWith(h.dvEmu.apiUrl)) return;
    if (request.headers.get("authorization") !== `Bearer ${SEEDED.applicationUserId}`) return;
    seen.push(`${request.method} ${new URL(request.url).pathname.slice(apiPath.length)}`);
  };
  await watchingRequests(h, { start }, run);
  return seen;
}
