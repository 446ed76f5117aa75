// Secrets never leave the box in clear: the read script's awk replaces the value of every secret
// field of `ogcli export` (and drops a command line that carries one inline); this side applies
// the same rule again to whatever it received, so a device whose awk misbehaved still cannot put a
// secret in a plan or the state store. Pure.
import { isSecretField, REDACTED, SECRET_FIELD_ERE } from "./vocabulary.ts";

/** The device-side filter (POSIX awk; no GNU extension). */
export const REDACT_EXPORT_AWK = [
  "awk '{",
  "  line = $0",
  "  if (match(line, /^[ \\t]*[A-Za-z_][][A-Za-z0-9_.-]*[ \\t]*=/)) {",
  '    key = substr(line, RSTART, RLENGTH - 1); gsub(/[ \\t]/, "", key)',
  '    seg = key; sub(/^.*[.]/, "", seg); gsub(/[[][0-9]+[]]/, "", seg)',
  "    rest = substr(line, RSTART + RLENGTH)",
  `    if (tolower(seg) ~ /${SECRET_FIELD_ERE}/ && rest !~ /^[ \\t]*(""|[[][]])?[ \\t]*$/) { print key "=\\"${REDACTED}\\""; next }`,
  "  }",
  `  if (line ~ /^[ \\t]*ogcli / && tolower(line) ~ /(password|passphrase|passwd|secret|private_key|preshared_key|community|token|localized_key)[^ =]*=/) { print "# (a command line carrying a secret, redacted)"; next }`,
  "  print",
  "}'",
].join("\n");

const INLINE_SECRET =
  /(password|passphrase|passwd|secret|private_key|preshared_key|community|token|localized_key)[^ =]*=/i;

/** The same rule on this side. */
export function redactExport(text: string): string {
  return text
    .split("\n")
    .map((line) => {
      const key = /^\s*([A-Za-z_][A-Za-z0-9_.[\]-]*)\s*=/.exec(line)?.[1];
      // An empty secret says only that none is set: kept, as the box's awk keeps it.
      const empty = /^\s*[A-Za-z_][A-Za-z0-9_.[\]-]*\s*=\s*(""|\[\])?\s*$/.test(line);
      if (key && isSecretField(key) && !empty) return `${key}="${REDACTED}"`;
      if (/^\s*ogcli /.test(line) && INLINE_SECRET.test(line))
        return "# (a command line carrying a secret, redacted)";
      return line;
    })
    .join("\n");
}
