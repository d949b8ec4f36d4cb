/**
 * The tables the Dataverse emulator knows: entity set, primary key, typed columns, lookups
 * (navigation property → attribute + target set) and alternate keys. Co-sell names come from
 * sync/schema/dynamics.ts; system names are Dataverse's own.
 */
import {
  LEAD_COLUMNS,
  OPPORTUNITY_COLUMNS as OPP,
  SETTING_COLUMNS,
  SETTING_TABLE,
  SYNC_EVENT_COLUMNS as EV,
  SYNC_EVENT_TABLE,
} from "../../sync/schema/dynamics";

export type ColumnType = "guid" | "string" | "memo" | "int" | "decimal" | "money" | "bool" | "datetime" | "date" | "choice";

export interface LookupDef {
  /** The lookup attribute; its value is exposed as `_<attribute>_value`. */
  attribute: string;
  /** Entity set of the referenced table. */
  target: string;
}

export interface TableDef {
  logicalName: string;
  entitySet: string;
  primaryKey: string;
  /** The primary name column (EntityMetadata.PrimaryNameAttribute), where the emulator needs it: an async step's platform image. */
  primaryName?: string;
  columns: Record<string, ColumnType>;
  /** Single-valued navigation properties (used by `@odata.bind` and `$expand`). */
  lookups: Record<string, LookupDef>;
  alternateKeys: string[][];
  /** Columns accepted on write but never returned (IsValidForRead = false). */
  writeOnly: string[];
  /** Default statuscode for each statecode. */
  defaultStatus: Record<number, number>;
}

/** Columns every table carries; the emulator maintains them. */
const SYSTEM_COLUMNS: Record<string, ColumnType> = {
  createdon: "datetime",
  modifiedon: "datetime",
  statecode: "choice",
  statuscode: "choice",
  versionnumber: "int",
};
export const READ_ONLY_COLUMNS = new Set(["createdon", "modifiedon", "versionnumber"]);

const ADDRESS: Record<string, ColumnType> = {
  address1_line1: "string",
  address1_line2: "string",
  address1_city: "string",
  address1_stateorprovince: "string",
  address1_postalcode: "string",
  address1_country: "string",
};

function table(
  def: Omit<TableDef, "columns" | "lookups" | "alternateKeys" | "writeOnly" | "defaultStatus"> &
    Partial<Pick<TableDef, "lookups" | "alternateKeys" | "writeOnly" | "defaultStatus">> & {
      columns: Record<string, ColumnType>;
    },
): TableDef {
  const lookups = def.lookups ?? {};
  const lookupColumns: Record<string, ColumnType> = {};
  for (const l of Object.values(lookups)) lookupColumns[`_${l.attribute}_value`] = "guid";
  return {
    ...def,
    columns: { [def.primaryKey]: "guid", ...SYSTEM_COLUMNS, ...def.columns, ...lookupColumns },
    lookups,
    alternateKeys: def.alternateKeys ?? [],
    writeOnly: def.writeOnly ?? [],
    defaultStatus: def.defaultStatus ?? { 0: 1, 1: 2 },
  };
}

