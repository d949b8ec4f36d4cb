import {
  buildRemoteExecutionContext,
  contextTarget,
  parseRemoteExecutionContext,
  RemoteExecutionContextError,
  stringParameter,
  wireValue,
} from "../../sync/dataverse";

const IDS = {
  op: "0f8fad5b-d9cb-469f-a165-70867728950e",
  corr: "7c9e6679-7425-40de-944b-e07fc1f90ae7",
  user: "5a1b0c3d-0000-4000-8000-00000000c001",
  bu: "5a1b0c3d-0000-4000-8000-00000000b001",
  org: "5a1b0c3d-0000-4000-8000-00000000a001",
  opp: "33333333-3333-4333-8333-333333333333",
  acct: "11111111-1111-4111-8111-111111111111",
};

function sample() {
  return buildRemoteExecutionContext({
    messageName: "Update", primaryEntityName: "opportunity", primaryEntityId: IDS.opp, operationId: IDS.op, correlationId: IDS.corr,
    initiatingUserId: IDS.user, userId: IDS.user, businessUnitId: IDS.bu, organizationId: IDS.org, organizationName: "contoso",
    inputParameters: {
      Target: wireValue.entity({
        Id: IDS.opp, LogicalName: "opportunity",
        Attributes: {
          cosell_syncstatus: wireValue.optionSet(731500002), estimatedvalue: wireValue.money(1250.5),
          customerid: wireValue.entityReference({ Id: IDS.acct, LogicalName: "account" }),
          cosell_lastsyncedon: new Date("2025-03-01T10:00:00Z"), name: "Deal",
        },
      }),
      Reason: "Not a customer",
    },
    postEntityImages: { post: { Id: IDS.opp, LogicalName: "opportunity", Attributes: { name: "Deal" } } },
    depth: 2, mode: 0, stage: 40, operationCreatedOn: new Date(1740823200000),
  });
}

test("build → JSON → parse gives back typed values", () => {
  const ctx = parseRemoteExecutionContext(JSON.parse(JSON.stringify(sample())));
  expect(ctx).toMatchObject({ MessageName: "Update", OperationId: IDS.op, CorrelationId: IDS.corr, Depth: 2, Mode: 0, Stage: 40, OrganizationName: "contoso" });
  expect(ctx.OperationCreatedOn.toISOString()).toBe("2025-03-01T10:00:00.000Z");
  expect(contextTarget(ctx)).toEqual({
    Id: IDS.opp, LogicalName: "opportunity", RowVersion: null,
    Attributes: {
      cosell_syncstatus: 731500002, estimatedvalue: 1250.5, customerid: { Id: IDS.acct, LogicalName: "account", Name: null },
      cosell_lastsyncedon: new Date("2025-03-01T10:00:00Z"), name: "Deal",
    },
  });
  expect(stringParameter(ctx, "Reason")).toBe("Not a customer");
  expect(stringParameter(ctx, "Decision")).toBeUndefined();
  expect(ctx.PostEntityImages.post.Attributes.name).toBe("Deal");
});

test("dates with a time-zone offset parse too", () => {
  const json = { ...sample(), OperationCreatedOn: "/Date(1740823200000+0000)/" };
  expect(parseRemoteExecutionContext(json).OperationCreatedOn.getTime()).toBe(1740823200000);
});

test.each([
  ["OperationId", "not-a-guid", /RemoteExecutionContext\.OperationId: expected a GUID/],
  ["MessageName", "", /RemoteExecutionContext\.MessageName: expected a non-empty string/],
  ["Mode", 3, /RemoteExecutionContext\.Mode: expected one of 0, 1/],
  ["OperationCreatedOn", "2025-03-01", /RemoteExecutionContext\.OperationCreatedOn: expected a date like/],
  ["InputParameters", { Target: 1 }, /RemoteExecutionContext\.InputParameters: expected an array/],
])("a bad %s is refused with a message naming the field", (field, value, message) => {
  const json = { ...sample(), [field]: value };
  expect(() => parseRemoteExecutionContext(json)).toThrow(RemoteExecutionContextError);
  expect(() => parseRemoteExecutionContext(json)).toThrow(message);
});

test("a malformed Target reference names the nested field", () => {
  const json = sample();
  (json.InputParameters as Array<{ key: string; value: unknown }>)[0].value = { __type: "EntityReference:http://schemas.microsoft.com/xrm/2011/Contracts", Id: "x", LogicalName: "opportunity" };
  expect(() => parseRemoteExecutionContext(json)).toThrow("RemoteExecutionContext.InputParameters[0].value.Id: expected a GUID");
  expect(() => parseRemoteExecutionContext(null)).toThrow(/expected a JSON object/);
});
