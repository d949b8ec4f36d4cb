import type { DynamicsDeal } from "../../../sync/schema/dynamics";
import type { SyncEventView } from "../model/syncEvents";

export interface SyncEventPage {
  events: SyncEventView[];
  /** True when an older page exists. */
  more: boolean;
}

/** Everything the panel reads beyond its bound columns. The PCF adapter implements it over context.webAPI; tests fake it. */
export interface CoSellData {
  loadDeal(opportunityId: string): Promise<DynamicsDeal | null>;
  /** Newest first; page 0 is the newest. */
  loadSyncEvents(opportunityId: string, page: number): Promise<SyncEventPage>;
}

/**
 * Rows a page of the history shows before "Load more": 10, as Dynamics' own timeline shows by default
 * ("Records shown on page", powerapps-docs set-up-timeline-control.md). A seller sees the latest ten
 * at a glance in a 400 px column, and the panel's first render lays out half what 20 rows cost.
 */
export const SYNC_EVENTS_PAGE_SIZE = 10;
