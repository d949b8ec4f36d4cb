/**
 * The emulator's rows, per entity set. Every write stamps `modifiedon` and a `versionnumber`
 * taken from one organisation-wide counter (like SQL rowversion), which is what the weak ETag
 * carries. Alternate keys are unique. `transaction` undoes the rows its body wrote if the body
 * throws, so a change set or a failing synchronous step leaves nothing behind.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { type Random } from "../kit/random";
import { faults } from "./errors";
import { TABLES, tableBySet, type TableDef } from "./schema";

export type Row = Record<string, unknown>;

export interface StoreState {
  version: number;
  tables: Record<string, Record<string, Row>>;
}

/** Lookup target annotations are kept on the row (they tell a customer account from a contact). */
export const LOOKUP_TARGET_SUFFIX = "@Microsoft.Dynamics.CRM.lookuplogicalname";

export function etagOf(row: Row): string {
  return `W/"${row.versionnumber}"`;
}

/** One write of a transaction: the row before and after it (undefined: no row). */
interface UndoEntry {
  set: string;
  id: string;
  before: Row | undefined;
  after: Row | undefined;
}

function emptyState(): StoreState {
  return { version: 1000, tables: Object.fromEntries(TABLES.map((t) => [t.entitySet, {}])) };
}

/** An alternate key's value as an index entry: strings compare case-insensitively; null when a part is empty. */
function keyValue(cols: readonly string[], values: Row): string | null {
  const parts: unknown[] = [];
  for (const c of cols) {
    const v = values[c];
    if (v == null) return null;
    parts.push(typeof v === "string" ? v.toLowerCase() : v);
  }
  return JSON.stringify(parts);
}

export class DataverseStore {
  private state: StoreState = emptyState();
  /** Per entity set, per alternate key (columns joined by ","), key value → row id: lookups cost no scan. */
  private keyIndex = new Map<string, Map<string, Map<string, string>>>();
  /**
   * The undo log of the transaction the current async context runs in. Requests interleave (a
   * synchronous step calls the service, which writes through its own requests), so the log
   * follows the async context rather than being one store-wide list.
   */
  private readonly undo = new AsyncLocalStorage<UndoEntry[]>();

  constructor(
    private readonly now: () => Date,
    private readonly random: Random,
  ) {}

