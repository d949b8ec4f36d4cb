/**
 * The parts of the model-driven client the commands use, behind one interface so tests can fake
 * them. `xrmHost()` is the real one, over the page's global `Xrm`.
 */
import { SYNC_EVENT_COLUMNS, SYNC_EVENT_TABLE, syncEventsQuery, syncResultOf, type SyncResult } from "../../sync/schema/dynamics";
import type { CustomApiRequest } from "./requests";
import { textsFor } from "../texts";

export interface RibbonHost {
  execute(request: CustomApiRequest): Promise<{ ok: boolean; status: number; statusText?: string }>;
  /** The user's language (LCID), as their personal settings choose it. */
  languageId(): number;
  /** The opportunity's newest sync events, newest first: their ids and results. */
  newestSyncEvents(opportunityId: string, count: number): Promise<Array<{ id: string; result: SyncResult | null }>>;
  /** Opens the decline dialog; resolves with whatever the dialog returned (nothing when cancelled). */
  openDeclineDialog(): Promise<unknown>;
  showProgress(message: string): void;
  hideProgress(): void;
  showError(message: string, details: string): Promise<unknown>;
  showAlert(title: string, message: string): Promise<unknown>;
  openUrl(url: string): void;
}

export const DECLINE_DIALOG = "cosell_/declinedialog.html";

/** Xrm's thenables are its own type, not the standard PromiseLike; this makes a real Promise of one. */
function promise<T>(thenable: { then(ok: (value: T) => void, fail: (error: unknown) => void): unknown }): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    thenable.then(resolve, reject);
  });
}

export function xrmHost(xrm: Xrm.XrmStatic = Xrm): RibbonHost {
  return {
    execute: (request) => promise(xrm.WebApi.online.execute(request)),
    languageId: () => xrm.Utility.getGlobalContext().userSettings.languageId,
    async newestSyncEvents(opportunityId, count) {
      const query = `${syncEventsQuery(opportunityId, [SYNC_EVENT_COLUMNS.id, SYNC_EVENT_COLUMNS.result])}&$top=${count}`;
      const page = await promise(xrm.WebApi.retrieveMultipleRecords(SYNC_EVENT_TABLE.logicalName, query));
      return page.entities.map((row) => ({ id: String(row[SYNC_EVENT_COLUMNS.id]), result: syncResultOf(row[SYNC_EVENT_COLUMNS.result]) }));
    },
    openDeclineDialog() {
      const languageId = xrm.Utility.getGlobalContext().userSettings.languageId;
      return promise<unknown>(xrm.Navigation.navigateTo(
        // The dialog reads the user's language from `data` (its query string), as it cannot reach Xrm.
        { pageType: "webresource", webresourceName: DECLINE_DIALOG, data: String(languageId) },
        { target: 2, position: 1, width: { value: 460, unit: "px" }, height: { value: 560, unit: "px" }, title: textsFor(languageId).declineTitle },
      ));
    },
    showProgress: (message) => xrm.Utility.showProgressIndicator(message),
    hideProgress: () => xrm.Utility.closeProgressIndicator(),
    showError: (message, details) => promise(xrm.Navigation.openErrorDialog({ message, details })),
    showAlert: (title, text) => promise(xrm.Navigation.openAlertDialog({ title, text })),
    openUrl: (url) => xrm.Navigation.openUrl(url),
  };
}
