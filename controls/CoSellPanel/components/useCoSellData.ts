/**
 * React state over CoSellData: the deal (for validation) and the paged timeline.
 *
 * Reads start in a layout effect, not a passive one: React 16 runs passive effects in a later task,
 * after the browser has painted a "Loading…" frame. Started during the commit, a quick answer is
 * rendered before the first paint, and a slow one is asked for a frame earlier.
 */
import * as React from "react";
import type { DynamicsDeal } from "../../../sync/schema/dynamics";
import type { CoSellData } from "../data/CoSellData";
import type { SyncEventView } from "../model/syncEvents";

export type Loadable<T> =
  | { state: "unavailable" }
  | { state: "loading" }
  | { state: "loaded"; value: T }
  | { state: "failed"; message: string };

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

export const UNAVAILABLE: Loadable<never> = { state: "unavailable" };
const LOADING: Loadable<never> = { state: "loading" };

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

/** Nothing shown yet: with no record to read (not available), or while its first page is read. */
const noEvents = (available: boolean): TimelineState => ({ events: [], loading: available, more: false, error: null, available });
const NO_TIMELINE = noEvents(false);
const FIRST_LOAD = noEvents(true);

export interface CoSellDataState {
  /** The deal, for validation; the last one loaded stays while it is read again. */
  deal: Loadable<DynamicsDeal | null>;
  timeline: Timeline;
}

/**
 * Both reads start together, and again whenever `revision` changes (the service's last write shows
 * up as new status columns). "unavailable" when there is no data access (the PCF test harness) or
 * no saved record.
 */
export function useCoSellData(data: CoSellData | null, recordId: string | null, revision: string): CoSellDataState {
  const readable = Boolean(data && recordId);
  const [deal, setDeal] = React.useState<Loadable<DynamicsDeal | null>>(readable ? LOADING : UNAVAILABLE);
  const [timeline, setTimeline] = React.useState<TimelineState>(readable ? FIRST_LOAD : NO_TIMELINE);
  const nextPage = React.useRef(0);
  // Bumped when a read's inputs change or the panel unmounts: answers to earlier requests are then stale.
  const generation = React.useRef(0);

  const loadEvents = React.useCallback(
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
    nextPage.current = 0;
    if (!data || !recordId) {
      setDeal(UNAVAILABLE);
      setTimeline(NO_TIMELINE);
      return;
    }
    const mine = generation.current;
    setDeal((previous) => (previous.state === "loaded" ? previous : LOADING));
    data.loadDeal(recordId).then(
      (value) => mine === generation.current && setDeal({ state: "loaded", value }),
      (error: unknown) => mine === generation.current && setDeal({ state: "failed", message: messageOf(error) }),
    );
    loadEvents(0);
    return () => {
      generation.current += 1;
    };
  }, [data, recordId, revision, loadEvents]);

  // One timeline object per state, so the timeline (memoised) re-renders only when it changes.
  const shown = React.useMemo(() => {
    const next = (): void => loadEvents(nextPage.current);
    return { ...timeline, showMore: next, retry: next };
  }, [timeline, loadEvents]);
  return { deal, timeline: shown };
}
