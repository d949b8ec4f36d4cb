/**
 * Wires the emulated org to the service with the real install command, as an admin does after
 * importing the solution: the webhook endpoint with its key, and the steps (synchronous on both
 * Custom APIs; asynchronous on opportunity Create/Update with the filtering attributes, and on
 * Win/Lose). The emulated org has no forms, so the form section is left out.
 */
import { resolve } from "node:path";
import { staticTokenProvider } from "../sync/dataverse/token";
import { connect, install, type InstallReport } from "../solution/install";
import { loadDefinitions } from "../solution/install/definitions";
import { SEEDED, type DataverseEmulator } from "../emulators/dataverse";

/** The emulator has no metadata API, so the report's alternate-key warning is expected here. */
export function registerSandboxSteps(dv: DataverseEmulator, serviceUrl: string, key: string): Promise<InstallReport> {
  return install(connect(dv.orgUrl, staticTokenProvider(SEEDED.applicationUserId)), loadDefinitions(resolve(__dirname, "..")), {
    serviceUrl,
    key,
    skipForms: true,
    allowLoopbackHttp: true,
    rotateKey: true,
  });
}
