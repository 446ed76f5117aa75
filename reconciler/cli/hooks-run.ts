// The operator's hooks (hooks/ of the repository's working tree: hooks/README.md) around a
// command: each phase's document built with what every document carries, the hooks run with the
// journal of the state store, and what the operator must hear (a hook skipped, a failure, a
// journal write that failed) said on stderr. Hooks come from the working tree of --repo, not from
// the revision being applied: a pushed commit cannot add code that `watch` then runs.
import { resolve } from "node:path";
import type { HookCommand, HookDocuments, HookPhase } from "../hooks/phases.ts";
import { type RunHooksResult, runHooks } from "../hooks/run.ts";
import { safeLine, safeMessage } from "../report/terminal-safe.ts";
import type { StateStore } from "../state/store.ts";

type Without<P extends HookPhase> = Omit<
  HookDocuments[P],
  "phase" | "runId" | "command" | "time" | "repository"
>;

export interface CliHooks {
  run<P extends HookPhase>(phase: P, doc: Without<P>): Promise<RunHooksResult>;
}

export function cliHooks(ctx: {
  repo?: string | undefined;
  runId: string;
  command: HookCommand;
  revision?: string | undefined;
  store?: StateStore;
  err: NodeJS.WritableStream;
}): CliHooks {
  const repoRoot = resolve(ctx.repo ?? process.cwd());
  return {
    async run(phase, doc) {
      const document = {
        ...doc,
        phase,
        runId: ctx.runId,
        command: ctx.command,
        time: new Date().toISOString(),
        repository: { path: repoRoot, ...(ctx.revision ? { revision: ctx.revision } : {}) },
      } as unknown as HookDocuments[typeof phase];
      const store = ctx.store;
      const r = await runHooks(phase, document, {
        repoRoot,
        ...(store ? { journal: (e) => store.journal(e) } : {}),
      });
      for (const s of r.skipped) ctx.err.write(`hook ${safeLine(s.path)} not run: ${safeLine(s.reason)}\n`);
      for (const w of r.warnings) ctx.err.write(`warning: ${safeMessage(w, "  ")}\n`);
      if (!r.ok && r.reason) ctx.err.write(`hook ${phase}: ${safeMessage(r.reason, "  | ")}\n`);
      return r;
    },
  };
}
