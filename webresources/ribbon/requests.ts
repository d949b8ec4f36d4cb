/**
 * Requests for the bound Custom APIs, in the shape Xrm.WebApi.online.execute expects
 * (dataverse.md §3.3): the bound record as `entity`, each parameter by name, and getMetadata().
 */
import { CUSTOM_APIS, type ReferralDecision } from "../../sync/schema/dynamics";

/** Custom API actions are operationType 0; structuralProperty 5 = entity type, 1 = primitive. */
export const OPERATION_TYPE_ACTION = 0;

interface ParameterType {
  typeName: string;
  structuralProperty: number;
}

export interface CustomApiRequest {
  entity: { entityType: "opportunity"; id: string };
  [parameter: string]: unknown;
  getMetadata(): {
    boundParameter: "entity";
    operationName: string;
    operationType: typeof OPERATION_TYPE_ACTION;
    parameterTypes: Record<string, ParameterType>;
  };
}

const BOUND_ENTITY: ParameterType = { typeName: "mscrm.opportunity", structuralProperty: 5 };
const STRING: ParameterType = { typeName: "Edm.String", structuralProperty: 1 };

function boundRequest(operationName: string, opportunityId: string, parameters: Record<string, string>): CustomApiRequest {
  const parameterTypes: Record<string, ParameterType> = { entity: BOUND_ENTITY };
  for (const name of Object.keys(parameters)) parameterTypes[name] = STRING;
  return {
    entity: { entityType: "opportunity", id: opportunityId },
    ...parameters,
    getMetadata: () => ({ boundParameter: "entity", operationName, operationType: OPERATION_TYPE_ACTION, parameterTypes }),
  };
}

export function syncOpportunityRequest(opportunityId: string): CustomApiRequest {
  return boundRequest(CUSTOM_APIS.syncOpportunity.uniqueName, opportunityId, {});
}

/** `Reason` is the decline reason's text, which Partner Center records as `statusReason` (D.6); empty on accept. */
export function respondToReferralRequest(opportunityId: string, decision: ReferralDecision, reason: string): CustomApiRequest {
  const [decisionName, reasonName] = CUSTOM_APIS.respondToReferral.parameters;
  return boundRequest(CUSTOM_APIS.respondToReferral.uniqueName, opportunityId, { [decisionName]: decision, [reasonName]: reason });
}
