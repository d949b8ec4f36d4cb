import { applyPlanToDeal, defaultMapping, plan, type Plan, type PlanInput, type SyncSnapshot } from "../../sync/engine";
import type { DynamicsDeal } from "../../sync/schema/dynamics";
import { HELP_TYPES, OPPORTUNITY_STATE, OPPORTUNITY_STATUS } from "../../sync/schema/dynamics";
import type { Referral } from "../../sync/schema/referral";

export const NOW = new Date("2025-06-15T10:00:00Z");

/** A deal that passes every Partner Center check. */
export function validDeal(): DynamicsDeal {
  return {
    opportunity: {
      opportunityid: "11111111-1111-1111-1111-111111111111",
      name: "Contoso cloud migration",
      description: "Internal: budget confirmed by the CFO",
      cosell_notesformicrosoft: "Move 40 servers to Azure",
      estimatedvalue: 125000,
      estimatedclosedate: "2025-09-30",
      statecode: OPPORTUNITY_STATE.Open,
      statuscode: OPPORTUNITY_STATUS.InProgress,
      modifiedon: "2025-06-01T08:00:00Z",
      cosell_syncwithpartnercenter: true,
      cosell_howcanmicrosofthelp: HELP_TYPES[1].value,
      cosell_solutionids: "SOL-15974-MQF; SOL-20001-ABC",
    },
    account: {
      accountid: "22222222-2222-2222-2222-222222222222",
      name: "Contoso Ltd",
      address1_line1: "1 Main Street",
      address1_city: "Berlin",
      address1_postalcode: "10115",
      address1_country: "Germany",
      numberofemployees: 320,
    },
    contact: {
      contactid: "33333333-3333-3333-3333-333333333333",
      firstname: "Ada",
      lastname: "Lovelace",
      emailaddress1: "ada@contoso.example",
      telephone1: null,
    },
    currency: { transactioncurrencyid: "44444444-4444-4444-4444-444444444444", isocurrencycode: "EUR" },
  };
}

/** The referral Partner Center holds for validDeal() after a first sync. */
export function matchingReferral(overrides: Partial<Referral> = {}): Referral {
  return {
    id: "ref-1",
    engagementId: "eng-1",
    name: "Contoso cloud migration",
    externalReferenceId: "11111111-1111-1111-1111-111111111111",
    createdDateTime: "2025-06-01T08:00:00Z",
    updatedDateTime: "2025-06-01T08:00:00Z",
    status: "Active",
    substatus: "Accepted",
    type: "Shared",
    qualification: "SalesQualified",
    direction: "Outgoing",
    customerProfile: {
      name: "Contoso Ltd",
      address: { addressLine1: "1 Main Street", city: "Berlin", postalCode: "10115", country: "DE" },
      size: "251to1000employees",
      team: [{ firstName: "Ada", lastName: "Lovelace", email: "ada@contoso.example", phoneNumber: null }],
    },
    details: {
      notes: "Move 40 servers to Azure",
      dealValue: 125000,
      currency: "EUR",
      closingDateTime: "2025-09-30T00:00:00Z",
      requirements: {
        solutions: [
          { id: "SOL-15974-MQF", type: "Name" },
          { id: "SOL-20001-ABC", type: "Name" },
        ],
      },
    },
    inviteContext: { assistanceRequestCode: "CustomerTechnicalArchitecture" },
    eTag: "\"etag-1\"",
    ...overrides,
  };
}

const mapping = defaultMapping();

/** Plans with the default mapping at NOW, as a reconcile would. */
export const run = (over: Partial<PlanInput> & Pick<PlanInput, "deal" | "referral">): Plan =>
  plan({ snapshot: null, mapping, now: NOW, trigger: "reconcile", ...over });

/** A valid deal linked to `referral` by a first sync: the pair as both sides hold it afterwards. */
export function synced(referral: Referral): { deal: DynamicsDeal; referral: Referral; snapshot: SyncSnapshot; first: Plan } {
  const deal = validDeal();
  const first = run({ deal, referral });
  return { deal: applyPlanToDeal(deal, first), referral, snapshot: first.nextSnapshot, first };
}
