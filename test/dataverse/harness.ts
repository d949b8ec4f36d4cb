/** Shared set-up: the emulator's handlers on an msw server, and a client pointed at it. */
import { setupServer } from "msw/node";
import { createDataverseEmulator, SEEDED, type DataverseEmulatorOptions } from "../../emulators/dataverse";
import { DataverseClient, staticTokenProvider, type DataverseClientOptions } from "../../sync/dataverse";

export const FIXED_NOW = new Date("2025-03-01T10:00:00Z");

export function makeEmulator(options: DataverseEmulatorOptions = {}) {
  let clock = FIXED_NOW.getTime();
  // Each read of the clock moves one second on, so modifiedon orders writes.
  return createDataverseEmulator({ seed: 42, now: () => new Date((clock += 1000)), ...options });
}

export function makeClient(orgUrl: string, overrides: Partial<DataverseClientOptions> = {}) {
  const sleeps: number[] = [];
  const client = new DataverseClient({
    orgUrl,
    tokens: staticTokenProvider(SEEDED.applicationUserId),
    retryEnv: { sleep: async (ms) => void sleeps.push(ms), random: () => 0 },
    ...overrides,
  });
  return { client, sleeps };
}

export { setupServer, SEEDED };
