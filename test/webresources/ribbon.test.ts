import { createRibbonCommands, declineReasonFrom, SYNC_NOW_NOTIFICATION } from "../../webresources/ribbon/commands";
import { FAILURE_MESSAGES } from "../../webresources/ribbon/failures";
import { SYNC_STATUS, type SyncResult } from "../../sync/schema/dynamics";
import { fakeForm, fakeHost } from "./fakeXrm";
import { readFileSync } from "node:fs";
import { join } from "node:path";

const ID = "6f1c2f4e-8a55-4c1e-9d1b-1f0a3c2b9e77";
const LINK = "https://partner.microsoft.com/dashboard/referrals/v2/abc";

function setup(form: Parameters<typeof fakeForm>[0] = {}, behaviour: Parameters<typeof fakeHost>[1] = {}) {
  const f = fakeForm(form);
  const host = fakeHost(f.log, behaviour);
  return { ...f, host, ribbon: createRibbonCommands(host) };
}

describe("Sync now", () => {
  it("saves a dirty form, calls cosell_SyncOpportunity bound to the opportunity, then refreshes", async () => {
    const { form, log, host, ribbon } = setup({ dirty: true });
    await ribbon.syncNow(form);
    expect(log).toEqual([
      "newestSyncEvents(1)", "save", "progress(Syncing with Partner Center…)", "execute(cosell_SyncOpportunity)", "hideProgress", "refresh(false)", "newestSyncEvents(10)",
    ]);
    const request = host.requests[0];
    expect(request.entity).toEqual({ entityType: "opportunity", id: ID });
    expect(request.getMetadata()).toEqual({
      boundParameter: "entity",
      operationName: "cosell_SyncOpportunity",
      operationType: 0,
      parameterTypes: { entity: { typeName: "mscrm.opportunity", structuralProperty: 5 } },
    });
    expect(host.errors).toEqual([]);
  });

  it("does not save a clean form", async () => {
    const { form, log, ribbon } = setup();
    await ribbon.syncNow(form);
    expect(log).not.toContain("save");
  });

  it("sends nothing when the save fails, and says so", async () => {
    const { form, log, host, ribbon } = setup({ dirty: true, saveError: { errorCode: 0x80040203, message: "Topic is required" } });
    await ribbon.syncNow(form);
    expect(host.requests).toEqual([]);
    expect(log).toEqual(["newestSyncEvents(1)", "save", "error"]);
    expect(host.errors[0]).toEqual({ message: FAILURE_MESSAGES.saveFailed, details: "0x80040203: Topic is required" });
  });

  it.each([
    ["the service did not answer", { errorCode: 0x80040265, message: "Webhook call failed with 503\n   at Stack.Trace()" }, FAILURE_MESSAGES.serviceUnreachable, "0x80040265: Webhook call failed with 503"],
    ["no permission", { errorCode: 0x80042f09, message: "Principal user is missing prvReadcosell_SyncEvent" }, FAILURE_MESSAGES.noPermission, "0x80042f09: Principal user is missing prvReadcosell_SyncEvent"],
    ["record changed", { errorCode: 0x80060882, message: "The version of the existing record doesn't match" }, FAILURE_MESSAGES.recordChanged, "0x80060882: The version of the existing record doesn't match"],
    ["offline", new TypeError("Failed to fetch"), FAILURE_MESSAGES.offline, "Failed to fetch"],
  ])("explains a failed call (%s) in plain words after refreshing", async (_case, error, message, details) => {
    const { form, log, host, ribbon } = setup({}, { execute: () => Promise.reject(error) });
    await ribbon.syncNow(form);
    expect(log.slice(-3)).toEqual(["hideProgress", "refresh(false)", "error"]);
    expect(host.errors).toEqual([{ message, details }]);
    expect(details).not.toMatch(/at Stack/);
  });

  it("treats a non-2xx response as a failure", async () => {
    const { form, host, ribbon } = setup({}, { execute: async () => ({ ok: false, status: 403 }) });
    await ribbon.syncNow(form);
    expect(host.errors).toEqual([{ message: FAILURE_MESSAGES.noPermission, details: "HTTP 403" }]);
  });

  it("is offered only on a saved, open record with Sync = Yes that Partner Center still takes updates for", () => {
    const on = { cosell_syncwithpartnercenter: true };
    const { ribbon } = setup();
    expect(ribbon.canSyncNow(fakeForm({ values: on }).form)).toBe(true);
    expect(ribbon.canSyncNow(fakeForm({ values: { ...on, statecode: 0 } }).form)).toBe(true);
    expect(ribbon.canSyncNow(fakeForm({ values: { cosell_syncwithpartnercenter: false } }).form)).toBe(false);
    expect(ribbon.canSyncNow(fakeForm({ values: on, id: "", formType: 1 }).form)).toBe(false);
    // Won (1) and Lost (2), by state or by the read-only form a closed record opens in.
    expect(ribbon.canSyncNow(fakeForm({ values: { ...on, statecode: 1 } }).form)).toBe(false);
    expect(ribbon.canSyncNow(fakeForm({ values: { ...on, statecode: 2 } }).form)).toBe(false);
    expect(ribbon.canSyncNow(fakeForm({ values: on, formType: 3 }).form)).toBe(false);
    expect(ribbon.canSyncNow(fakeForm({ values: { ...on, cosell_syncstatus: SYNC_STATUS.ClosedInPartnerCenter } }).form)).toBe(false);
    expect(ribbon.canSyncNow(fakeForm({ values: { ...on, cosell_syncstatus: SYNC_STATUS.ExpiredInPartnerCenter } }).form)).toBe(false);
  });

  describe("says what happened, in one notification on the form", () => {
    const before = new Date("2026-12-01T10:00:00Z");
    const outcome = async (after: Record<string, unknown>, since: () => Promise<SyncResult[]>) => {
      const f = fakeForm({ values: { cosell_syncwithpartnercenter: true, cosell_lastsyncedon: before }, onRefresh: (set) => Object.entries(after).forEach(([k, v]) => set(k, v)) });
      const ribbon = createRibbonCommands(fakeHost(f.log, { since }));
      await ribbon.syncNow(f.form);
      return f.notifications;
    };
    const checked = { cosell_syncstatus: SYNC_STATUS.Synced, cosell_lastsyncedon: new Date("2026-12-01T10:05:00Z") };

    it("synced: a sync event since the click sent or took something", async () => {
      const shown = await outcome(checked, async () => ["success"]);
      expect([...shown.values()]).toEqual([{ message: "Synced with Partner Center.", level: "INFO" }]);
    });

    it("synced: the save before the call sent the edit, and the call found nothing left to send", async () => {
      const shown = await outcome(checked, async () => ["noChange", "success"]);
      expect(shown.get(SYNC_NOW_NOTIFICATION)?.message).toBe("Synced with Partner Center.");
    });

    it("nothing to send: the only event since the click found both sides alike (the last-synced time moves all the same)", async () => {
      const shown = await outcome(checked, async () => ["noChange"]);
      expect(shown.get(SYNC_NOW_NOTIFICATION)).toEqual({ message: "Nothing to send: Partner Center already has this deal as it is.", level: "INFO" });
    });

    it("the sync events cannot be read: a new last-synced time still says synced, an unchanged one nothing to send", async () => {
      const unreadable = async () => Promise.reject(new Error("no read privilege on cosell_syncevent"));
      expect([...(await outcome(checked, unreadable)).values()]).toEqual([{ message: "Synced with Partner Center.", level: "INFO" }]);
      const same = await outcome({ cosell_syncstatus: SYNC_STATUS.Synced, cosell_lastsyncedon: new Date(before) }, unreadable);
      expect(same.get(SYNC_NOW_NOTIFICATION)?.message).toMatch(/^Nothing to send/);
    });

    it("the fix: an error status says what happened and where the fixes are", async () => {
      const shown = await outcome({ cosell_syncstatus: SYNC_STATUS.Error, cosell_syncerror: "Not sent to Partner Center: it would refuse this deal as it is.\nAdd at least one solution ID." }, async () => ["validationFailed"]);
      expect(shown.get(SYNC_NOW_NOTIFICATION)).toEqual({
        message: "Not synced with Partner Center: Not sent to Partner Center: it would refuse this deal as it is. The Co-sell section lists what to fix.",
        level: "ERROR",
      });
    });

    it("a second click replaces the first outcome; a failed call clears it and shows the dialog", async () => {
      const f = fakeForm({ values: { cosell_syncwithpartnercenter: true } });
      let fail = false;
      const host = fakeHost(f.log, { execute: async () => (fail ? { ok: false, status: 503 } : { ok: true, status: 204 }) });
      const ribbon = createRibbonCommands(host);
      await ribbon.syncNow(f.form);
      await ribbon.syncNow(f.form);
      expect(f.notifications.size).toBe(1);
      fail = true;
      await ribbon.syncNow(f.form);
      expect(f.notifications.size).toBe(0);
      expect(host.errors).toHaveLength(1);
    });
  });

  it("clicks while one runs join it: one call, one outcome", async () => {
    let answer: (() => void) | null = null;
    let held = true;
    const { form, host, ribbon } = setup({ values: { cosell_syncwithpartnercenter: true } }, {
      execute: () => (held ? new Promise((resolve) => (answer = () => resolve({ ok: true, status: 204 }))) : Promise.resolve({ ok: true, status: 204 })),
    });
    const clicks = [ribbon.syncNow(form), ribbon.syncNow(form), ribbon.syncNow(form)];
    await new Promise((r) => setTimeout(r, 0));
    held = false;
    answer!();
    await Promise.all(clicks);
    expect(host.requests).toHaveLength(1);
    await ribbon.syncNow(form); // once it has finished, a new click syncs again
    expect(host.requests).toHaveLength(2);
  });
});

