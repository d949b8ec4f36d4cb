/** Shared set-up for the Partner Center tests: the emulator behind msw, a client on it, sample bodies. */
import { setupServer } from "msw/node";
import type { NewReferral } from "../../sync/schema/referral";
import { ReferralsClient, type ReferralsClientOptions } from "../../sync/partner-center/referrals-client";
import { staticTokenProvider } from "../../sync/partner-center/auth-types";
import { createPartnerCenterEmulator, type PartnerCenterEmulatorOptions } from "../../emulators/partner-center";

export const TOKEN = "test-token";

export function startEmulator(options: PartnerCenterEmulatorOptions = {}) {
  // Partner Center's redeliveries 1 ms apart: the tests wait for all ten, not for their minutes.
  const emulator = createPartnerCenterEmulator({ seed: 42, redeliveryDelayMs: () => 1, ...options });
  const server = setupServer(...emulator.handlers);
  return { emulator, server };
}

/** Waits are recorded, not slept, so retry tests run instantly and can assert them. */
export function recordingSleep() {
  const waits: number[] = [];
  return { waits, sleep: async (ms: number) => void waits.push(ms) };
}

export function client(overrides: Partial<ReferralsClientOptions> = {}) {
  return new ReferralsClient({ tokenProvider: staticTokenProvider(TOKEN), retryEnv: { sleep: async () => undefined, random: () => 0.5 }, ...overrides });
}

/** The create sample's shape (partner-center.md §2, [REST] create-a-referral): a co-sell deal. */
export function coSellReferral(overrides: Partial<NewReferral> = {}): NewReferral {
  return {
    name: "Contoso cloud migration",
    externalReferenceId: "opp-0001",
    type: "Shared",
    qualification: "SalesQualified",
    status: "New",
    substatus: "Pending",
    customerProfile: {
      name: "Fabrikam Ltd",
      address: { addressLine1: "1 Main St", city: "Redmond", state: "WA", postalCode: "98052", country: "US" },
      size: "51to500employees",
      team: [{ firstName: "Ana", lastName: "Diaz", email: "ana@fabrikam.example", phoneNumber: "+1 425 555 0100" }],
    },
    consent: { consentToToShareInfoWithOthers: true, consentToContact: true, consentToShareReferralWithMicrosoftSellers: true },
    details: {
      notes: "Move 40 VMs",
      dealValue: 125000,
      currency: "USD",
      closingDateTime: "2030-06-30T00:00:00Z",
      requirements: { solutions: [{ id: "SOL-15974-MQF", name: "Contoso Migrate", type: "Name" }] },
    },
    team: [{ firstName: "Sam", lastName: "Seller", email: "sam@contoso.example" }],
    inviteContext: { notes: "Need architecture help", assistanceRequestCode: "CustomerTechnicalArchitecture" },
    target: [{ type: "SolutionProfile", id: "SOL-15974-MQF" }],
    ...overrides,
  } as NewReferral;
}
