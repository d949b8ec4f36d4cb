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

export const SYNC_EVENTS_PAGE_SIZE = 20;