describe("Accept / Decline", () => {
  it("accepts through cosell_RespondToReferral with Decision accept", async () => {
    const { form, host, ribbon } = setup();
    await ribbon.acceptReferral(form);
    const request = host.requests[0];
    expect(request).toMatchObject({ entity: { entityType: "opportunity", id: ID }, Decision: "accept", Reason: "" });
    expect(request.getMetadata()).toEqual({
      boundParameter: "entity",
      operationName: "cosell_RespondToReferral",
      operationType: 0,
      parameterTypes: {
        entity: { typeName: "mscrm.opportunity", structuralProperty: 5 },
        Decision: { typeName: "Edm.String", structuralProperty: 1 },
        Reason: { typeName: "Edm.String", structuralProperty: 1 },
      },
    });
  });

  it("declines with the text of the reason chosen in the dialog", async () => {
    const { form, log, host, ribbon } = setup({}, { dialog: async () => ({ returnValue: { reasonCode: 3 } }) });
    await ribbon.declineReferral(form);
    expect(log[0]).toBe("dialog");
    expect(host.requests[0]).toMatchObject({ Decision: "decline", Reason: "Customer chose another vendor" });
    expect(log).toContain("refresh(false)");
  });

  it("sends nothing when the dialog is cancelled or returns nonsense", async () => {
    for (const answer of [undefined, { returnValue: undefined }, { returnValue: { reasonCode: 99 } }]) {
      const { form, log, host, ribbon } = setup({}, { dialog: async () => answer });
      await ribbon.declineReferral(form);
      expect(host.requests).toEqual([]);
      expect(log).toEqual(["dialog"]);
    }
    expect(declineReasonFrom({ returnValue: { reasonCode: 8 } })).toBe("Others");
  });

  it("is enabled only while the referral awaits a response", () => {
    const { ribbon } = setup();
    expect(ribbon.canRespond(fakeForm({ values: { cosell_syncstatus: SYNC_STATUS.AwaitingResponse } }).form)).toBe(true);
    expect(ribbon.canRespond(fakeForm({ values: { cosell_syncstatus: SYNC_STATUS.Synced } }).form)).toBe(false);
    expect(ribbon.canRespond(fakeForm({ values: {} }).form)).toBe(false);
  });
});

