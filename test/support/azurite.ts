/** Azurite for the tests: the starter lives with the emulators, where the benchmarks can use it too (bench never imports test/). */
export { startAzurite, DEV_ACCOUNT, DEV_ACCOUNT_KEY, type Azurite, type AzuriteOptions } from "../../emulators/kit/azurite";
