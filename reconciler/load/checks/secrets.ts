// Private keys have no place in git: WireGuard private keys are generated on the device and never
// leave it, SSH keys come from the agent. Every file under inventory/ and desired/ is scanned as
// text, so a key pasted into a raw snippet or a comment is caught too.
import type { Diagnostic } from "../../model/diagnostic.ts";

const PATTERNS: { re: RegExp; what: string }[] = [
  { re: /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/, what: "a PEM/OpenSSH private key" },
  { re: /\bPrivateKey\s*=\s*\S+/, what: "a WireGuard PrivateKey line" },
  {
    re: /\bprivate[-_]?key\s*[:=]\s*["']?[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=/i,
    what: "a WireGuard private key",
  },
  { re: /\bprivate[-_]?key\s*:\s*\S/i, what: "a private_key field" },
];

export function scanForPrivateKeys(file: string, text: string): Diagnostic[] {
  const out: Diagnostic[] = [];
  text.split("\n").forEach((line, i) => {
    for (const { re, what } of PATTERNS) {
      const m = re.exec(line);
      if (!m) continue;
      out.push({
        severity: "error",
        file,
        line: i + 1,
        column: m.index + 1,
        path: "",
        message: `${what} is in the repository: remove it, rotate the key, and purge it from git history`,
        expected: "public keys only (WireGuard private keys are generated on the device and never leave it)",
      });
      break;
    }
  });
  return out;
}
