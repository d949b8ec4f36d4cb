/**
 * The opportunity of the Update step's post-image in the Web API's shape (opportunity-image.ts):
 * the context as Dataverse serialises it (built by the same module the emulator uses), read back.
 */
import { DEAL_IMAGE, opportunityImageOf } from "../../sync/dataverse/opportunity-image";
import { buildRemoteExecutionContext, parseRemoteExecutionContext, wireValue, type EntityValue } from "../../sync/dataverse/remote-execution-context";
import { OPPORTUNITY_COLUMNS as C } from "../../sync/schema/dynamics";

const OPP = "0e6ac3a0-e726-42aa-b1d8-ee0cc41a1fb1";
const ACCOUNT = "8EB8BD72-5812-42AD-9C5B-9038188F01BD";

function contextWith(images: Record<string, EntityValue>) {
  const body = buildRemoteExecutionContext({
    messageName: "Update", primaryEntityName: "opportunity", primaryEntityId: OPP,
    operationId: crypto.randomUUID(), correlationId: crypto.randomUUID(), initiatingUserId: crypto.randomUUID(), userId: crypto.randomUUID(),
    businessUnitId: crypto.randomUUID(), organizationId: crypto.randomUUID(), organizationName: "contoso",
    inputParameters: { Target: wireValue.entity({ Id: OPP, LogicalName: "opportunity", Attributes: { estimatedvalue: wireValue.money(5) } } as EntityValue) },
    postEntityImages: images, depth: 1, mode: 1, stage: 40, operationCreatedOn: new Date(),
  });
  return parseRemoteExecutionContext(JSON.parse(JSON.stringify(body)));
}

const image = (attributes: Record<string, unknown>, id = OPP): EntityValue => ({ Id: id, LogicalName: "opportunity", Attributes: attributes } as EntityValue);

const full = {
  name: "Northwind", estimatedvalue: wireValue.money(64000), estimatedclosedate: new Date("2027-02-05T00:00:00Z"), statecode: wireValue.optionSet(0),
  modifiedon: new Date("2026-12-07T09:00:00Z"), customerid: wireValue.entityReference({ Id: ACCOUNT, LogicalName: "account" }),
  [C.syncWithPartnerCenter]: true, [C.referralId]: "ref-1", [C.syncStatus]: wireValue.optionSet(731500002), versionnumber: 1021,
};

test("reads the columns in the Web API's shape: money and choices as numbers, lookups as _x_value ids, a date-only value as its date", () => {
  const read = opportunityImageOf(contextWith({ [DEAL_IMAGE.alias]: image(full) }))!;
  expect(read.etag).toBe('W/"1021"');
  expect(read.opportunity).toMatchObject({
    opportunityid: OPP, name: "Northwind", estimatedvalue: 64000, estimatedclosedate: "2027-02-05", statecode: 0,
    modifiedon: "2026-12-07T09:00:00Z", _customerid_value: ACCOUNT.toLowerCase(), [C.syncStatus]: 731500002, [C.referralId]: "ref-1",
  });
  // A column the image leaves out is null in the row (the image lists every column the service reads).
  expect(read.opportunity._parentcontactid_value).toBeNull();
  expect(read.opportunity.description).toBeNull();
});

test("is not used when it cannot stand for the row: another alias, another row, no version, a date-only value off midnight UTC", () => {
  expect(opportunityImageOf(contextWith({ PostImage: image(full) }))).toBeUndefined();
  expect(opportunityImageOf(contextWith({ [DEAL_IMAGE.alias]: image(full, crypto.randomUUID()) }))).toBeUndefined();
  const { versionnumber: _v, ...noVersion } = full;
  expect(opportunityImageOf(contextWith({ [DEAL_IMAGE.alias]: image(noVersion) }))).toBeUndefined();
  expect(opportunityImageOf(contextWith({ [DEAL_IMAGE.alias]: image({ ...full, estimatedclosedate: new Date("2027-02-04T23:00:00Z") }) }))).toBeUndefined();
});
