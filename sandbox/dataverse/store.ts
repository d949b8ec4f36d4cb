/**
 * The emulator's rows, per entity set. Every write stamps `modifiedon` and a `versionnumber`
 * taken from one organisation-wide counter (like SQL rowversion), which is what the weak ETag
 * carries. Alternate keys are unique. `transaction` restores the state if its body throws, so a
 * change set or a failing synchronous step leaves nothing behind.
 */
import { type Random } from "../kit/random";
import { faults } from "./errors";
import { TABLES, type TableDef } from "./schema";

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

function emptyState(): StoreState {
  return { version: 1000, tables: Object.fromEntries(TABLES.map((t) => [t.entitySet, {}])) };
}

export class DataverseStore {
  private state: StoreState = emptyState();

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
    this.state.tables[t.entitySet][id] = row;
    return row;
  }

  update(t: TableDef, id: string, values: Row): Row {
    const current = this.require(t, id);
    const row: Row = { ...current, ...values, modifiedon: this.timestamp(), versionnumber: ++this.state.version };
    this.checkKeys(t, row);
    this.state.tables[t.entitySet][current[t.primaryKey] as string] = row;
    return row;
  }

  remove(t: TableDef, id: string): void {
    const row = this.require(t, id);
    delete this.state.tables[t.entitySet][row[t.primaryKey] as string];
  }

  private checkKeys(t: TableDef, row: Row): void {
    for (const key of t.alternateKeys) {
      if (key.some((c) => row[c] == null)) continue;
      const clash = this.rows(t).find(
        (r) => r[t.primaryKey] !== row[t.primaryKey] && key.every((c) => sameValue(r[c], row[c])),
      );
      if (clash) throw faults.duplicateKey(t.logicalName, key);
    }
  }

  /** Runs `body`; if it throws, every row goes back to how it was. */
  async transaction<T>(body: () => Promise<T>): Promise<T> {
    const saved = this.snapshot();
    try {
      return await body();
    } catch (e) {
      this.state = saved;
      throw e;
    }
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
  }

  reset(): void {
    this.state = emptyState();
  }
}

function sameValue(a: unknown, b: unknown): boolean {
  return typeof a === "string" && typeof b === "string" ? a.toLowerCase() === b.toLowerCase() : a === b;
}
