/**
 * Fixtures with the shapes of the bodies Microsoft's referral pages show (our own names, ids and
 * values; the keys, casing, types and the values that matter are Microsoft's). Each names its page.
 */

/** create-a-referral (partner-rest): the co-sell "Shared" request — status New/Pending, a Category solution. */
export const sharedCreateRequest = () => ({
  name: "Tailwind ERP rollout",
  status: "New",
  substatus: "Pending",
  statusReason: null,
  qualification: "SalesQualified",
  type: "Shared",
  target: [{ type: "SolutionProfile", id: "SOL-40111-TWR" }],
  customerProfile: {
    name: "Tailwind Traders",
    address: { addressLine1: "4 Harbour Rd", addressLine2: "Unit 2", city: "Seattle", state: "WA", postalCode: "98101", country: "US" },
    size: "10to50employees",
    team: [
      { firstName: "Ines", lastName: "Moreau", phoneNumber: "2065550100", email: "ines@tailwind.example", contactPreference: { locale: "en-us", disableNotifications: false } },
      { firstName: "Omar", lastName: "Haddad", phoneNumber: "2065550101", email: "omar@tailwind.example", contactPreference: { locale: "en-us", disableNotifications: false } },
    ],
    ids: [],
  },
  consent: { consentToToShareInfoWithOthers: true, consentToContact: true },
  details: {
    dealValue: 50000,
    currency: "USD",
    closingDateTime: "2031-11-14T00:00:00Z",
    requirements: {
      industries: [{ id: "Manufacturing" }],
      products: [{ id: "Dynamics365Enterprise" }],
      services: [{ id: "DeploymentOrMigration" }],
      solutions: [{ name: "Dynamics 365 for Field Service", type: "Category", id: "Dynamics365forFieldService" }],
    },
  },
  team: [{ firstName: "Lee", lastName: "Partner", phoneNumber: "2065550199", email: "lee@contoso.example" }],
  inviteContext: { invitedBy: { organizationId: "msft" } },
});

/**
 * Learn's current create-a-referral "private referral with minimal information": no status, the
 * consent keys PascalCase but the visibility one, a key no swagger has, empty e-mails.
 */
export const privateCreateRequest = () => ({
  name: "Northwind intranet - [Private]",
  qualification: "SalesQualified",
  type: "Independent",
  customerProfile: {
    name: "Northwind Traders",
    address: { addressLine1: "7 Elm St", addressLine2: "12", city: "Redmond", state: "WA", postalCode: "98052", country: "US" },
    size: "10to50employees",
    team: [{ firstName: "Mia", lastName: "Chen", phoneNumber: "4255550123", email: "" }],
  },
  consent: {
    ConsentToToShareInfoWithOthers: true,
    ConsentToContact: true,
    ConsentToMicrosoftToContactSpecificPartners: true,
    consentToShareReferralWithMicrosoftSellers: false,
  },
  details: {
    notes: "Partner-only deal",
    dealValue: 50000,
    currency: "USD",
    closingDateTime: "2031-11-14T00:00:00Z",
    requirements: {
      solutions: [{ type: "Name", id: "SOL-15974-MQF", name: "Northwind_Intranet", publisherName: "Contoso_Publishing", solutionType: "3P" }],
      additionalRequirements: { iot: {}, attributes: [{ id: "HaveNotDecided", type: "CustomerMarketplaceIntent" }] },
    },
  },
  team: [{ firstName: "Jo", lastName: "Park", phoneNumber: "4255550177", email: "" }],
  target: [],
});

/**
 * A referral as get-a-referral-by-id returns it (the documented body's keys and formats: a quoted
 * eTag, Duns ids, links, null statusReason), with what real referrals also carry: a GUID solution
 * id of type "Name", a "None" solution, salesStage "100", size "", Microsoft's CRM id.
 */
export const documentedReferral = (id: string) => ({
  "@odata.context": "https://api.partner.microsoft.com/v1.0/engagments/referrals/$metadata#Referrals/$entity",
  id,
  engagementId: "5c3e1e47-8a1d-4c57-9d0e-2b1f4a6c7d80",
  organizationId: "00aa00aa-bb11-cc22-dd33-44ee44ee44ee",
  organizationName: "Contoso Partner",
  name: "Fourth Coffee analytics",
  externalReferenceId: "",
  createdDateTime: "2031-02-23T02:05:23.2931817Z",
  updatedDateTime: "2031-02-23T02:05:23.2931817Z",
  expirationDateTime: "2031-03-09T02:05:23.2931817Z",
  status: "New",
  substatus: "Pending",
  statusReason: null,
  type: "Shared",
  qualification: "SalesQualified",
  direction: "Incoming",
  salesStage: "100",
  customerProfile: {
    name: "Fourth Coffee",
    address: { addressLine1: "9 Bean Way", city: "Tacoma", state: "WA", postalCode: "98402", country: "US" },
    size: "",
    team: [{ firstName: "Ravi", lastName: "Iyer", phoneNumber: "2535550100", email: "ravi@fourthcoffee.example" }],
    ids: [{ profileType: "Duns", id: "123456789" }],
  },
  consent: { consentToToShareInfoWithOthers: true, consentToContact: true, consentToShareReferralWithMicrosoftSellers: true },
  details: {
    notes: "Microsoft's notes",
    dealValue: 90000,
    currency: "USD",
    closingDateTime: "2031-06-30T00:00:00Z",
    requirements: {
      solutions: [
        { id: "3F2504E0-4F89-11D3-9A0C-0305E82C3301", name: "Fourth Coffee Insights", type: "Name" },
        { id: "Azure", type: "None" },
      ],
    },
  },
  team: [{ firstName: "Kim", lastName: "Msft", email: "kim@microsoft.example" }],
  inviteContext: { notes: "", invitedBy: { organizationId: "msft", organizationName: "Microsoft" }, assistanceRequestCode: "GeneralOrOther" },
  trackingInfo: { microsoftMsxId: "7-3ABCDEF12" },
  links: {
    relatedReferrals: { uri: `https://api.partner.microsoft.com/v1.0/engagments/referrals?$filter=engagementId eq '5c3e1e47-8a1d-4c57-9d0e-2b1f4a6c7d80'`, method: "GET" },
    self: { uri: `https://api.partner.microsoft.com/v1.0/engagments/referrals/${id}`, method: "GET" },
  },
  eTag: '"2500ec5a-0000-0000-0000-5bf4967d0000"',
});

/** patch-a-referral's samples: dealValue as a string, notes, a close, a team member appended. */
export const patchSamples = {
  dealValue: [{ op: "replace", path: "/details/dealValue", value: "10000" }],
  notes: [{ op: "replace", path: "/details/notes", value: "Lorem ipsum dolor sit amet." }],
  close: [{ op: "replace", path: "/status", value: "Closed" }, { op: "replace", path: "/substatus", value: "Won" }],
  addTeamMember: [{ op: "add", path: "/team/-", value: { email: "jane@contoso.example", firstName: "Jane", lastName: "Roe", phoneNumber: "0000000001" } }],
};
