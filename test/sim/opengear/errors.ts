// The error texts ogcli prints (stderr, exit 1). ogcli is a client of the REST API, so the texts
// of the API's error objects are used where the API description has one (om-rest-api-v2.2
// `error` examples: code 39 "Invalid request body", code 48 "Invalid parameter '…' was
// provided", code 46 "Permission denied"); the others are ours and marked so in the README.
// One place, so that a text found on a real box is changed once.

export class OgError extends Error {}

export const ERR = {
  usage: () => "Usage: ogcli [options] <operation> <entity> [<id>] [<field>=<value> ...]",
  unknownOperation: (op: string) => `Error: Unknown operation '${op}'`,
  unknownEntity: (e: string) => `Error: Unknown entity '${e}'`,
  invalidParameter: (field: string) => `Error: Invalid parameter '${field}' was provided`,
  invalidValue: (field: string, value: string) => `Error: Invalid value '${value}' for field '${field}'`,
  required: (field: string) => `Error: Required field '${field}' was not provided in the request`,
  requestBody: () => "Error: Invalid request body",
  notFound: (entity: string, id: string) => `Error: No ${entity} found with id '${id}'`,
  idRequired: (entity: string) => `Error: An id is required for entity '${entity}'`,
  readOnly: (entity: string) => `Error: Permission denied: '${entity}' is read-only`,
  notSupported: (op: string, entity: string) => `Error: Operation '${op}' is not supported for '${entity}'`,
  duplicate: (field: string, value: string) => `Error: '${value}' is already in use for field '${field}'`,
  fileMissing: (f: string) => `Error: Could not open file '${f}'`,
  stanza: (line: number, text: string) => `Error: There was an error at line ${line}: ${text}`,
} as const;
