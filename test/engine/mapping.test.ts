import { defaultMapping, defaultMappingDocument, loadMapping, MappingError, type MappingProblem } from "../../sync/engine";

type Doc = { version: number; fields: Array<Record<string, unknown>> };
const doc = (): Doc => defaultMappingDocument() as Doc;
const field = (over: Record<string, unknown> = {}): Record<string, unknown> => ({
  name: "f", column: "opportunity.name", referralPath: "name", direction: "both", transform: "text", sendOn: "create", policy: "newestWins", ...over,
});

function problemsOf(input: unknown): MappingProblem[] {
  try {
    loadMapping(input);
  } catch (e) {
    expect(e).toBeInstanceOf(MappingError);
    return (e as MappingError).problems;
  }
  throw new Error("the mapping was accepted");
}

describe("defaultMapping", () => {
  it("loads and covers the documented fields", () => {
    const m = defaultMapping();
    const byPath = Object.fromEntries(m.fields.map((f) => [f.referralPath, f.column]));
    expect(byPath).toMatchObject({
      name: "opportunity.name",
      "details.dealValue": "opportunity.estimatedvalue",
      "details.currency": "currency.isocurrencycode",
      "details.closingDateTime": "opportunity.estimatedclosedate",
      "customerProfile.name": "account.name",
      "customerProfile.address.country": "account.address1_country",
      "customerProfile.size": "account.numberofemployees",
      "customerProfile.team[0].email": "contact.emailaddress1",
      "inviteContext.assistanceRequestCode": "opportunity.cosell_howcanmicrosofthelp",
      "details.requirements.solutions": "opportunity.cosell_solutionids",
    });
    expect(m.status?.column).toBe("opportunity.statecode");
    // details.notes is split: the seller's notes go out, Microsoft's come into their own column; Description is never mapped.
    const notes = m.fields.filter((f) => f.referralPath === "details.notes").map((f) => [f.column, f.direction]);
    expect(notes).toEqual([["opportunity.cosell_notesformicrosoft", "toPartnerCenter"], ["opportunity.cosell_notesfrommicrosoft", "toDynamics"]]);
    expect(m.fields.some((f) => f.column === "opportunity.description")).toBe(false);
    expect(m.warnings).toEqual([]);
    expect(m.fields.find((f) => f.referralPath === "customerProfile.team[0].email")?.pointer).toBe("/customerProfile/team/0/email");
  });
});

