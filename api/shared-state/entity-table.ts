/**
 * The few conditional operations the shared state is built on, as Azure Table storage offers them:
 * insert only where no entity has the key (409 otherwise), replace or delete only the version
 * read (If-Match on its ETag, 412 otherwise). The webhook claims, the call counts and the lease
 * are written once over this interface; an in-memory table (one instance) and Azure Table storage
 * (many) implement it.
 *
 * Table storage has no time-to-live, so every entity carries `expiresAt`: readers treat an expired
 * entity as absent and overwrite it with If-Match, and `expired()` finds the ones to delete.
 */
export interface EntityKey {
  partition: string;
  row: string;
}

/** What an entity holds: flat properties of the types Table storage keeps as they are. */
export type EntityValue = { expiresAt: Date } & Record<string, string | number | boolean | Date>;

export interface Stored<T extends EntityValue> {
  value: T;
  etag: string;
}

export interface EntityTable {
  /** The table's name, for logs. */
  readonly name: string;
  /** The entity, expired or not; undefined when there is none. */
  read<T extends EntityValue>(key: EntityKey): Promise<Stored<T> | undefined>;
  /** Insert-if-absent: the new ETag, or undefined when an entity with this key exists. */
  insert<T extends EntityValue>(key: EntityKey, value: T): Promise<string | undefined>;
  /** Replace-if-unchanged: the new ETag, or undefined when the entity changed since `etag` or is gone. */
  replace<T extends EntityValue>(key: EntityKey, value: T, etag: string): Promise<string | undefined>;
  /** Delete-if-unchanged: false when the entity changed since `etag` or is gone. */
  remove(key: EntityKey, etag: string): Promise<boolean>;
  /** Up to `limit` entities whose `expiresAt` is before `before`. */
  expired(before: Date, limit: number): Promise<Array<{ key: EntityKey; etag: string }>>;
}

/** Table names: letters and digits, a letter first, 3–63 characters (Table storage's rule). */
export const TABLE_NAME = /^[A-Za-z][A-Za-z0-9]{2,62}$/;
