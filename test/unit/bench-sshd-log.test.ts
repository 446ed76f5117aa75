// The benchmark counts connections and exec channels per device from sshd's VERBOSE log: these
// lines are OpenSSH 9.2's, as logged by a benchmark namespace's sshd (ssh, ssh -tt, ssh -s and a
// bare TCP probe).
import { describe, expect, it } from "vitest";
import { addCounts, countSshdLog } from "../../bench/sshd-log.ts";

const LOG = `Server listening on 0.0.0.0 port 22.
Connection from 198.18.0.1 port 58828 on 198.18.0.16 port 22 rdomain ""
Connection from 198.18.0.1 port 58826 on 198.18.0.16 port 22 rdomain ""
kex_exchange_identification: Connection closed by remote host
Connection closed by 198.18.0.1 port 58826
Accepted key ED25519 SHA256:vBQLR+dNGS8z97FwaZSAG24sW2FAzbFrrDXjmmmYSIE found at /tmp/reconciler-bench-dbg/authorized_keys:1
Postponed publickey for root from 198.18.0.1 port 58828 ssh2 [preauth]
Accepted key ED25519 SHA256:vBQLR+dNGS8z97FwaZSAG24sW2FAzbFrrDXjmmmYSIE found at /tmp/reconciler-bench-dbg/authorized_keys:1
Accepted publickey for root from 198.18.0.1 port 58828 ssh2: ED25519 SHA256:vBQLR+dNGS8z97FwaZSAG24sW2FAzbFrrDXjmmmYSIE
Starting session: command for root from 198.18.0.1 port 58828 id 0
Starting session: command for root from 198.18.0.1 port 58828 id 1
Received disconnect from 198.18.0.1 port 58828:11: disconnected by user
Disconnected from user root 198.18.0.1 port 58828
Connection from 198.18.0.1 port 58844 on 198.18.0.16 port 22 rdomain ""
Accepted publickey for root from 198.18.0.1 port 58844 ssh2: ED25519 SHA256:vBQLR+dNGS8z97FwaZSAG24sW2FAzbFrrDXjmmmYSIE
Starting session: command on pts/0 for root from 198.18.0.1 port 58844 id 0
Starting session: subsystem 'sftp' for root from 198.18.0.1 port 58844 id 1
Starting session: forced-command (key-option) 'uptime' for root from 198.18.0.1 port 58844 id 2
Closing connection to 198.18.0.1 port 58846`;

describe("sshd VERBOSE log counting", () => {
  it("counts TCP connections (probes included), authentications and sessions by kind", () => {
    const c = countSshdLog(LOG);
    expect(c.connections).toBe(3);
    expect(c.authenticated).toBe(2);
    expect(c.sessions).toBe(5);
    expect(c.byKind).toEqual({ command: 3, "subsystem 'sftp'": 1, "forced-command": 1 });
  });

  it("counts nothing in a log with no connection, and ignores look-alike text inside other lines", () => {
    expect(countSshdLog("")).toEqual({ connections: 0, authenticated: 0, sessions: 0, byKind: {} });
    const c = countSshdLog(
      'Invalid user x from 198.18.0.1 port 1 "Starting session: command for root from 198.18.0.1"\nAccepted key ED25519 SHA256:x found at /k:1',
    );
    expect(c).toEqual({ connections: 0, authenticated: 0, sessions: 0, byKind: {} });
  });

  it("adds the counts of several devices' logs", () => {
    const one = countSshdLog(LOG);
    const two = addCounts(one, countSshdLog(LOG.split("\n").slice(0, 12).join("\n")));
    expect(two.connections).toBe(5);
    expect(two.sessions).toBe(7);
    expect(two.byKind.command).toBe(5);
    expect(two.byKind["forced-command"]).toBe(1);
  });
});
