/**
 * The Partner Center referral, as the Referrals API returns it (partner-center.md §2).
 * JSON names are camelCase exactly as the service spells them (including its typos).
 */

export const REFERRAL_STATUSES = ["None", "New", "Active", "Closed"] as const;
export type ReferralStatus = (typeof REFERRAL_STATUSES)[number];

/** `Error` was added in 2023 (partner-center.md §2.3). */
export const REFERRAL_SUBSTATUSES = [
  "None", "Pending", "Received", "Accepted", "Won", "Lost", "Declined", "Expired", "Error",
] as const;
export type ReferralSubstatus = (typeof REFERRAL_SUBSTATUSES)[number];

export const REFERRAL_TYPES = ["Independent", "Shared"] as const;
export type ReferralType = (typeof REFERRAL_TYPES)[number];

export const REFERRAL_QUALIFICATIONS = ["None", "Direct", "MarketingQualified", "SalesQualified"] as const;
export type ReferralQualification = (typeof REFERRAL_QUALIFICATIONS)[number];

export const REFERRAL_DIRECTIONS = ["Incoming", "Outgoing"] as const;
export type ReferralDirection = (typeof REFERRAL_DIRECTIONS)[number];

export const CUSTOMER_SIZES = [
  "1to50employees", "51to500employees", "Morethan500employees", "1to9employees", "10to50employees",
  "51to250employees", "251to1000employees", "1001to5000employees", "5001to10000employees",
  "10001to20000employees", "Morethan20000employees",
] as const;
export type CustomerSize = (typeof CUSTOMER_SIZES)[number];

/** "How can Microsoft help?" (D.4); `Unknown` is the enum's extra value, never offered to sellers. */
export const ASSISTANCE_REQUEST_CODES = [
  "WorkloadSpecificValueProposition", "CustomerTechnicalArchitecture", "ProofOfConceptOrDemo",
  "QuotesOrLicensing", "PostSalesCustomerSuccess", "GeneralOrOther", "Unknown",
] as const;
export type AssistanceRequestCode = (typeof ASSISTANCE_REQUEST_CODES)[number];

export const TARGET_TYPES = ["None", "BusinessProfileLocation", "SolutionProfile"] as const;
export type TargetType = (typeof TARGET_TYPES)[number];

export const SALES_STAGES = ["Qualify", "Develop", "Propose", "Close"] as const;
export type SalesStage = (typeof SALES_STAGES)[number];

export const SOLUTION_TAG_TYPES = ["None", "Category", "Name"] as const;
export type SolutionTagType = (typeof SOLUTION_TAG_TYPES)[number];

export const CUSTOMER_ID_TYPES = ["Duns", "External"] as const;
export type CustomerIdType = (typeof CUSTOMER_ID_TYPES)[number];

/** Decline / lost reasons (partner-center.md §2.4), sent as `statusReason` text (D.6). */
export const CLOSE_REASONS = [
  { code: 1, text: "Project budget isn't adequate" },
  { code: 2, text: "Customer didn't respond" },
  { code: 3, text: "Customer chose another vendor" },
  { code: 4, text: "Customer requirement not met" },
  { code: 5, text: "Not a customer" },
  { code: 6, text: "Proposed timeline was too short" },
  { code: 7, text: "Report as abuse/spam/phishing" },
  { code: 8, text: "Others" },
] as const;
export type CloseReasonCode = (typeof CLOSE_REASONS)[number]["code"];

