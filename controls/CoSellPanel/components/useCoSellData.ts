/** React state over CoSellData: the deal (for validation) and the paged timeline. */
import * as React from "react";
import type { DynamicsDeal } from "../../../sync/engine/dynamics";
import type { CoSellData } from "../data/CoSellData";
import type { SyncEventView } from "../model/syncEvents";

export type Loadable<T> =
  | { state: "unavailable" }
  | { state: "loading" }
  | { state: "loaded"; value: T }
  | { state: "failed"; message: string };

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/**
 * Reloads whenever `revision` changes (the service's last write shows up as new status columns).
 * "unavailable" when there is no data access (the PCF test harness) or no saved record.
 */
export function useDeal(data: CoSellData | null, recordId: string | null, revision: string): Loadable<DynamicsDeal | null> {
  // Indexing, not `const [deal, setDeal]`: the panel build's Babel turns array destructuring into a ~1 KB helper per file.
  const dealState = React.useState<Loadable<DynamicsDeal | null>>({ state: "unavailable" });
  const deal = dealState[0];
  const setDeal = dealState[1];
  React.useEffect(() => {
    if (!data || !recordId) {
      setDeal({ state: "unavailable" });
      return;
    }
    let current = true;
    setDeal((previous) => (previous.state === "loaded" ? previous : { state: "loading" }));
    data.loadDeal(recordId).then(
      (value) => current && setDeal({ state: "loaded", value }),
      (error: unknown) => current && setDeal({ state: "failed", message: messageOf(error) }),
    );
    return () => {
      current = false;
    };
  }, [data, recordId, revision]);
  return deal;
}

export interface TimelineState {
  events: SyncEventView[];
  /** The page being read, if any. */
  loading: boolean;
  more: boolean;
  error: string | null;
  available: boolean;
}

export interface Timeline extends TimelineState {
  showMore(): void;
  retry(): void;
}

const INITIAL: TimelineState = { events: [], loading: false, more: false, error: null, available: false };

export function useSyncEvents(data: CoSellData | null, recordId: string | null, revision: string): Timeline {
  const timelineState = React.useState<TimelineState>(INITIAL);
  const timeline = timelineState[0];
  const setTimeline = timelineState[1];
  const nextPage = React.useRef(0);
  // A reload (new record, new revision) makes answers to earlier requests stale.
  const generation = React.useRef(0);

  const load = React.useCallback(
    (page: number) => {
      if (!data || !recordId) return;
      const mine = generation.current;
      setTimeline((t) => ({ ...t, available: true, loading: true, error: null }));
      data.loadSyncEvents(recordId, page).then(
        (result) => {
          if (mine !== generation.current) return;
          nextPage.current = page + 1;
          setTimeline((t) => ({
            available: true,
            loading: false,
            error: null,
            more: result.more,
            events: page === 0 ? result.events : [...t.events, ...result.events],
          }));
        },
        (error: unknown) => {
          if (mine !== generation.current) return;
          setTimeline((t) => ({ ...t, loading: false, error: messageOf(error) }));
        },
      );
    },
    [data, recordId],
  );

  React.useEffect(() => {
    generation.current += 1;
    nextPage.current = 0;
    if (!data || !recordId) {
      setTimeline(INITIAL);
      return;
    }
    load(0);
  }, [data, recordId, revision, load]);

  return {
    ...timeline,
    showMore: () => load(nextPage.current),
    retry: () => load(nextPage.current),
  };
}
