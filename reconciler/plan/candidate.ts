// Pure: a candidate's fingerprint, which a saved plan carries so that apply refuses it once the
// desired state (or, for command-shaped platforms, what they were computed from) changed.
import { createHash } from "node:crypto";
import type { Candidate } from "../model/live.ts";

export function candidateFingerprint(c: Candidate): string {
  const h = createHash("sha256").update(`${c.kind}\0`);
  if (c.kind === "files") {
    for (const path of Object.keys(c.files).sort()) {
      const text = c.files[path];
      h.update(`${path}\0${text === null || text === undefined ? "\u0001absent" : text}\0`);
    }
  } else for (const cmd of c.commands) h.update(`${cmd.line}\0`);
  return h.digest("hex");
}
