// Counts what sshd (LogLevel VERBOSE) logged during one measurement: TCP connections accepted
// and sessions started (an exec request, a shell, a subsystem). Ansible's and the reconciler's
// connection reuse shows here, not in the client's own account.

export interface SshdCounts {
  /** "Connection from A port P on B port Q": one per TCP connection. */
  connections: number;
  /** "Accepted publickey for ...": one per authenticated connection. */
  authenticated: number;
  /** "Starting session: command|shell|subsystem ...": one per exec channel (or shell, sftp). */
  sessions: number;
  /** The same, by kind ("command", "shell", "subsystem 'sftp'", "forced-command ..."). */
  byKind: Record<string, number>;
}

const CONNECTION = /\bConnection from \S+ port \d+ on \S+ port \d+/;
const ACCEPTED = /\bAccepted (publickey|password|keyboard-interactive\S*) for /;
// OpenSSH's session.c: "Starting session: %s%s%s for %s from %s port %d id %d", the first being
// "command", "shell", "subsystem 'NAME'" or "forced-command (...) 'CMD'", then " on TTY" or nothing.
const SESSION = /\bStarting session: (.+?)(?: on \S+)? for \S+ from \S+ port \d+ id \d+\s*$/;

export function countSshdLog(text: string): SshdCounts {
  const counts: SshdCounts = { connections: 0, authenticated: 0, sessions: 0, byKind: {} };
  for (const line of text.split("\n")) {
    if (CONNECTION.test(line)) counts.connections++;
    else if (ACCEPTED.test(line)) counts.authenticated++;
    else {
      const m = SESSION.exec(line);
      if (m) {
        counts.sessions++;
        const kind = (m[1] as string).startsWith("forced-command") ? "forced-command" : (m[1] as string);
        counts.byKind[kind] = (counts.byKind[kind] ?? 0) + 1;
      }
    }
  }
  return counts;
}

/** Sums the counts of several logs (one per device namespace). */
export function addCounts(a: SshdCounts, b: SshdCounts): SshdCounts {
  const byKind = { ...a.byKind };
  for (const [k, v] of Object.entries(b.byKind)) byKind[k] = (byKind[k] ?? 0) + v;
  return {
    connections: a.connections + b.connections,
    authenticated: a.authenticated + b.authenticated,
    sessions: a.sessions + b.sessions,
    byKind,
  };
}
