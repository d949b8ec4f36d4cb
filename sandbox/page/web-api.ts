/** The page's Dataverse Web API and Partner Center calls (the emulators, over real HTTP). */

export interface SandboxConfig {
  /** e.g. http://127.0.0.1:4870/dataverse/api/data/v9.2 */
  dataverseApi: string;
  referralsApi: string;
  sellerApi: string;
  serviceHealth: string;
  /** The service's key, which the stuck list asks for (an admin has it; the sandbox is the admin). */
  serviceKey: string;
  userId: string;
}

export class HttpError extends Error {
  constructor(public readonly status: number, public readonly code: string, message: string) {
    super(message);
  }
}

const ENTITY_SETS: Record<string, string> = {
  opportunity: "opportunities",
  account: "accounts",
  contact: "contacts",
  lead: "leads",
  transactioncurrency: "transactioncurrencies",
  cosell_syncevent: "cosell_syncevents",
  cosell_setting: "cosell_settings",
};

export function entitySetOf(logicalName: string): string {
  const set = ENTITY_SETS[logicalName];
  if (!set) throw new Error(`The sandbox does not know the entity set of '${logicalName}'.`);
  return set;
}

async function parse(res: Response): Promise<unknown> {
  const text = await res.text();
  const body = text ? JSON.parse(text) : null;
  if (!res.ok) {
    const error = (body as { error?: { code?: string; message?: string } } | null)?.error;
    throw new HttpError(res.status, error?.code ?? String(res.status), error?.message ?? res.statusText);
  }
  return body;
}

export function createApi(config: SandboxConfig) {
  const dvHeaders = (extra: Record<string, string> = {}) => ({
    Accept: "application/json",
    "Content-Type": "application/json",
    "OData-Version": "4.0",
    "OData-MaxVersion": "4.0",
    Authorization: "Bearer sandbox-user",
    MSCRMCallerID: config.userId,
    ...extra,
  });
  const pcHeaders = { Accept: "application/json", "Content-Type": "application/json", Authorization: "Bearer sandbox-microsoft-seller" };

  async function dvGet<T>(path: string, maxPageSize?: number): Promise<T> {
    const url = path.startsWith("http") ? path : `${config.dataverseApi}/${path}`;
    const prefer = ['odata.include-annotations="*"', ...(maxPageSize ? [`odata.maxpagesize=${maxPageSize}`] : [])].join(",");
    return (await parse(await fetch(url, { headers: dvHeaders({ Prefer: prefer }) }))) as T;
  }

  return {
    config,
    dvGet,
    /** A page of rows as Xrm.WebApi.retrieveMultipleRecords answers it (the panel's and the ribbon's reads). */
    async retrieveMultiple(entity: string, query = "", maxPageSize?: number): Promise<{ entities: Array<Record<string, unknown>>; nextLink?: string }> {
      const page = await dvGet<{ value: Array<Record<string, unknown>>; "@odata.nextLink"?: string }>(`${entitySetOf(entity)}${query}`, maxPageSize);
      return { entities: page.value, nextLink: page["@odata.nextLink"] };
    },
    async dvPatch(path: string, body: unknown, etag?: string): Promise<void> {
      await parse(await fetch(`${config.dataverseApi}/${path}`, { method: "PATCH", headers: dvHeaders(etag ? { "If-Match": etag } : {}), body: JSON.stringify(body) }));
    },
    async dvPost<T>(path: string, body: unknown, returnRepresentation = false): Promise<T> {
      const res = await fetch(`${config.dataverseApi}/${path}`, {
        method: "POST",
        headers: dvHeaders(returnRepresentation ? { Prefer: "return=representation" } : {}),
        body: JSON.stringify(body),
      });
      return (await parse(res)) as T;
    },
    async referrals(): Promise<Array<Record<string, unknown>>> {
      const out: Array<Record<string, unknown>> = [];
      let url: string | undefined = `${config.referralsApi}?$orderby=updatedDateTime desc&$top=100`;
      while (url) {
        const page = (await parse(await fetch(url, { headers: pcHeaders }))) as { value: Array<Record<string, unknown>>; "@odata.nextLink"?: string };
        out.push(...page.value);
        url = page["@odata.nextLink"];
      }
      return out;
    },
    async seller<T>(method: "POST" | "PATCH", path: string, body: unknown): Promise<T> {
      return (await parse(await fetch(`${config.sellerApi}/${path}`, { method, headers: pcHeaders, body: JSON.stringify(body) }))) as T;
    },
    async setSignInExpired(expired: boolean): Promise<void> {
      await parse(await fetch("/sandbox/partner-center-sign-in", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ expired }) }));
    },
    async health(): Promise<Record<string, unknown>> {
      return (await parse(await fetch(config.serviceHealth))) as Record<string, unknown>;
    },
    async stuckRecords(): Promise<Array<{ opportunityId: string; topic: string | null; status: string; since: string; fix: string }>> {
      const res = await fetch(`${config.serviceHealth}/stuck`, { headers: { "x-cosell-key": config.serviceKey } });
      return ((await parse(res)) as { records: Array<{ opportunityId: string; topic: string | null; status: string; since: string; fix: string }> }).records;
    },
  };
}
export type Api = ReturnType<typeof createApi>;
