// The version of every --json output schema (outputs.ts), apart from the schemas themselves: the
// commands stamp it on what they print without loading TypeBox (85 ms of start-up, issue 14).

/** The version of every output schema; bumped together when one of them breaks. */
export const OUTPUT_SCHEMA_VERSION = 1;
