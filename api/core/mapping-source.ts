/**
 * The field mapping the service syncs with: a fixed one (tests), else the org's `mapping.document`
 * setting, else the default. The setting is re-read at most once per `cacheMs`, so
 * `cosell mapping set` takes effect within that time without a restart.
 */
import { SETTING_NAMES } from "../../sync/schema/dynamics";
import { defaultMapping, loadMapping, type Mapping } from "../../sync/engine";
import { ServiceValidationError } from "./errors";

export interface MappingSourceOptions {
  fixed?: Mapping;
  readSetting(name: string): Promise<string | null>;
  now: () => Date;
  cacheMs?: number;
}

export function mappingSource(options: MappingSourceOptions): () => Promise<Mapping> {
  let cached: { mapping: Mapping; at: number } | undefined;
  return async () => {
    if (options.fixed) return options.fixed;
    const at = options.now().getTime();
    if (cached && at - cached.at < (options.cacheMs ?? 60_000)) return cached.mapping;
    const text = await options.readSetting(SETTING_NAMES.mappingDocument);
    let mapping: Mapping;
    if (!text) mapping = defaultMapping();
    else {
      try {
        mapping = loadMapping(JSON.parse(text));
      } catch (e) {
        throw new ServiceValidationError(`The mapping document (setting "${SETTING_NAMES.mappingDocument}") cannot be used: ${(e as Error).message}`);
      }
    }
    cached = { mapping, at };
    return mapping;
  };
}
