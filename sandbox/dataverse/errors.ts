/**
 * Errors the emulator answers with, in Dataverse's body shape `{"error":{"code":"0x…","message":"…"}}`.
 * Codes are the platform's (ErrorCodes in the Dataverse SDK); messages follow the real wording.
 */
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
  versionMismatch: () =>
    new DataverseFault(412, "0x80060882", "The version of the existing record doesn't match the RowVersion property provided."),
  alreadyExists: () => new DataverseFault(412, "0x80040237", "A record with matching key values already exists."),
  duplicateKey: (type: string, columns: string[]) =>
    new DataverseFault(412, "0x80040237", `A record that has the attribute values ${columns.join(", ")} already exists on entity ${type}.`),
  invalidArgument: (message: string) => new DataverseFault(400, "0x80040203", message),
  readOnly: (type: string, name: string) =>
    new DataverseFault(400, "0x80048d19", `The property '${name}' on entity '${type}' cannot be set: it is read-only.`),
  pluginFailed: (message: string) => new DataverseFault(400, "0x80040265", message),
  methodNotAllowed: (method: string, path: string) =>
    new DataverseFault(405, "0x80060888", `The HTTP method '${method}' is not allowed on '${path}'.`),
};
