/**
 * Contract tests of the Referrals API from Microsoft's own examples (test/contracts/referrals-samples.ts):
 * the emulator accepts what Microsoft shows the real service accepting, answers with the documented
 * status and body shape, stores and returns what the real service returns; our client reads it.
 * Facts: sync/contracts/partner-center-referrals.ts; sources: docs/contracts.md.
 */
import {
  ERROR_CODES, PATCH_PATHS, STATUS, isSolutionId, normalizeConsent, patchPathFor, solutionIdKey,
} from "../../sync/contracts/partner-center-referrals";
import { defaultMapping, type Referral } from "../../sync/engine";
import { dealFromReferral } from "../../sync/engine/convert";
import { PartnerCenterError } from "../../sync/partner-center/errors";
import { TOKEN, client, startEmulator } from "../partner-center/fixtures";
import { documentedReferral, patchSamples, privateCreateRequest, sharedCreateRequest } from "./referrals-samples";

const BASE = "https://api.partner.microsoft.com/v1.0/engagements/referrals";
const { emulator, server } = startEmulator({ now: () => new Date("2031-01-01T10:00:00Z") });
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => emulator.reset());
afterAll(() => server.close());

const json = { Authorization: `Bearer ${TOKEN}`, "Content-Type": "application/json" };
async function call(method: string, url: string, body?: unknown, headers: Record<string, string> = json) {
  const res = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
}

/** The documented GET-by-id body, stored as the service would hold it (server fields are the emulator's own). */
function storeDocumented(): Referral {
  const { id: _id, eTag: _e, links: _l, createdDateTime: _c, updatedDateTime: _u, ...writable } = documentedReferral("x");
  void [_id, _e, _l, _c, _u];
  return emulator.state.insert(writable as Record<string, unknown>, { direction: "Incoming" });
}

describe("create (POST /referrals)", () => {
  test("the Shared co-sell sample: 200 (swagger CreateReferral), answered Active/Accepted with the server's fields", async () => {
    const r = await call("POST", BASE, sharedCreateRequest());
    expect(r.status).toBe(STATUS.created);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      status: "Active", substatus: "Accepted", direction: "Outgoing",
      id: expect.stringMatching(/^[0-9a-f-]{36}$/), engagementId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      details: { requirements: { solutions: [{ type: "Category", id: "Dynamics365forFieldService" }] } },
    });
    // The eTag is itself a quoted string, as in the sample (`"\"00006d10-…\""`).
    expect(r.body.eTag).toMatch(/^"[^"]+"$/);
    expect(r.headers.get("etag")).toBe(r.body.eTag);
  });

  test("Learn's private deal with minimal information: no status, PascalCase consent keys, empty e-mails", async () => {
    const r = await call("POST", BASE, privateCreateRequest());
    expect(r.status).toBe(200);
    // No status sent: New/Pending applies, and an outgoing create is answered Active/Accepted.
    expect(r.body).toMatchObject({ status: "Active", substatus: "Accepted" });
    // The service binds the consent keys without case; it holds the swagger's camelCase spelling.
    expect(r.body.consent).toEqual({
      consentToToShareInfoWithOthers: true, consentToContact: true,
      consentToMicrosoftToContactSpecificPartners: true, consentToShareReferralWithMicrosoftSellers: false,
    });
    expect(r.body.customerProfile.team[0].email).toBe("");
    expect(r.body.details.requirements.solutions[0]).toEqual(expect.objectContaining({ publisherName: "Contoso_Publishing", solutionType: "3P" }));
  });

  test("our client reads the create answer (200, the ETag from the header)", async () => {
    const made = await client().create(privateCreateRequest() as never);
    expect(made.referral.consent?.consentToShareReferralWithMicrosoftSellers).toBe(false);
    expect(made.eTag).toBe(made.referral.eTag);
  });
});

describe("what the real service returns is storable and reads back unchanged", () => {
  test("the GET-by-id body with salesStage \"100\", size \"\", a GUID solution of type Name, a None solution, an MSX id", async () => {
    const stored = storeDocumented();
    const r = await call("GET", `${BASE}/${stored.id}`);
    expect(r.status).toBe(200);
    const sample = documentedReferral(stored.id);
    for (const key of ["salesStage", "customerProfile", "consent", "details", "inviteContext", "trackingInfo", "statusReason", "externalReferenceId"] as const) {
      expect({ key, value: r.body[key] }).toEqual({ key, value: sample[key] });
    }
    const read = await client().get(stored.id);
    expect(read.referral.trackingInfo?.microsoftMsxId).toBe("7-3ABCDEF12");
  });

  test("the engine maps such a referral in: its MSX id, its GUID solution in one case, the None solution kept", () => {
    const referral = storeDocumented();
    const values = dealFromReferral(referral, defaultMapping());
    expect(values.opportunity.cosell_microsoftcrmid).toBe("7-3ABCDEF12");
    expect(values.opportunity.cosell_solutionids).toBe("3f2504e0-4f89-11d3-9a0c-0305e82c3301; Azure");
    expect(values.account.address1_country).toBe("US");
  });
});

