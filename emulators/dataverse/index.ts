export { createDataverseEmulator, DEFAULT_ORG_URL, SEEDED } from "./emulator";
export type { DataverseEmulator, DataverseEmulatorOptions, SeedData, WebhookStepOptions } from "./emulator";
export { DataverseFault } from "./errors";
export { etagOf, type StoreState, type Row } from "./store";
export { STAGES, MODES, SERVICE_ENDPOINT } from "./steps";
