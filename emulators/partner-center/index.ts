export { createPartnerCenterEmulator, DEFAULT_BASE_URL, DEFAULT_CERTIFICATE_BASE_URL, DEFAULT_WEBHOOKS_BASE_URL } from "./emulator";
export type { PartnerCenterEmulator, PartnerCenterEmulatorOptions } from "./emulator";
export type { IncomingReferralInput, MicrosoftSeller, SellerChange } from "./seller";
export { MAX_PAGE_SIZE } from "./referrals-api";
