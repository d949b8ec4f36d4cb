/**
 * React state over CoSellData: the deal (for validation) and the paged timeline.
 *
 * Reads start in a layout effect, not a passive one: React 16 runs passive effects in a later task,
 * after the browser has painted a "Loading…" frame. Started during the commit, a quick answer is
 * rendered before the first paint, and a slow one is asked for a frame earlier.
 */
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

const UNAVAILABLE: Loadable<never> = { state: "unavailable" };
const LOADING: Loadable<never> = { state: "loading" };

/**
 * Reloads whenever `revision` changes (the service's last write shows up as new status columns),
 * keeping the last loaded deal on screen meanwhile.
 * "unavailable" when there is no data access (the PCF test harness) or no saved record.
 */
export function useDeal(data: CoSellData | null, recordId: string | null, revision: string): Loadable<DynamicsDeal | null> {
  const readable = Boolean(data && recordId);
  // Indexing, not `const [deal, setDeal]`: the panel build's Babel turns array destructuring into a ~1 KB helper per file.
  const dealState = React.useState<Loadable<DynamicsDeal | null>>(readable ? LOADING : UNAVAILABLE);
  const setDeal = dealState[1];
  React.useLayoutEffect(() => {
    if (!data || !recordId) {
      setDeal(UNAVAILABLE);
      return;
    }
    let current = true;
    setDeal((previous) => (previous.state === "loaded" ? previous : LOADING));
    data.loadDeal(recordId).then(
      (value) => current && setDeal({ state: "loaded", value }),
      (error: unknown) => current && setDeal({ state: "failed", message: messageOf(error) }),
    );
    return () => {
      current = false;
    };
  }, [data, recordId, revision]);
  return dealState[0];
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

const NO_TIMELINE: TimelineState = { events: [], loading: false, more: false, error: null, available: false };

export function useSyncEvents(data: CoSellData | null, recordId: string | null, revision: string): Timeline {
  const readable = Boolean(data && recordId);
  const timelineState = React.useState<TimelineState>(readable ? { ...NO_TIMELINE, available: true, loading: true } : NO_TIMELINE);
  const timeline = timelineState[0];
  const setTimeline = timelineState[1];
  const nextPage = React.useRef(0);
  // A reload (new record, new revision) makes answers to earlier requests stale.
  const generation = React.useRef(0);

  const load = React.useCallback(
    (page: number) => {
      if (!data || !recordId) return;
      const mine = generation.current;
      // The functional update returns the same object when nothing changes, so React skips that render.
      setTimeline((t) => (t.available && t.loading && !t.error ? t : { ...t, available: true, loading: true, error: null }));
      data.loadSyncEvents(recordId, page).then(
        (result) => {
          if (mine !== generation.current) return;
          nextPage.current = page + 1;
          setTimeline((t) => ({
            available: true,
            loading: false,
            error: null,
            more: result.more,
            events: page === 0 ? result.events : t.events.concat(result.events),
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

  React.useLayoutEffect(() => {
    generation.current += 1;
    nextPage.current = 0;
    if (!data || !recordId) {
      setTimeline(NO_TIMELINE);
      return;
    }
    load(0);
  }, [data, recordId, revision, load]);

  // One object per state, so the timeline (memoised) re-renders only when it changes.
  return React.useMemo(
    () => ({ ...timeline, showMore: () => load(nextPage.current), retry: () => load(nextPage.current) }),
    [timeline, load],
  );
}
