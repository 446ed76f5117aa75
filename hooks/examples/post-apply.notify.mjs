#!/usr/bin/env node
// Example post-apply hook (issue 10 §5), written with zx: a one-line summary of the run, posted
// to a webhook when one is configured, printed otherwise. Not active: copy (or symlink) it to
// hooks/post-apply.d/ to enable it (also usable at on-failure and on-rollback: it summarises
// whatever phase's document it gets).
//
//   RECONCILER_HOOK_NOTIFY_URL        the webhook (Slack, Mattermost, ...): POST {"text": line}.
//                                     Never printed: it usually holds a token (the runner also
//                                     redacts it from the hook's output).
//   RECONCILER_HOOK_NOTIFY_TIMEOUT_S  the whole post's timeout, default 10 (one retry included).
//
// Exit 0: posted (or printed); exit 1: the webhook failed. At post-apply a failing hook is
// reported in the journal and never changes the run's outcome.
import { echo, fetch, retry, stdin } from "zx";

function summary(doc) {
  const rev = doc.repository?.revision ? ` @ ${String(doc.repository.revision).slice(0, 12)}` : "";
  const head = `reconciler ${doc.command ?? "run"} ${doc.runId ?? "?"}${rev}`;
  switch (doc.phase) {
    case "post-apply": {
      const s = doc.summary ?? {};
      const counts = Object.entries(s)
        .filter(([, n]) => n > 0)
        .map(([k, n]) => `${n} ${k}`)
        .join(", ");
      const secs = typeof doc.durationMs === "number" ? ` in ${Math.round(doc.durationMs / 1000)} s` : "";
      const failed = (doc.outcomes ?? [])
        .filter((o) => o.result !== "confirmed")
        .map((o) => `${o.device} ${o.result}`);
      return `${head}: ${doc.ok ? "OK" : "FAILED"}${counts ? ` (${counts})` : ""}${secs}${failed.length ? `; ${failed.join(", ")}` : ""}`;
    }
    case "on-failure":
      return `${head}: FAILED${doc.stage ? ` at ${doc.stage}` : ""}: ${doc.error?.message ?? "unknown error"}`;
    case "on-rollback":
      return `${head}: ROLLED BACK (${doc.trigger}): ${(doc.outcomes ?? []).map((o) => `${o.device} ${o.result}`).join(", ")}`;
    default:
      return `${head}: ${doc.phase ?? "?"}`;
  }
}

async function main() {
  const input = await stdin();
  const line = summary(input.trim() ? JSON.parse(input) : {}).replace(/\s+/g, " ");
  const url = process.env.RECONCILER_HOOK_NOTIFY_URL;
  if (!url) {
    echo(line);
    return 0;
  }
  const timeoutS = Number(process.env.RECONCILER_HOOK_NOTIFY_TIMEOUT_S ?? 10) || 10;
  const signal = AbortSignal.timeout(timeoutS * 1000);
  const host = new URL(url).host;
  await retry(2, async () => {
    const res = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ text: line }),
      signal,
    });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
  });
  echo(`notified ${host}: ${line}`);
  return 0;
}

try {
  process.exitCode = await main();
} catch (err) {
  echo(`notify: the webhook failed: ${err.name === "TimeoutError" ? "timed out" : err.message}`);
  process.exitCode = 1;
}
