/**
 * The entity table of one instance: a Map with Table storage's conditional semantics, so the
 * single-instance service keeps exactly the behaviour of the shared one (a duplicate webhook
 * waits for the sync in flight, the lease guards overlapping passes in the process).
 */
import type { EntityKey, EntityTable, EntityValue, Stored } from "./entity-table";

export class MemoryEntityTable implements EntityTable {
  private readonly entities = new Map<string, Stored<EntityValue>>();
  private version = 0;

  constructor(readonly name: string) {}

  async read<T extends EntityValue>(key: EntityKey): Promise<Stored<T> | undefined> {
    const stored = this.entities.get(id(key));
    // A copy, as a store would hand back: a caller changing it changes nothing stored.
    return stored && { value: structuredClone(stored.value) as T, etag: stored.etag };
  }

  async insert<T extends EntityValue>(key: EntityKey, value: T): Promise<string | undefined> {
    if (this.entities.has(id(key))) return undefined;
    return this.put(key, value);
  }

  async replace<T extends EntityValue>(key: EntityKey, value: T, etag: string): Promise<string | undefined> {
    if (this.entities.get(id(key))?.etag !== etag) return undefined;
    return this.put(key, value);
  }

  async remove(key: EntityKey, etag: string): Promise<boolean> {
    if (this.entities.get(id(key))?.etag !== etag) return false;
    return this.entities.delete(id(key));
  }

  async expired(before: Date, limit: number): Promise<Array<{ key: EntityKey; etag: string }>> {
    const out: Array<{ key: EntityKey; etag: string }> = [];
    for (const [k, stored] of this.entities) {
      if (out.length >= limit) break;
      if (stored.value.expiresAt.getTime() < before.getTime()) out.push({ key: JSON.parse(k) as EntityKey, etag: stored.etag });
    }
    return out;
  }

  private put(key: EntityKey, value: EntityValue): string {
    const etag = `W/"${++this.version}"`;
    this.entities.set(id(key), { value: structuredClone(value), etag });
    return etag;
  }
}

const id = (key: EntityKey) => JSON.stringify({ partition: key.partition, row: key.row });