describe("loadMapping rejects a bad document with every problem at once", () => {
  it("reports schema problems with their paths", () => {
    const problems = problemsOf({
      version: 2,
      extra: true,
      fields: [field({ direction: "sideways" }), field({ name: "g", policy: "loudestWins", transform: 5 }), { name: "h" }],
    });
    expect(problems).toEqual(expect.arrayContaining([
      { path: "$.version", message: "must be 1." },
      { path: "$.extra", message: "is not a known property." },
      { path: "$.fields[0].direction", message: "must be one of both, toPartnerCenter, toDynamics." },
      { path: "$.fields[1].policy", message: "must be one of dynamicsWins, partnerCenterWins, newestWins." },
      { path: "$.fields[1].transform", message: "transform must be a transform name or an object with a type." },
      { path: "$.fields[2].column", message: "is required." },
      { path: "$.fields[2].policy", message: "is required." },
    ]));
  });

  it("rejects something that is not a mapping document", () => {
    expect(problemsOf("nope")).toEqual([{ path: "$", message: "must be object." }]);
    expect(problemsOf({ version: 1, fields: [] })).toEqual([{ path: "$.fields", message: "must NOT have fewer than 1 items." }]);
  });

  it.each<[string, Record<string, unknown>, string, RegExp]>([
    ["an unknown table", { column: "lead.subject" }, "column", /"lead" is not one of opportunity, account, contact, currency/],
    ["a malformed column name", { column: "opportunity.Est Value" }, "column", /not a Dataverse logical column name/],
    ["an unknown referral path", { referralPath: "details.budget" }, "referralPath", /not a referral field the engine knows/],
    ["a team index past 50", { referralPath: "customerProfile.team[50].email", column: "contact.emailaddress1" }, "referralPath", /50 team members/],
    ["an unknown transform", { transform: "uppercase" }, "transform", /"uppercase" is not a known transform/],
    ["an incompatible transform", { referralPath: "details.dealValue", transform: "isoCountry" }, "transform", /cannot map details.dealValue \(a decimal field\); use decimal/],
    ["bad transform parameters", { referralPath: "details.dealValue", transform: { type: "decimal", scale: -1 } }, "transform", /scale must be a whole number/],
    ["a choice without values", { referralPath: "salesStage", transform: { type: "choice" } }, "transform", /needs values/],
    ["a choice value outside the enum", { referralPath: "salesStage", transform: { type: "choice", values: { "1": "Won" } } }, "transform", /"Won" is not one of Qualify, Develop, Propose, Close/],
    ["a one-way transform written back", { referralPath: "customerProfile.size", column: "account.numberofemployees", transform: "employeeCountToSize" }, "direction", /only works towards Partner Center/],
    ["a currency column written back", { referralPath: "details.notes", column: "currency.isocurrencycode", direction: "toDynamics", sendOn: "always" }, "direction", /currency columns are read-only/],
    // The referral PATCH takes only the connector swagger's paths (sync/contracts/partner-center-referrals.ts).
    ["an outbound field Partner Center cannot update", { sendOn: "always" }, "referralPath", /does not take updates to \/name .*add "sendOn": "create"/],
    ["an address field sent on every change", { referralPath: "customerProfile.address.city", column: "account.address1_city", direction: "toPartnerCenter", sendOn: "always" }, "referralPath", /\/customerProfile\/address\/city/],
    ["sendOn on a field that only flows to Dynamics", { referralPath: "details.notes", direction: "toDynamics" }, "sendOn", /applies to fields sent to Partner Center/],
    ["dealStatus on another column", { referralPath: "status", column: "opportunity.statuscode", transform: "dealStatus" }, "column", /maps opportunity.statecode/],
  ])("rejects %s", (_label, over, prop, message) => {
    const problems = problemsOf({ version: 1, fields: [field(over)] });
    expect(problems).toEqual([{ path: `$.fields[0].${prop}`, message: expect.stringMatching(message) }]);
  });

  it("rejects duplicates: names, referral paths and columns written twice", () => {
    const problems = problemsOf({
      version: 1,
      fields: [
        field(),
        field({ referralPath: "details.notes" }),
        field({ name: "g", referralPath: "name", column: "opportunity.description" }),
      ],
    });
    expect(problems).toEqual([
      { path: "$.fields[1].name", message: '"f" is already the name of field 0.' },
      { path: "$.fields[1].column", message: "opportunity.name is already written by field 0." },
      { path: "$.fields[2].referralPath", message: '"name" is already mapped by field 0; one referral field takes one field, or two that split it (one toPartnerCenter, one toDynamics).' },
    ]);
  });

  it("reports schema problems and rule problems of other fields together", () => {
    const d = doc();
    d.fields[0].transform = "shout";
    d.fields[1].direction = "sideways";
    d.fields[2] = { name: 7 };
    const paths = problemsOf(d).map((p) => p.path);
    expect(paths).toEqual(expect.arrayContaining(["$.fields[0].transform", "$.fields[1].direction"]));
    expect(paths.filter((p) => p.startsWith("$.fields[2]")).length).toBeGreaterThan(0);
    expect(new Set(paths).size).toBe(paths.length);
  });

  it("lists every problem in the error message", () => {
    const bad = doc();
    bad.fields[0].transform = "nope";
    bad.fields[3].column = "lead.x";
    expect(() => loadMapping(bad)).toThrow(/2 problems:\n {2}\$\.fields\[0\]\.transform: .*\n {2}\$\.fields\[3\]\.column: /);
  });

  it("accepts a field beneath an allowed PATCH path (a contact's e-mail goes as the whole team) and sendOn create elsewhere", () => {
    const m = loadMapping({
      version: 1,
      fields: [
        field({ name: "email", column: "contact.emailaddress1", referralPath: "customerProfile.team[0].email", sendOn: "always" }),
        field({ name: "title" }),
      ],
    });
    expect(m.fields.map((f) => [f.name, f.sendOn])).toEqual([["email", "always"], ["title", "create"]]);
  });

  it("accepts a choice map and a one-way transform pointed the right way", () => {
    const m = loadMapping({
      version: 1,
      fields: [
        field({ name: "stage", column: "opportunity.salesstagecode", referralPath: "salesStage", transform: { type: "choice", values: { "0": "Qualify", "1": "Develop" } } }),
        field({ name: "size", column: "account.numberofemployees", referralPath: "customerProfile.size", transform: "employeeCountToSize", direction: "toPartnerCenter" }),
      ],
    });
    expect(m.fields.map((f) => f.transform.type)).toEqual(["choice", "employeeCountToSize"]);
    expect(m.status).toBeNull();
  });
});
