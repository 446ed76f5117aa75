// Sessions to toy devices: line-oriented (a CLI, not a POSIX shell), each command one round trip.
// Closing the transport cuts every session, as a lost SSH connection would.
import { CommandError, ConnectionError } from "../../../reconciler/model/errors.ts";
import type { CommandResult, DeviceSession, Transport } from "../../../reconciler/transport/session.ts";
import { DeviceRefusal, type ToyDevice } from "./simulator.ts";

export function toyTransport(devices: Record<string, ToyDevice>): Transport {
  const open = new Set<{ alive: boolean }>();
  const session = (name: string): DeviceSession => {
    const device = devices[name];
    if (!device) throw new ConnectionError("no such device", { device: name });
    const state = { alive: true };
    open.add(state);
    const line = async (commandLine: string): Promise<CommandResult> => {
      if (!state.alive) throw new ConnectionError("not connected", { device: name, command: commandLine });
      await new Promise((r) => setImmediate(r)); // a device answers later, never synchronously
      try {
        return { command: commandLine, stdout: device.exec(commandLine), stderr: "", exitCode: 0 };
      } catch (e) {
        if (!(e instanceof DeviceRefusal)) throw e;
        return { command: commandLine, stdout: "", stderr: `error: ${e.message}\n`, exitCode: 1 };
      }
    };
    const notPosix = async (): Promise<never> => {
      throw new CommandError("a toy device has no POSIX shell", { device: name }, null);
    };
    return {
      device: name,
      run: notPosix,
      script: notPosix,
      readFiles: notPosix,
      runLine: line,
      line,
    } as unknown as DeviceSession;
  };
  return {
    session: async (name) => session(name),
    freshSession: async (name) => session(name),
    closeAll: async () => {
      for (const s of open) s.alive = false;
      open.clear();
    },
  };
}

/** Sends one CLI line over whichever name the session gives its line method. */
export async function sendLine(session: DeviceSession, commandLine: string): Promise<CommandResult> {
  const s = session as unknown as {
    line?: (l: string) => Promise<CommandResult>;
    runLine?: (l: string) => Promise<CommandResult>;
  };
  const send = s.line ?? s.runLine;
  if (!send) throw new Error("the session has no line-oriented CLI");
  return send.call(session, commandLine);
}
