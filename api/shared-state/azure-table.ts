/**
 * The entity table on Azure Table storage (@azure/data-tables), for instances that share state.
 * Microsoft's semantics it relies on: Insert Entity answers 409 (EntityAlreadyExists) when the key
 * exists; Update (replace mode) and Delete Entity with If-Match answer 412
 * (UpdateConditionNotSatisfied) when the ETag is no longer the entity's, 404 when it is gone.
 * Those answers are results; anything else (no answer, a timeout, 5xx, a refused key) is
 * SharedStateUnavailableError, after the SDK's own short retries.
 */
import { odata, TableClient, type TableEntityResult } from "@azure/data-tables";
import type { EntityKey, EntityTable, EntityValue, Stored } from "./entity-table";
import { SharedStateUnavailableError } from "./errors";

export interface AzureTableOptions {
  /** Longest wait for one operation, retries included; the webhook answers within it. Default 5 s. */
  timeoutMs?: number;
}

/** Table storage's base URL in a connection string; throws with the SDK's reason when it is not one. */
export function tableEndpointOf(connectionString: string): URL {
  const url = new URL(TableClient.fromConnectionString(connectionString, "probe").url);
  url.pathname = url.pathname.replace(/\/probe\/?$/, "");
  return url;
}

/** Plain http only to storage on this machine (Azurite): account keys are not sent in the clear elsewhere. */
export function isLoopbackHttp(url: URL): boolean {
  return url.protocol === "http:" && ["127.0.0.1", "localhost", "[::1]"].includes(url.hostname);
}

const statusOf = (e: unknown) => (e as { statusCode?: number }).statusCode;

export class AzureEntityTable implements EntityTable {
  private readonly client: TableClient;
  private readonly timeoutMs: number;
  private created?: Promise<void>;

  constructor(connectionString: string, readonly name: string, options: AzureTableOptions = {}) {
    this.client = TableClient.fromConnectionString(connectionString, name, {
      allowInsecureConnection: isLoopbackHttp(tableEndpointOf(connectionString)),
      // Short: a caller is waiting (a webhook), and each caller has its own way to try again later.
      retryOptions: { maxRetries: 2, retryDelayInMs: 100, maxRetryDelayInMs: 1000 },
    });
    this.timeoutMs = options.timeoutMs ?? 5000;
  }

  async read<T extends EntityValue>(key: EntityKey): Promise<Stored<T> | undefined> {
    return this.call("read", { 404: () => undefined }, async (abortSignal) => {
      const entity = await this.client.getEntity(key.partition, key.row, { abortSignal });
      return { value: valueOf(entity) as T, etag: entity.etag };
    });
  }

  async insert<T extends EntityValue>(key: EntityKey, value: T): Promise<string | undefined> {
    const insert = () =>
      this.call("insert", { 409: () => undefined }, async (abortSignal) => {
        const answer = await this.client.createEntity({ partitionKey: key.partition, rowKey: key.row, ...value }, { abortSignal });
        return answer.etag;
      });
    try {
      return await insert();
    } catch (e) {
      // The table itself is gone (deleted, or a fresh storage emulator): make it again, once.
      if (!(e instanceof SharedStateUnavailableError && statusOf(e.cause) === 404)) throw e;
      this.created = undefined;
      return insert();
    }
  }

  async replace<T extends EntityValue>(key: EntityKey, value: T, etag: string): Promise<string | undefined> {
    return this.call("replace", { 404: () => undefined, 412: () => undefined }, async (abortSignal) => {
      const answer = await this.client.updateEntity({ partitionKey: key.partition, rowKey: key.row, ...value }, "Replace", { etag, abortSignal });
      return answer.etag;
    });
  }

  async remove(key: EntityKey, etag: string): Promise<boolean> {
    return this.call("delete", { 404: () => false, 412: () => false }, async (abortSignal) => {
      await this.client.deleteEntity(key.partition, key.row, { etag, abortSignal });
      return true;
    });
  }

  async expired(before: Date, limit: number): Promise<Array<{ key: EntityKey; etag: string }>> {
    return this.call("query", {}, async (abortSignal) => {
      const out: Array<{ key: EntityKey; etag: string }> = [];
      const pages = this.client.listEntities({ queryOptions: { filter: odata`expiresAt lt ${before}` }, abortSignal }).byPage({ maxPageSize: limit });
      for await (const page of pages) {
        for (const e of page) if (out.length < limit) out.push({ key: { partition: e.partitionKey!, row: e.rowKey! }, etag: e.etag });
        if (out.length >= limit) break;
      }
      return out;
    });
  }

  /** Runs one operation (the table made first), turning the expected refusals into results and every other failure into "unavailable". */
  private async call<R>(what: string, expected: Partial<Record<number, () => R>>, run: (abortSignal: AbortSignal) => Promise<R>): Promise<R> {
    await this.ensureTable();
    try {
      return await withinTimeout(this.timeoutMs, run);
    } catch (e) {
      const status = statusOf(e);
      const answer = status === undefined ? undefined : expected[status];
      if (answer) return answer();
      throw unavailable(`${what} in table ${this.name}`, e);
    }
  }

  private ensureTable(): Promise<void> {
    // createTable answers success when the table exists already; a failure is retried by the next call.
    this.created ??= withinTimeout(this.timeoutMs, (abortSignal) => this.client.createTable({ abortSignal })).catch((e: unknown) => {
      this.created = undefined;
      throw unavailable(`create table ${this.name}`, e);
    });
    return this.created;
  }
}

/**
 * Runs one operation with a signal that aborts it after `ms`, and disarms the signal once it is
 * done: a timeout signal left armed (AbortSignal.timeout) still fires on the finished request's
 * socket, which some HTTP stacks report as an unhandled error.
 */
async function withinTimeout<R>(ms: number, run: (abortSignal: AbortSignal) => Promise<R>): Promise<R> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new DOMException(`no answer within ${ms} ms`, "TimeoutError")), ms);
  try {
    return await run(controller.signal);
  } finally {
    clearTimeout(timer);
  }
}

function unavailable(what: string, e: unknown): SharedStateUnavailableError {
  const status = statusOf(e);
  const reason = `${status ? `HTTP ${status} ` : ""}${(e as { code?: string }).code ?? ""} ${(e as Error).message ?? String(e)}`.replace(/\s+/g, " ").trim();
  return new SharedStateUnavailableError(`${what}: ${reason}`, { cause: e });
}

/** The entity's own properties, without the keys and the service's metadata. */
function valueOf(entity: TableEntityResult<Record<string, unknown>>): EntityValue {
  const value: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(entity)) {
    if (["partitionKey", "rowKey", "etag", "timestamp"].includes(k) || k.startsWith("odata.")) continue;
    value[k] = v;
  }
  return value as EntityValue;
}
