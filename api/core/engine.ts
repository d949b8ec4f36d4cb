/**
 * The engine functions the service calls, in one place: if the engine's names move, only this
 * file changes.
 */
export {
  plan,
  parseSnapshot,
  serializeSnapshot,
  defaultMapping,
  loadMapping,
  dealFromReferral,
  classifyReferral,
  auditToSyncEventRow,
  applyDataverseChanges,
  applyPatch,
} from "../../sync/engine";
export type { Mapping, Plan, PlanInput, SyncSnapshot, AuditEntry, ValidationProblem } from "../../sync/engine";
