/**
 * "Who" on a sync event is a person's name, not a GUID: the systemuser's full name, read once per
 * user and kept for the life of the process (names rarely change; a stale one only mislabels).
 * A failed read falls back to the id and is not cached, so the next event tries again.
 */
import type { Logger } from "./logger";

const EMPTY_GUID = "00000000-0000-0000-0000-000000000000";

export class UserNames {
  private readonly names = new Map<string, string>();

  constructor(
    private readonly lookup: (systemUserId: string) => Promise<string | null>,
    private readonly logger: Logger,
    /** Users remembered at most; the oldest is forgotten first. */
    private readonly limit = 5_000,
  ) {}

  /** The name of the first real user id among `candidates` (InitiatingUserId, then UserId), else the id, else undefined. */
  async nameOf(...candidates: Array<string | null | undefined>): Promise<string | undefined> {
    const id = candidates.find((c): c is string => !!c && c !== EMPTY_GUID)?.toLowerCase();
    if (!id) return undefined;
    const known = this.names.get(id);
    if (known !== undefined) return known;
    try {
      const name = (await this.lookup(id)) ?? id;
      this.names.set(id, name);
      if (this.names.size > this.limit) this.names.delete(this.names.keys().next().value as string);
      return name;
    } catch (e) {
      this.logger.warn({ userId: id, err: e }, "could not read the user's name; the sync event shows the id");
      return id;
    }
  }
}