/** Solution IDs look like `SOL-15974-MQF` (D.5). */
export const SOLUTION_ID_PATTERN = /^SOL-[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*$/;
export const MAX_SOLUTIONS = 50;

export interface Address {
  addressLine1?: string | null;
  addressLine2?: string | null;
  city?: string | null;
  state?: string | null;
  postalCode?: string | null;
  /** ISO 3166-1 alpha-2. */
  country?: string | null;
  region?: string | null;
}

export interface ContactPreference {
  locale?: string | null;
  disableNotifications?: boolean | null;
}

export interface Member {
  firstName?: string | null;
  lastName?: string | null;
  phoneNumber?: string | null;
  email?: string | null;
  contactPreference?: ContactPreference | null;
}

export interface CustomerId {
  profileType: CustomerIdType;
  id: string;
}

export interface CustomerProfile {
  name: string;
  address: Address;
  size?: CustomerSize | null;
  team?: Member[];
  ids?: CustomerId[];
}

export interface Consent {
  /** Sic: the service spells it with a double "To". */
  consentToToShareInfoWithOthers?: boolean;
  consentToContact?: boolean;
  ConsentToMicrosoftToContactSpecificPartners?: boolean;
  /** false ⇒ a private deal. */
  consentToShareReferralWithMicrosoftSellers?: boolean;
}

export interface TagRef {
  id: string;
}

export interface SolutionTag {
  id: string;
  name?: string | null;
  type: SolutionTagType;
  publisherName?: string | null;
  solutionType?: string | null;
}

export interface Requirements {
  industries?: TagRef[];
  products?: TagRef[];
  services?: TagRef[];
  solutions?: SolutionTag[];
}

export interface Attribute {
  id: string;
  type: string;
}

export interface Details {
  notes?: string | null;
  dealValue?: number | null;
  /** ISO 4217. */
  currency?: string | null;
  /** UTC ISO 8601. */
  closingDateTime?: string | null;
  requirements?: Requirements;
  customerAction?: string | null;
  customerRequestedContact?: boolean | null;
  additionalRequirements?: { iot?: Record<string, unknown>; attributes?: Attribute[] };
}

export interface Organization {
  organizationId: string;
  organizationName?: string | null;
}

export interface InviteContext {
  notes?: string | null;
  invitedBy?: Organization | null;
  assistanceRequestCode?: AssistanceRequestCode | null;
}

export interface Target {
  type: TargetType;
  id: string;
}

export interface Link {
  uri: string;
  method: string;
}

export interface ReferralLinks {
  relatedReferrals?: Link | null;
  self?: Link | null;
}

export interface Referral {
  id: string;
  engagementId?: string | null;
  organizationId?: string | null;
  organizationName?: string | null;
  name: string;
  externalReferenceId?: string | null;
  createdDateTime?: string;
  updatedDateTime?: string;
  expirationDateTime?: string | null;
  acceptedDateTime?: string | null;
  status: ReferralStatus;
  substatus: ReferralSubstatus;
  statusReason?: string | null;
  type: ReferralType;
  qualification: ReferralQualification;
  direction?: ReferralDirection;
  referralSource?: string | null;
  callToAction?: string | null;
  customerProfile: CustomerProfile;
  consent?: Consent;
  details: Details;
  customerMarketplaceIntent?: Attribute | null;
  team?: Member[];
  inviteContext?: InviteContext;
  target?: Target[];
  salesStage?: SalesStage | null;
  campaignId?: string | null;
  favorite?: boolean;
  lastModifiedVia?: string | null;
  lastRunId?: string | null;
  links?: ReferralLinks;
  eTag?: string;
  partnerRole?: string | null;
  solutionArea?: string | null;
  solutionPlay?: string | null;
}

/** What a POST /referrals body carries: everything the service assigns is left out. */
export type NewReferral = Omit<
  Referral,
  "id" | "createdDateTime" | "updatedDateTime" | "eTag" | "links" | "organizationId" | "organizationName"
> & { id?: never };

/** Terminal states accept no edits (partner-center.md §2.3). */
export function isTerminal(referral: Pick<Referral, "status">): boolean {
  return referral.status === "Closed";
}

/** Partner Center's web page for a referral; only links on this origin are ever rendered. */
export const PARTNER_CENTER_ORIGIN = "https://partner.microsoft.com/";

export function isPartnerCenterLink(url: string | null | undefined): url is string {
  if (!url) return false;
  try {
    const parsed = new URL(url);
    return parsed.protocol === "https:" && parsed.host === "partner.microsoft.com";
  } catch {
    return false;
  }
}

export function referralLink(referralId: string): string {
  return `${PARTNER_CENTER_ORIGIN}dashboard/referrals/v2/${encodeURIComponent(referralId)}`;
}
