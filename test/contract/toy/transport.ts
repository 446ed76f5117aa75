// Sessions to toy devices: line-oriented (a CLI, not a POSIX shell), each command one round trip.
// Closing the transport cuts every session, as a lost SSH connection would.
import { CommandError, ConnectionError } from "../../../reconciler/model/errors.ts";
import type {
  CliSession,
  CommandResult,
  DeviceSession,
  Transport,
} from "../../../reconciler/transport/session.ts";
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
    return { device: name, run: notPosix, sh: notPosix, line };
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

/** Sends one CLI line (the toy's driver needs only the line-oriented half of a session). */
export function sendLine(session: CliSession, commandLine: string): Promise<CommandResult> {
  return session.line(commandLine);
}