export const TABLES: TableDef[] = [
  table({
    logicalName: "opportunity",
    primaryName: "name",
    entitySet: "opportunities",
    primaryKey: "opportunityid",
    columns: {
      name: "string",
      description: "memo",
      estimatedvalue: "money",
      estimatedclosedate: "date",
      actualvalue: "money",
      actualclosedate: "date",
      closeprobability: "int",
      [OPP.syncWithPartnerCenter]: "bool",
      [OPP.referralId]: "string",
      [OPP.referralLink]: "string",
      [OPP.howCanMicrosoftHelp]: "choice",
      [OPP.solutionIds]: "memo",
      [OPP.syncStatus]: "choice",
      [OPP.syncError]: "memo",
      [OPP.syncErrorCode]: "string",
      [OPP.lastSyncedOn]: "datetime",
      [OPP.referralETag]: "string",
      [OPP.syncSnapshot]: "memo",
      [OPP.closeReason]: "choice",
      [OPP.referralVisibility]: "choice",
      [OPP.microsoftCrmId]: "string",
      [OPP.notesForMicrosoft]: "memo",
      [OPP.notesFromMicrosoft]: "memo",
    },
    lookups: {
      customerid_account: { attribute: "customerid", target: "accounts" },
      customerid_contact: { attribute: "customerid", target: "contacts" },
      parentaccountid: { attribute: "parentaccountid", target: "accounts" },
      parentcontactid: { attribute: "parentcontactid", target: "contacts" },
      transactioncurrencyid: { attribute: "transactioncurrencyid", target: "transactioncurrencies" },
      ownerid: { attribute: "ownerid", target: "systemusers" },
    },
    alternateKeys: [[OPP.referralId]],
    defaultStatus: { 0: 1, 1: 3, 2: 4 },
  }),
  table({
    logicalName: "opportunityclose",
    entitySet: "opportunitycloses",
    primaryKey: "activityid",
    columns: { subject: "string", description: "memo", actualrevenue: "money", actualend: "date", competitorid: "guid" },
    lookups: { opportunityid: { attribute: "opportunityid", target: "opportunities" } },
    defaultStatus: { 0: 1, 1: 2 },
  }),
  table({
    logicalName: "account",
    primaryName: "name",
    entitySet: "accounts",
    primaryKey: "accountid",
    columns: { name: "string", ...ADDRESS, numberofemployees: "int", websiteurl: "string", telephone1: "string" },
    // Both appear in Microsoft's documented $batch example (execute-batch-operations-using-web-api.md).
    lookups: {
      primarycontactid: { attribute: "primarycontactid", target: "contacts" },
      originatingleadid: { attribute: "originatingleadid", target: "leads" },
    },
  }),
  table({
    logicalName: "contact",
    primaryName: "fullname",
    entitySet: "contacts",
    primaryKey: "contactid",
    columns: {
      firstname: "string",
      lastname: "string",
      fullname: "string",
      emailaddress1: "string",
      telephone1: "string",
      jobtitle: "string",
    },
    lookups: { parentcustomerid_account: { attribute: "parentcustomerid", target: "accounts" } },
  }),
  table({
    logicalName: "lead",
    primaryName: "fullname",
    entitySet: "leads",
    primaryKey: "leadid",
    columns: {
      subject: "string",
      firstname: "string",
      lastname: "string",
      fullname: "string",
      companyname: "string",
      emailaddress1: "string",
      telephone1: "string",
      description: "memo",
      ...ADDRESS,
      [LEAD_COLUMNS.referralId]: "string",
      [LEAD_COLUMNS.referralLink]: "string",
    },
    lookups: { transactioncurrencyid: { attribute: "transactioncurrencyid", target: "transactioncurrencies" } },
    defaultStatus: { 0: 1, 1: 3, 2: 4 },
  }),
  table({
    logicalName: "transactioncurrency",
    primaryName: "currencyname",
    entitySet: "transactioncurrencies",
    primaryKey: "transactioncurrencyid",
    columns: {
      isocurrencycode: "string",
      currencyname: "string",
      currencysymbol: "string",
      exchangerate: "decimal",
      currencyprecision: "int",
    },
  }),
  table({
    logicalName: "systemuser",
    primaryName: "fullname",
    entitySet: "systemusers",
    primaryKey: "systemuserid",
    columns: { fullname: "string", domainname: "string", azureactivedirectoryobjectid: "guid", applicationid: "guid" },
  }),
  table({
    logicalName: SYNC_EVENT_TABLE.logicalName,
    entitySet: SYNC_EVENT_TABLE.entitySet,
    primaryKey: EV.id,
    columns: {
      [EV.name]: "string",
      [EV.occurredOn]: "datetime",
      [EV.direction]: "choice",
      [EV.trigger]: "choice",
      [EV.result]: "choice",
      [EV.initiatedBy]: "string",
      [EV.changes]: "memo",
      [EV.conflicts]: "memo",
      [EV.errorCode]: "string",
      [EV.errorMessage]: "memo",
      [EV.referralId]: "string",
      [EV.operationId]: "string",
      [EV.correlationId]: "string",
    },
    // The lookup's navigation property is its SchemaName (solution-format.md §4).
    lookups: { cosell_Opportunity: { attribute: EV.opportunity, target: "opportunities" } },
  }),
  table({
    logicalName: SETTING_TABLE.logicalName,
    entitySet: SETTING_TABLE.entitySet,
    primaryKey: SETTING_COLUMNS.id,
    columns: { [SETTING_COLUMNS.name]: "string", [SETTING_COLUMNS.value]: "memo" },
    alternateKeys: [[SETTING_COLUMNS.name]],
  }),
  table({
    logicalName: "serviceendpoint",
    entitySet: "serviceendpoints",
    primaryKey: "serviceendpointid",
    columns: {
      name: "string",
      description: "memo",
      contract: "choice",
      url: "string",
      authtype: "choice",
      authvalue: "memo",
      messageformat: "choice",
      namespaceaddress: "string",
      path: "string",
      userclaim: "choice",
      connectionmode: "choice",
    },
    writeOnly: ["authvalue"],
  }),
  table({
    logicalName: "sdkmessage",
    entitySet: "sdkmessages",
    primaryKey: "sdkmessageid",
    columns: { name: "string", isprivate: "bool", customizationlevel: "int" },
  }),
  table({
    logicalName: "sdkmessagefilter",
    entitySet: "sdkmessagefilters",
    primaryKey: "sdkmessagefilterid",
    columns: { primaryobjecttypecode: "string", secondaryobjecttypecode: "string", iscustomprocessingstepallowed: "bool" },
    lookups: { sdkmessageid: { attribute: "sdkmessageid", target: "sdkmessages" } },
  }),
  table({
    logicalName: "sdkmessageprocessingstep",
    entitySet: "sdkmessageprocessingsteps",
    primaryKey: "sdkmessageprocessingstepid",
    columns: {
      name: "string",
      description: "memo",
      stage: "choice",
      mode: "choice",
      rank: "int",
      filteringattributes: "memo",
      supporteddeployment: "choice",
      asyncautodelete: "bool",
      invocationsource: "choice",
    },
    lookups: {
      eventhandler_serviceendpoint: { attribute: "eventhandler", target: "serviceendpoints" },
      sdkmessageid: { attribute: "sdkmessageid", target: "sdkmessages" },
      sdkmessagefilterid: { attribute: "sdkmessagefilterid", target: "sdkmessagefilters" },
    },
  }),
  table({
    // A step's pre/post image: the columns (comma-separated `attributes`) Dataverse puts in the context under `entityalias`.
    logicalName: "sdkmessageprocessingstepimage",
    entitySet: "sdkmessageprocessingstepimages",
    primaryKey: "sdkmessageprocessingstepimageid",
    columns: { name: "string", entityalias: "string", imagetype: "choice", messagepropertyname: "string", attributes: "memo" },
    lookups: { sdkmessageprocessingstepid: { attribute: "sdkmessageprocessingstepid", target: "sdkmessageprocessingsteps" } },
  }),
];

const BY_SET = new Map(TABLES.map((t) => [t.entitySet, t]));
const BY_NAME = new Map(TABLES.map((t) => [t.logicalName, t]));

export function tableBySet(entitySet: string): TableDef | undefined {
  return BY_SET.get(entitySet);
}
export function tableByName(logicalName: string): TableDef | undefined {
  return BY_NAME.get(logicalName);
}

/** Column names that may appear in $select / $filter / $orderby. */
export function isReadableColumn(t: TableDef, column: string): boolean {
  return column in t.columns && !t.writeOnly.includes(column);
}
