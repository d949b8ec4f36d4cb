/**
 * A small `Xrm` for the sandbox's Opportunity form, backed by the Dataverse emulator: what the
 * real ribbon web resource calls (WebApi.online.execute, Navigation, Utility) and the form
 * context it is handed as PrimaryControl.
 */
import type { Api } from "./web-api";
import { HttpError } from "./web-api";

export interface FormModel {
  entityName: string;
  /** Null until the record is saved. */
  id(): string | null;
  isDirty(): boolean;
  value(column: string): unknown;
  save(): Promise<void>;
  refresh(): Promise<void>;
  /** A closed (Won or Lost) record: the form opens read-only. */
  readOnly(): boolean;
  /** Shows (or, with null, removes) the form notification of that id. */
  notify(id: string, note: { message: string; level: string } | null): void;
}

export interface DialogUi {
  progress(message: string | null): void;
  alert(title: string, text: string): Promise<void>;
  /**
   * Shows a web resource in a modal iframe, with the query string Dynamics gives it; resolves with
   * its `returnValue` when it closes.
   */
  webResourceDialog(name: string, title: string, query: string): Promise<unknown>;
  /** Xrm.Navigation.openUrl: the sandbox shows its own view of a Partner Center link. */
  openUrl(url: string): void;
}

export function formContextOf(form: FormModel) {
  return {
    data: {
      entity: {
        getId: () => (form.id() ? `{${form.id()!.toUpperCase()}}` : ""),
        getEntityName: () => form.entityName,
        getIsDirty: () => form.isDirty(),
        save: () => form.save(),
      },
      save: () => form.save(),
      refresh: (save?: boolean) => (save ? form.save().then(() => form.refresh()) : form.refresh()),
      getIsDirty: () => form.isDirty(),
    },
    getAttribute: (name: string) => ({ getValue: () => form.value(name) ?? null, getName: () => name }),
    ui: {
      // Create 1, Update 2, Read Only 3: Dynamics opens a closed opportunity read-only.
      getFormType: () => (!form.id() ? 1 : form.readOnly() ? 3 : 2),
      setFormNotification: (message: string, level: string, id: string) => (form.notify(id, { message, level }), true),
      clearFormNotification: (id: string) => (form.notify(id, null), true),
    },
  };
}

interface ExecuteRequest {
  entity?: { entityType: string; id: string };
  getMetadata(): { boundParameter: string | null; operationName: string; operationType: number; parameterTypes: Record<string, unknown> };
  [parameter: string]: unknown;
}

/** How Dataverse reports a failed Xrm.WebApi call: a positive decimal errorCode and a message. */
function xrmError(e: unknown): { errorCode: number; message: string } {
  if (e instanceof HttpError) {
    const hex = /^0x[0-9a-f]+$/i.test(e.code) ? parseInt(e.code, 16) : 0x80040216;
    return { errorCode: hex, message: e.message };
  }
  return { errorCode: 0x80040216, message: e instanceof Error ? e.message : String(e) };
}

/** `languageId`: the user's language (LCID), as their personal options set it. */
export function createXrm(api: Api, ui: DialogUi, languageId: number) {
  return {
    WebApi: {
      async retrieveMultipleRecords(entity: string, query = "", maxPageSize?: number) {
        try {
          return await api.retrieveMultiple(entity, query, maxPageSize);
        } catch (e) {
          throw xrmError(e);
        }
      },
      online: {
        async execute(request: ExecuteRequest) {
          const meta = request.getMetadata();
          const params: Record<string, unknown> = {};
          for (const key of Object.keys(request)) if (key !== "entity" && key !== "getMetadata") params[key] = request[key];
          const path =
            meta.boundParameter === "entity" && request.entity
              ? `${request.entity.entityType === "opportunity" ? "opportunities" : request.entity.entityType}(${request.entity.id.replace(/[{}]/g, "")})/Microsoft.Dynamics.CRM.${meta.operationName}`
              : meta.operationName;
          try {
            await api.dvPost(path, params);
          } catch (e) {
            throw xrmError(e);
          }
          return { ok: true, status: 204, statusText: "No Content", headers: {}, url: path, json: async () => ({}), text: async () => "" };
        },
      },
    },
    Navigation: {
      openAlertDialog: (s: { title?: string; text: string }) => ui.alert(s.title ?? "", s.text),
      openErrorDialog: (s: { message?: string; details?: string }) => ui.alert("Error", [s.message, s.details].filter(Boolean).join("\n\n")),
      openUrl: (url: string) => ui.openUrl(url),
      navigateTo: (page: { pageType: string; webresourceName?: string; data?: string }, options?: { title?: string }) => {
        if (page.pageType !== "webresource" || !page.webresourceName) return Promise.reject(new Error("The sandbox opens web resource pages only."));
        // As Dynamics opens an HTML web resource: pageInput.data as `data`, the user's language as `userlcid`.
        const query = new URLSearchParams({ ...(page.data !== undefined ? { data: page.data } : {}), userlcid: String(languageId) }).toString();
        // Like Dataverse, the promise resolves with { returnValue } set by the dialog page.
        return ui.webResourceDialog(page.webresourceName, options?.title ?? "", query).then((returnValue) => ({ returnValue }));
      },
    },
    Utility: {
      getGlobalContext: () => ({ userSettings: { languageId } }),
      showProgressIndicator: (message: string) => ui.progress(message),
      closeProgressIndicator: () => ui.progress(null),
    },
  };
}
