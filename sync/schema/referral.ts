/**
 * The Partner Center referral, as the Referrals API returns it. JSON names are camelCase exactly as
 * the service spells them (including its typos); every enum and limit lives in the contract module.
 */
import type {
  AssistanceRequestCode, CustomerIdType, CustomerSize, ReferralDirection, ReferralQualification, ReferralStatus,
  ReferralSubstatus, ReferralType, SalesStage, SolutionTagType, TargetType,
} from "../contracts/partner-center-referrals";

export {
  ASSISTANCE_REQUEST_CODES, CUSTOMER_ID_TYPES, CUSTOMER_SIZES, MAX_SOLUTIONS, REFERRAL_DIRECTIONS,
  REFERRAL_QUALIFICATIONS, REFERRAL_STATUSES, REFERRAL_SUBSTATUSES, REFERRAL_TYPES, SALES_STAGES,
  SOLUTION_ID_PATTERN, SOLUTION_TAG_TYPES, TARGET_TYPES,
  type AssistanceRequestCode, type CustomerIdType, type CustomerSize, type ReferralDirection, type ReferralQualification,
  type ReferralStatus, type ReferralSubstatus, type ReferralType, type SalesStage, type SolutionTagType, type TargetType,
} from "../contracts/partner-center-referrals";


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
  /** Real referrals also carry "". */
  size?: CustomerSize | "" | null;
  team?: Member[];
  ids?: CustomerId[];
}

/** CONSENT_KEYS: the swagger's camelCase spellings. */
export interface Consent {
  /** Sic: the service spells it with a double "To". */
  consentToToShareInfoWithOthers?: boolean;
  consentToContact?: boolean;
  consentToMicrosoftToContactSpecificPartners?: boolean;
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
  /** The swagger's stages, or a percentage text such as "100" as real referrals carry. */
  salesStage?: SalesStage | string | null;
  campaignId?: string | null;
  referralProgram?: string | null;
  /** Microsoft's CRM (MSX) id of the deal. */
  trackingInfo?: { microsoftMsxId?: string | null } | null;
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