describe("Open in Partner Center", () => {
  it("opens only a Partner Center link", async () => {
    const good = setup({ values: { cosell_referrallink: LINK } });
    expect(good.ribbon.canOpenInPartnerCenter(good.form)).toBe(true);
    await good.ribbon.openInPartnerCenter(good.form);
    expect(good.host.opened).toEqual([LINK]);

    for (const link of ["javascript:alert(1)", "https://evil.example/", null]) {
      const bad = setup({ values: { cosell_referrallink: link } });
      expect(bad.ribbon.canOpenInPartnerCenter(bad.form)).toBe(false);
      await bad.ribbon.openInPartnerCenter(bad.form);
      expect(bad.host.opened).toEqual([]);
      expect(bad.host.alerts[0]).toMatch(/no valid Partner Center link/);
    }
  });
});

describe("in the user's language", () => {
  it("shows Sync now's progress and outcome in Korean for a Korean user", async () => {
    const { form, log, notifications, ribbon } = setup({ values: { cosell_syncwithpartnercenter: true } }, { languageId: 1042, since: async () => ["noChange"] });
    await ribbon.syncNow(form);
    expect(log).toContain("progress(파트너 센터와 동기화하는 중…)");
    expect(notifications.get(SYNC_NOW_NOTIFICATION)?.message).toBe("보낼 내용이 없습니다. 파트너 센터에 이미 이 거래가 그대로 있습니다.");
  });

  it("a recorded error with a known code is not quoted in English: the Korean notification points to the panel, which words it", async () => {
    const error = { cosell_syncstatus: SYNC_STATUS.Error, cosell_syncerror: "Partner Center is busy (it will be retried automatically)" };
    const shown = async (values: Record<string, unknown>) => {
      const f = fakeForm({ values: { cosell_syncwithpartnercenter: true }, onRefresh: (set) => Object.entries(values).forEach(([k, v]) => set(k, v)) });
      await createRibbonCommands(fakeHost(f.log, { languageId: 1042, since: async () => ["error"] })).syncNow(f.form);
      return f.notifications.get(SYNC_NOW_NOTIFICATION)?.message;
    };
    expect(await shown({ ...error, cosell_syncerrorcode: "PC_THROTTLED" })).toBe("파트너 센터와 동기화하지 못했습니다: 공동 판매 섹션을 확인하세요.");
    // An older service recorded no code: its line is all there is to show.
    expect(await shown(error)).toBe("파트너 센터와 동기화하지 못했습니다: Partner Center is busy (it will be retried automatically)");
  });

  it("says what failed in Korean, with the code for support as it came", async () => {
    const { form, host, ribbon } = setup({ values: { cosell_syncwithpartnercenter: true } }, { languageId: 1042, execute: async () => ({ ok: false, status: 403 }) });
    await ribbon.syncNow(form);
    expect(host.errors).toEqual([{ message: "이 작업을 할 권한이 없습니다. 관리자에게 공동 판매 역할을 요청하세요.", details: "HTTP 403" }]);
  });

  it("ships every ribbon label and tooltip in English and Korean", () => {
    const xml = readFileSync(join(__dirname, "..", "..", "solution", "src", "Entities", "Opportunity", "RibbonDiff.xml"), "utf8");
    const labels = [...xml.matchAll(/<LocLabel Id="([^"]+)">([\s\S]*?)<\/LocLabel>/g)];
    expect(labels.length).toBeGreaterThan(0);
    const missing = labels.filter(([, , body]) => !/languagecode="1033"/.test(body) || !/languagecode="1042"/.test(body)).map(([, id]) => id);
    expect(missing).toEqual([]);
  });
});
