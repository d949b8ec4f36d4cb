/**
 * What the service's instances share, so that N of them run as one (api/README.md, "Running
 * several instances"): the webhook de-duplication, the daily Partner Center call count and the
 * reconcile lease. With COSELL_STATE_CONNECTION_STRING they live in Azure Table storage; without
 * it in this process's memory, which is right for one instance only — the service says so at start.
 */
import { randomUUID } from "node:crypto";
import os from "node:os";
import type { CallCountStore } from "../../sync/partner-center/call-budget";
import type { Logger } from "../core/logger";
import { AzureEntityTable, tableEndpointOf } from "./azure-table";
import { SharedCallCounts } from "./call-counts";
import { TABLE_NAME, type EntityTable } from "./entity-table";
import { MemoryEntityTable } from "./memory-table";
import { TableLease, type Lease } from "./reconcile-lease";
import { WebhookClaims, type WebhookDedupe } from "./webhook-claims";

export interface StateConfig {
  /** Azure Table storage; absent: in memory, one instance only. */
  connectionString?: string;
  /** The tables are `<prefix>Webhooks`, `<prefix>CallCounts`, `<prefix>Leases`. */
  tablePrefix: string;
}

export const DEFAULT_TABLE_PREFIX = "cosell";
const TABLE_SUFFIXES = { webhooks: "Webhooks", callCounts: "CallCounts", leases: "Leases" } as const;

/** Why a table-name prefix cannot be used, or undefined when it can. */
export function tablePrefixProblem(prefix: string): string | undefined {
  const longest = Math.max(...Object.values(TABLE_SUFFIXES).map((s) => s.length));
  if (TABLE_NAME.test(`${prefix}${"x".repeat(longest)}`) && /^[A-Za-z][A-Za-z0-9]*$/.test(prefix)) return undefined;
  return `must be letters and digits, a letter first, at most ${63 - longest} characters (Table storage names its tables so); got "${prefix}"`;
}

export interface SharedState {
  /** Where it lives: "memory" is this instance's own. */
  readonly kind: "memory" | "azureTable";
  readonly webhooks: WebhookDedupe;
  readonly reconcileLease: Lease;
  /** Absent in memory: this process's count is then the whole count, as the CallBudget keeps it. */
  readonly callCounts?: CallCountStore;
  /** Deletes entities past their expiry (Table storage has no time-to-live); the reconcile lease holder runs it. */
  prune(): Promise<number>;
}

export interface SharedStateOptions {
  now?: () => Date;
  /** This instance, as the claims and the lease name it; default host, process and a random part. */
  holder?: string;
  /** How long a duplicate delivery waits for the claim of the sync in flight (tests shorten it). */
  busyWaitMs?: number;
  /** Longest wait for one storage operation. */
  timeoutMs?: number;
}

/** Entities deleted per table by one prune: a pass stays short, the next one continues. */
const PRUNE_LIMIT = 500;

function sharedStateOver(kind: SharedState["kind"], tables: Record<keyof typeof TABLE_SUFFIXES, EntityTable>, options: SharedStateOptions): SharedState {
  const now = options.now ?? (() => new Date());
  const holder = options.holder ?? `${os.hostname()}/${process.pid}/${randomUUID().slice(0, 8)}`;
  return {
    kind,
    webhooks: new WebhookClaims(tables.webhooks, { now, holder, busyWaitMs: options.busyWaitMs }),
    reconcileLease: new TableLease(tables.leases, { now, holder }),
    callCounts: kind === "memory" ? undefined : new SharedCallCounts(tables.callCounts),
    async prune() {
      let deleted = 0;
      for (const table of Object.values(tables)) {
        for (const { key, etag } of await table.expired(now(), PRUNE_LIMIT)) if (await table.remove(key, etag)) deleted++;
      }
      return deleted;
    },
  };
}

const tablesOf = (make: (name: string) => EntityTable, prefix: string) =>
  Object.fromEntries(Object.entries(TABLE_SUFFIXES).map(([part, suffix]) => [part, make(`${prefix}${suffix}`)])) as Record<keyof typeof TABLE_SUFFIXES, EntityTable>;

export function memorySharedState(options: SharedStateOptions = {}): SharedState {
  return sharedStateOver("memory", tablesOf((name) => new MemoryEntityTable(name), DEFAULT_TABLE_PREFIX), options);
}

export function azureTableSharedState(config: Required<StateConfig>, options: SharedStateOptions = {}): SharedState {
  return sharedStateOver("azureTable", tablesOf((name) => new AzureEntityTable(config.connectionString, name, { timeoutMs: options.timeoutMs }), config.tablePrefix), options);
}

/** The shared state the configuration names, announced in the log once (never the key). */
export function openSharedState(config: StateConfig | undefined, logger: Logger, options: SharedStateOptions = {}): SharedState {
  if (!config?.connectionString) {
    logger.info(
      { sharedState: "memory" },
      "Shared state is in this instance's memory (webhook de-duplication, Partner Center call budget, reconcile lease): run one instance only, or set COSELL_STATE_CONNECTION_STRING to share it",
    );
    return memorySharedState(options);
  }
  const endpoint = tableEndpointOf(config.connectionString);
  logger.info(
    { sharedState: "azureTable", endpoint: `${endpoint.origin}${endpoint.pathname}`, tablePrefix: config.tablePrefix },
    "Shared state in Azure Table storage: instances with this connection string run as one",
  );
  return azureTableSharedState({ connectionString: config.connectionString, tablePrefix: config.tablePrefix }, options);
}