describe("PATCH (patch-a-referral)", () => {
  async function created() {
    const r = await call("POST", BASE, sharedCreateRequest());
    return { id: r.body.id as string, eTag: r.headers.get("etag")! };
  }

  test("dealValue as a string, without If-Match: 204 and the number stored", async () => {
    const { id } = await created();
    const r = await call("PATCH", `${BASE}/${id}`, patchSamples.dealValue);
    expect(r.status).toBe(STATUS.patchedNoContent);
    expect(r.body).toBeUndefined();
    expect(emulator.state.get(id).details.dealValue).toBe(10000);
  });

  test("notes with Prefer: return=representation: 200 and the referral", async () => {
    const { id, eTag } = await created();
    const r = await call("PATCH", `${BASE}/${id}`, patchSamples.notes, { ...json, "If-Match": eTag, Prefer: "return=representation" });
    expect(r.status).toBe(200);
    expect(r.body.details.notes).toBe("Lorem ipsum dolor sit amet.");
  });

  test("add to /team/- appends a member; a close to Won follows the transition table", async () => {
    const { id } = await created();
    expect((await call("PATCH", `${BASE}/${id}`, patchSamples.addTeamMember)).status).toBe(204);
    expect(emulator.state.get(id).team?.at(-1)).toMatchObject({ firstName: "Jane", lastName: "Roe" });
    expect((await call("PATCH", `${BASE}/${id}`, patchSamples.close)).status).toBe(204);
    expect(emulator.state.get(id)).toMatchObject({ status: "Closed", substatus: "Won" });
  });

  test("a path outside the swagger's list is a 400 invalidRequest naming the path, and nothing changes", async () => {
    const { id } = await created();
    const before = emulator.state.get(id);
    for (const path of ["/name", "/inviteContext/assistanceRequestCode", "/customerProfile/name", "/customerProfile/address/country"]) {
      const r = await call("PATCH", `${BASE}/${id}`, [{ op: "replace", path, value: "x" }]);
      expect({ path, status: r.status, code: r.body.error.code, target: r.body.error.target }).toEqual({ path, status: 400, code: ERROR_CODES.invalidRequest, target: path });
    }
    expect(emulator.state.get(id)).toEqual(before);
  });

  test("every path of the swagger's list is accepted by the emulator", async () => {
    const { id } = await created();
    const referral = emulator.state.get(id);
    const values: Record<string, unknown> = {
      "/campaignId": "CMP-1", "/consent/consentToShareReferralWithMicrosoftSellers": true, "/customerProfile/team": referral.customerProfile.team,
      "/customerProfile/team/-": { firstName: "A", lastName: "B", email: "a@b.example" }, "/details/closingDateTime": "2031-12-01T00:00:00Z",
      "/details/currency": "EUR", "/details/dealValue": 1, "/details/notes": "n", "/details/requirements/solutions": referral.details.requirements?.solutions,
      "/details/requirements/solutions/-": { id: "SOL-1-A", type: "Name" }, "/externalReferenceId": "opp-9", "/referralProgram": "None", "/salesStage": "Develop",
      "/status": "Active", "/substatus": "Accepted", "/statusReason": "ok", "/team": referral.team, "/team/-": { firstName: "C", lastName: "D", email: "c@d.example" },
    };
    expect(Object.keys(values).sort()).toEqual([...PATCH_PATHS].sort());
    for (const path of PATCH_PATHS) {
      const r = await call("PATCH", `${BASE}/${id}`, [{ op: path.endsWith("/-") ? "add" : "replace", path, value: values[path] }]);
      expect({ path, status: r.status }).toEqual({ path, status: 204 });
    }
  });

  test("our client refuses a path outside the list before calling, with the path as the target", async () => {
    const { id, eTag } = await created();
    const e = await client().patch(id, [{ op: "replace", path: "/name", value: "x" }], eTag).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(PartnerCenterError);
    expect(e).toMatchObject({ kind: "validation", target: "/name" });
  });
});

describe("errors (error-codes page): {error: {code, message, target}}", () => {
  test("an unknown referral is 404 itemNotFound; a stale If-Match is 412 preconditionFailed", async () => {
    const missing = await call("GET", `${BASE}/00000000-0000-0000-0000-000000000000`);
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({ error: { code: ERROR_CODES.itemNotFound, message: expect.any(String), target: "id" } });
    const made = await call("POST", BASE, sharedCreateRequest());
    await call("PATCH", `${BASE}/${made.body.id}`, patchSamples.notes);
    const stale = await call("PATCH", `${BASE}/${made.body.id}`, patchSamples.notes, { ...json, "If-Match": made.body.eTag });
    expect(stale.status).toBe(STATUS.preconditionFailed);
    expect(stale.body.error.code).toBe(ERROR_CODES.preconditionFailed);
    const e = await client().patch(made.body.id, patchSamples.notes as never, made.body.eTag).catch((x: unknown) => x);
    expect(e).toMatchObject({ kind: "concurrency" });
  });
});

describe("the contract's own rules", () => {
  test("solution ids: SOL- codes and GUIDs, compared without case or surrounding spaces", () => {
    expect(["SOL-15974-MQF", " 3f2504e0-4f89-11d3-9a0c-0305e82c3301 ", "3F2504E0-4F89-11D3-9A0C-0305E82C3301"].every(isSolutionId)).toBe(true);
    expect(["15974", "SOL-", "3f2504e0-4f89"].some(isSolutionId)).toBe(false);
    expect(solutionIdKey(" 3f2504e0-4f89-11d3-9a0c-0305e82c3301")).toBe(solutionIdKey("3F2504E0-4F89-11D3-9A0C-0305E82C3301 "));
  });

  test("a write beneath an allowed path goes as that path; a field outside every path has none", () => {
    expect(patchPathFor("/customerProfile/team/0/email")).toBe("/customerProfile/team");
    expect(patchPathFor("/details/dealValue")).toBe("/details/dealValue");
    expect(patchPathFor("/name")).toBeUndefined();
    expect(patchPathFor("/customerProfile/address/country")).toBeUndefined();
  });

  test("consent keys bind without case to the swagger's spelling; unknown keys are kept", () => {
    expect(normalizeConsent({ ConsentToContact: true, CONSENTTOSHAREREFERRALWITHMICROSOFTSELLERS: false, other: 1 }))
      .toEqual({ consentToContact: true, consentToShareReferralWithMicrosoftSellers: false, other: 1 });
  });
});
