/**
 * Registers the service's webhook steps in the Dataverse emulator through its Web API — the
 * steps the solution and the install command set up in a real org: synchronous on both Custom APIs,
 * asynchronous on opportunity Create/Update (with the solution's filtering attributes) and Win/Lose.
 */
import { resolve } from "node:path";
import { CUSTOM_APIS } from "../sync/engine/dynamics";
import { filteringAttributes } from "../solution/lib/steps";
import type { DataverseEmulator } from "./dataverse";

const KEY_HEADER = "x-cosell-key";

export async function registerSandboxSteps(dv: DataverseEmulator, serviceUrl: string, key: string): Promise<void> {
  const headers = { [KEY_HEADER]: key };
  const common = { url: serviceUrl, authtype: 5 as const, headers };
  await dv.registerWebhookStep({ ...common, name: "Co-sell: Sync now", message: CUSTOM_APIS.syncOpportunity.uniqueName as "cosell_SyncOpportunity", stage: 40, mode: 0 });
  await dv.registerWebhookStep({ ...common, name: "Co-sell: Respond to referral", message: CUSTOM_APIS.respondToReferral.uniqueName as "cosell_RespondToReferral", stage: 40, mode: 0 });
  await dv.registerWebhookStep({ ...common, name: "Co-sell: opportunity created", message: "Create", stage: 40, mode: 1 });
  await dv.registerWebhookStep({
    ...common,
    name: "Co-sell: opportunity updated",
    message: "Update",
    stage: 40,
    mode: 1,
    filteringattributes: filteringAttributes(resolve(__dirname, "..")),
  });
  await dv.registerWebhookStep({ ...common, name: "Co-sell: opportunity won", message: "Win", stage: 40, mode: 1 });
  await dv.registerWebhookStep({ ...common, name: "Co-sell: opportunity lost", message: "Lose", stage: 40, mode: 1 });
}
