/**
 * The sync engine's public API. Pure: no I/O, no clock reads (time is an input), no Node-only
 * imports (it is bundled into the panel too).
 *
 * Planning     plan(input: PlanInput): Plan — three-way merge, status rules (D.6), validation, audit
 *              applyPlanToDeal(deal, plan), applyDataverseChanges(deal, changes, statusActions?), applyPatch(referral, ops)
 * Snapshot     serializeSnapshot(s), parseSnapshot(text) → SyncSnapshot | null (never throws), emptySnapshot(),
 *              snapshotFields(s) → values by field name, snapshotWithFields(head, fields) → SyncSnapshot
 * Mapping      loadMapping(doc) → Mapping (throws MappingError{problems}), defaultMapping(), defaultMappingDocument(),
 *              REFERRAL_FIELDS, TRANSFORMS
 * Conversions  referralFromDeal(deal, mapping) → NewReferral, dealFromReferral(referral, mapping) → {opportunity, account, contact},
 *              classifyReferral(referral) → "marketplaceLead" | "qualifiedLead" | "coSellOpportunity"
 * Status       isLegalTransition(from, to, substatus), isAwaitingResponse(referral), syncStatusFor(referral), STATUS_TRANSITIONS
 * Validation   checkForPartnerCenter(deal, now, {isNew?}) → ValidationCheck[] (codes, for the panel), validateForPartnerCenter → ValidationProblem[] (with English sentences), parseSolutionIds, countryToIso2,
 *              isIsoCurrency, LENGTH_LIMITS
 * Effects      planEffects(input) → { partnerCenter: the one write, complete(answer) → { dataverse change set, outcome } },
 *              failureEffects(failure) → the change set recording a failed sync
 * Bookkeeping  isUserTrigger, problemsText, statusColumns, changedColumns
 * Audit        auditToSyncEventRow(entry, opportunityId, extra?) → cosell_syncevent columns
 * Also re-exports the referral (referral.ts) and Dataverse (dynamics.ts) types and constants.
 */
export * from "../schema/referral";
export * from "../schema/dynamics";
export { plan, applyPlanToDeal, type Plan, type PlanInput, type RelatedRows, type AuditEntry, type Conflict, type FieldChange, type StatusAction, type Side } from "./plan";
export {
  serializeSnapshot, parseSnapshot, emptySnapshot, snapshotFields, snapshotWithFields, linksOf, sameLinks,
  type SyncSnapshot, type DealLinks, type FieldSnapshot, type SnapshotLayout, type SnapshotValue,
} from "./snapshot";
export {
  loadMapping, defaultMapping, defaultMappingDocument, MappingError, REFERRAL_FIELDS, DIRECTIONS, CONFLICT_POLICIES,
  type Mapping, type MappedField, type MappingProblem, type FieldDirection, type ConflictPolicy,
} from "./mapping";
export { TRANSFORMS, canonicalEqual, type Canonical, type FieldKind, type BoundTransform } from "./transforms";
export {
  referralFromDeal, dealFromReferral, applyDataverseChanges, classifyReferral,
  type DataverseChanges, type DynamicsStatusAction, type ReferralClass,
} from "./convert";
export { applyPatch, PatchError, type JsonPatchOp } from "./patch";
export { isLegalTransition, isAwaitingResponse, syncStatusFor, STATUS_TRANSITIONS, ALLOWED_SUBSTATUS, CLOSED_NOT_SENT } from "./status";
export { checkForPartnerCenter, parseSolutionIds, isValidSolutionId, LENGTH_LIMITS, type ValidationCheck, type ValidationProblem } from "./validation";
export { validateForPartnerCenter, VALIDATION_CODES } from "./validation-messages";
export { countryToIso2, ISO_COUNTRIES } from "./countries";
export { isIsoCurrency, ISO_CURRENCIES } from "./currencies";
export { auditToSyncEventRow, type SyncEventExtra } from "./audit";
export {
  planEffects, failureEffects, needsReferral, referralIdOf, createdChanges,
  type SyncInput, type SyncEffects, type Effects, type EffectOutcome, type EventTrace,
  type PartnerCenterWrite, type DataverseWrite, type ReferralWithETag, type DealWithETag,
} from "./effects";
export { referralAsLastSynced, snapshotCovers, isSelfContainedPatch, answerAsExpected } from "./last-synced";
export { isUserTrigger, problemsText, statusColumns, changedColumns } from "./bookkeeping";
