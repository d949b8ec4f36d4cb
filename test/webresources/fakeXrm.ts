/** A fake form and host for the ribbon commands: records what the commands do, in order. */
import type { FormContext } from "../../webresources/ribbon/commands";
import type { RibbonHost } from "../../webresources/ribbon/host";
import type { CustomApiRequest } from "../../webresources/ribbon/requests";
import type { SyncResult } from "../../sync/schema/dynamics";

export interface FakeForm {
  form: FormContext;
  log: string[];
  /** The form notifications on screen, by id. */
  notifications: Map<string, { message: string; level: string }>;
  /** Sets a column's value, as the form's refresh after the service wrote it would. */
  set(column: string, value: unknown): void;
}

export function fakeForm(
  options: { id?: string; dirty?: boolean; formType?: number; values?: Record<string, unknown>; saveError?: unknown; onRefresh?: (set: FakeForm["set"]) => void } = {},
): FakeForm {
  const log: string[] = [];
  const values: Record<string, unknown> = { ...options.values };
  const notifications: FakeForm["notifications"] = new Map();
  const set = (column: string, value: unknown) => void (values[column] = value);
  let dirty = options.dirty ?? false;
  const form = {
    data: {
      entity: { getId: () => options.id ?? "{6F1C2F4E-8A55-4C1E-9D1B-1F0A3C2B9E77}", getIsDirty: () => dirty },
      save: async () => {
        log.push("save");
        if (options.saveError) throw options.saveError;
        dirty = false;
      },
      refresh: async (save: boolean) => {
        log.push(`refresh(${save})`);
        options.onRefresh?.(set);
      },
    },
    ui: {
      getFormType: () => options.formType ?? 2,
      setFormNotification: (message: string, level: string, id: string) => (notifications.set(id, { message, level }), true),
      clearFormNotification: (id: string) => notifications.delete(id),
    },
    getAttribute: (name: string) => (name in values ? { getValue: () => values[name] } : null),
  };
  return { form: form as unknown as FormContext, log, notifications, set };
}

export interface FakeHost extends RibbonHost {
  requests: CustomApiRequest[];
  errors: Array<{ message: string; details: string }>;
  alerts: string[];
  opened: string[];
}

export function fakeHost(
  log: string[],
  behaviour: { execute?: () => Promise<{ ok: boolean; status: number }>; dialog?: () => Promise<unknown>; since?: () => Promise<SyncResult[]>; languageId?: number } = {},
): FakeHost {
  const host: FakeHost = {
    requests: [],
    errors: [],
    alerts: [],
    opened: [],
    execute: async (request) => {
      log.push(`execute(${request.getMetadata().operationName})`);
      host.requests.push(request);
      return behaviour.execute ? behaviour.execute() : { ok: true, status: 204 };
    },
    languageId: () => behaviour.languageId ?? 1033,
    // One event was there before the click; `since` are the results recorded after it, newest first.
    newestSyncEvents: async (_id, count) => {
      log.push(`newestSyncEvents(${count})`);
      const before = [{ id: "e-before", result: "success" as const }];
      if (count === 1) return before;
      const since = behaviour.since ? await behaviour.since() : ["success" as const];
      return [...since.map((result, i) => ({ id: `e-${i}`, result })), ...before].slice(0, count);
    },
    openDeclineDialog: async () => {
      log.push("dialog");
      return behaviour.dialog ? behaviour.dialog() : undefined;
    },
    showProgress: (m) => log.push(`progress(${m})`),
    hideProgress: () => log.push("hideProgress"),
    showError: async (message, details) => {
      log.push("error");
      host.errors.push({ message, details });
    },
    showAlert: async (title, message) => {
      log.push("alert");
      host.alerts.push(`${title}: ${message}`);
    },
    openUrl: (url) => {
      log.push("openUrl");
      host.opened.push(url);
    },
  };
  return host;
}
