/**
 * Errors the emulator answers with, in Dataverse's body shape `{"error":{"code":"0x…","message":"…"}}`.
 * Codes are the platform's (the Web API error catalogue); where Microsoft documents the body
 * (412, 429) the code and message come from sync/contracts/dataverse.ts.
 */
import {
  MONEY_RANGE, PRECONDITION_FAILED, SERVICE_PROTECTION, type ServiceProtectionLimit,
} from "../../sync/contracts/dataverse";
import type { FaultBodies } from "../kit/faults";

export class DataverseFault extends Error {
  constructor(
    public readonly status: number,
    public readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "DataverseFault";
  }

  toBody(): { error: { code: string; message: string } } {
    return { error: { code: this.code, message: this.message } };
  }
}

/** What the emulator answers an injected fault with: the documented service-protection bodies for 429 (api-limits.md). */
export const dataverseFaultBodies: FaultBodies = (kind, rule) => {
  if (kind === "throttled") {
    const limit = SERVICE_PROTECTION[(rule.limit ?? "requests") as ServiceProtectionLimit] ?? SERVICE_PROTECTION.requests;
    return { error: { code: limit.code, message: limit.message } };
  }
  if (kind === "serverError") return { error: { code: "0x80040216", message: "An unexpected error occurred." } };
  return { error: { code: "", message: "The service is temporarily unavailable. Try again later." } };
};

export const faults = {
  unknownProperty: (type: string, name: string) =>
    new DataverseFault(400, "0x80060888", `Could not find a property named '${name}' on type 'Microsoft.Dynamics.CRM.${type}'.`),
  undeclaredPayloadProperty: (type: string, name: string) =>
    new DataverseFault(
      400,
      "0x80048d19",
      `Error identified in Payload provided by the user for Entity :'${type}'. The property '${name}' does not exist on type 'Microsoft.Dynamics.CRM.${type}'. Make sure to only use property names that are defined by the type.`,
    ),
  badValue: (type: string, name: string, expected: string) =>
    new DataverseFault(
      400,
      "0x80048d19",
      `Error identified in Payload provided by the user for Entity :'${type}'. Cannot convert the value of property '${name}' to ${expected}.`,
    ),
  syntax: (message: string) => new DataverseFault(400, "0x80060888", `Syntax error: ${message}`),
  notFound: (type: string, id: string) =>
    new DataverseFault(404, "0x80040217", `${type} With Id = ${id} Does Not Exist`),
  keyNotFound: (type: string, key: string) =>
    new DataverseFault(404, "0x80040217", `A record with the specified key values does not exist in ${type} entity (key ${key})`),
  noResource: (path: string) =>
    new DataverseFault(404, "0x80060888", `Resource not found for the segment '${path}'.`),
  /** Conditional operations answer 412 with an empty code (perform-conditional-operations-using-web-api.md). */
  versionMismatch: () => new DataverseFault(412, PRECONDITION_FAILED.code, PRECONDITION_FAILED.versionMismatch),
  alreadyExists: () => new DataverseFault(412, PRECONDITION_FAILED.code, PRECONDITION_FAILED.alreadyExists),
  /** A create that repeats an alternate key: DuplicateRecordEntityKey's wording (error catalogue), 412 as DuplicateRecord is. */
  duplicateKey: (type: string, columns: string[]) =>
    new DataverseFault(
      412,
      "0x80060892",
      `Entity Key ${type}_key violated. A record with the same value for ${columns.join(", ")} already exists. A duplicate record cannot be created. Select one or more unique values and try again.`,
    ),
  /** Money outside the platform's range: MoneySizeExceeded (error catalogue), a 400 like every payload check. */
  moneyOutOfRange: (type: string, name: string) =>
    new DataverseFault(400, "0x80040317", `Supplied value exceeded the MIN/MAX value of Money Type field. (${type}.${name} takes ${MONEY_RANGE.min} to ${MONEY_RANGE.max})`),
  invalidArgument: (message: string) => new DataverseFault(400, "0x80040203", message),
  readOnly: (type: string, name: string) =>
    new DataverseFault(400, "0x80048d19", `The property '${name}' on entity '${type}' cannot be set: it is read-only.`),
  pluginFailed: (message: string) => new DataverseFault(400, "0x80040265", message),
  methodNotAllowed: (method: string, path: string) =>
    new DataverseFault(405, "0x80060888", `The HTTP method '${method}' is not allowed on '${path}'.`),
};