  /** A v4-shaped GUID from the seeded PRNG, so a seeded run creates the same ids. */
  newId(): string {
    const hex = Array.from({ length: 32 }, () => Math.floor(this.random() * 16).toString(16));
    hex[12] = "4";
    hex[16] = ((parseInt(hex[16], 16) & 0x3) | 0x8).toString(16);
    const s = hex.join("");
    return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`;
  }

  timestamp(): string {
    return this.now().toISOString().replace(/\.\d{3}Z$/, "Z");
  }

  rows(t: TableDef): Row[] {
    return Object.values(this.state.tables[t.entitySet]);
  }

  get(t: TableDef, id: string): Row | undefined {
    return this.state.tables[t.entitySet][id.toLowerCase()];
  }

  require(t: TableDef, id: string): Row {
    const row = this.get(t, id);
    if (!row) throw faults.notFound(t.logicalName, id);
    return row;
  }

  findByKey(t: TableDef, key: Record<string, unknown>): Row | undefined {
    const cols = Object.keys(key);
    const alternate = t.alternateKeys.find((k) => k.length === cols.length && k.every((c) => c in key));
    if (alternate) {
      const value = keyValue(alternate, key);
      const id = value === null ? undefined : this.keyIndex.get(t.entitySet)?.get(alternate.join(","))?.get(value);
      return id === undefined ? undefined : this.state.tables[t.entitySet][id];
    }
    return this.rows(t).find((r) => cols.every((c) => sameValue(r[c], key[c])));
  }

  insert(t: TableDef, values: Row): Row {
    const id = String(values[t.primaryKey] ?? this.newId()).toLowerCase();
    if (this.get(t, id)) throw faults.alreadyExists();
    const stamp = this.timestamp();
    const state = typeof values.statecode === "number" ? values.statecode : 0;
    const row: Row = {
      ...values,
      [t.primaryKey]: id,
      statecode: state,
      statuscode: values.statuscode ?? t.defaultStatus[state] ?? 1,
      createdon: stamp,
      modifiedon: stamp,
      versionnumber: ++this.state.version,
    };
    this.checkKeys(t, row);
    this.put(t.entitySet, id, row);
    return row;
  }

  update(t: TableDef, id: string, values: Row): Row {
    const current = this.require(t, id);
    const row: Row = { ...current, ...values, modifiedon: this.timestamp(), versionnumber: ++this.state.version };
    this.checkKeys(t, row);
    this.put(t.entitySet, current[t.primaryKey] as string, row);
    return row;
  }

  remove(t: TableDef, id: string): void {
    const row = this.require(t, id);
    this.put(t.entitySet, row[t.primaryKey] as string, undefined);
  }

  /** The one place rows change: logs the previous row for the running transaction. Rows are never mutated in place. */
  private put(set: string, id: string, row: Row | undefined): void {
    this.undo.getStore()?.push({ set, id, before: this.state.tables[set][id], after: row });
    this.setRow(set, id, row);
  }

  /** Replaces (or deletes) a row and keeps the alternate-key index in step. */
  private setRow(set: string, id: string, row: Row | undefined): void {
    const rows = this.state.tables[set];
    const t = tableBySet(set);
    for (const key of t?.alternateKeys ?? []) {
      const name = key.join(",");
      let index = this.keyIndex.get(set)?.get(name);
      if (!index) {
        index = new Map();
        this.keyIndex.set(set, (this.keyIndex.get(set) ?? new Map()).set(name, index));
      }
      const old = rows[id] ? keyValue(key, rows[id]) : null;
      if (old !== null && index.get(old) === id) index.delete(old);
      const next = row ? keyValue(key, row) : null;
      if (next !== null) index.set(next, id);
    }
    if (row) rows[id] = row;
    else delete rows[id];
  }

  private checkKeys(t: TableDef, row: Row): void {
    for (const key of t.alternateKeys) {
      const value = keyValue(key, row);
      if (value === null) continue;
      const owner = this.keyIndex.get(t.entitySet)?.get(key.join(","))?.get(value);
      if (owner !== undefined && owner !== row[t.primaryKey]) throw faults.duplicateKey(t.logicalName, key);
    }
  }

  /** Rebuilds the alternate-key index from the rows (after loading or resetting the state). */
  private reindex(): void {
    const tables = this.state.tables;
    this.state.tables = Object.fromEntries(Object.keys(tables).map((set) => [set, {}]));
    this.keyIndex.clear();
    for (const [set, rows] of Object.entries(tables)) for (const [id, row] of Object.entries(rows)) this.setRow(set, id, row);
  }

  /**
   * Runs `body`; if it throws, every row it wrote goes back to how it was (newest change undone
   * first). The cost is the rows touched, not the size of the store. Each transaction is its own:
   * a request made while another one runs (the service answering a synchronous step, then writing
   * through the Web API) commits on its own, as separate requests do in Dataverse.
   */
  async transaction<T>(body: () => Promise<T>): Promise<T> {
    const log: UndoEntry[] = [];
    try {
      return await this.undo.run(log, body);
    } catch (e) {
      for (let i = log.length - 1; i >= 0; i--) this.undoWrite(log[i]);
      throw e;
    }
  }

  /**
   * Takes one write back. Dataverse would have held a lock on the row, so a request that wrote the
   * row after us would have waited and then applied its change to the restored row: its columns
   * are kept on top of the row as it was before us, not thrown away.
   */
  private undoWrite({ set, id, before, after }: UndoEntry): void {
    const current = this.state.tables[set][id];
    // Untouched since, gone since, or created by us (a later update would have found no row): put back what was there.
    if (current === after || !current || !before) return this.setRow(set, id, before);
    // We deleted it and someone created it again: theirs stands.
    if (!after) return;
    const later: Row = {};
    for (const [column, value] of Object.entries(current)) if (after[column] !== value) later[column] = value;
    this.setRow(set, id, { ...before, ...later });
  }

  snapshot(): StoreState {
    return structuredClone(this.state);
  }

  load(state: StoreState): void {
    const fresh = emptyState();
    for (const [set, rows] of Object.entries(state.tables ?? {})) {
      if (!(set in fresh.tables)) throw new Error(`state file: unknown entity set '${set}'`);
      fresh.tables[set] = structuredClone(rows);
    }
    fresh.version = Math.max(state.version ?? 0, fresh.version);
    this.state = fresh;
    this.reindex();
  }

  reset(): void {
    this.state = emptyState();
    this.keyIndex.clear();
  }
}

function sameValue(a: unknown, b: unknown): boolean {
  return typeof a === "string" && typeof b === "string" ? a.toLowerCase() === b.toLowerCase() : a === b;
}
