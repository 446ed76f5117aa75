// `reconciler console`: the port is resolved from the desired state (the console server's
// serial_ports entry says what is connected_to it), on the example repository and on hand-made
// ones; unknown devices and ports are errors that say what is known.
import { describe, expect, it } from "vitest";
import { ConsoleResolveError, descriptorLogin, resolveConsole } from "../../../reconciler/cli/console.ts";
import { loadFromOptions } from "../../../reconciler/cli/open-repo.ts";
import { opengearConsoleLogin } from "../../../reconciler/drivers/opengear/console.ts";
import type { DesiredRepo, ResolvedDevice } from "../../../reconciler/model/repo.ts";

const dev = (name: string, platform: ResolvedDevice["platform"], user = "root") =>
  ({ name, platform, host: "192.0.2.1", port: 22, user }) as ResolvedDevice;

function repo(): DesiredRepo {
  return {
    origin: "test",
    links: [],
    publicKeys: {},
    devices: {
      "oob-9": dev("oob-9", "opengear", "ops"),
      "sw-1": dev("sw-1", "debian"),
      "sw-2": dev("sw-2", "debian"),
      lone: dev("lone", "debian"),
    },
    expanded: {
      "oob-9": {
        serial_ports: [
          { port: 3, label: "sw-1-a", baud: 9600, connected_to: "sw-1" },
          { port: 4, label: "sw-1-b", baud: 9600, connected_to: "sw-1" },
          { port: 5, label: "sw-2", baud: 115200, connected_to: "sw-2" },
        ],
      },
    },
  };
}

describe("resolveConsole", () => {
  it("on the example: core-1's console is oob-1's port 1, as root:ports-1", async () => {
    const loaded = await loadFromOptions({ repo: process.cwd() });
    if (!loaded.repo) throw new Error("the example does not load");
    const t = resolveConsole(loaded.repo, "core-1", undefined, descriptorLogin);
    expect([t.server.name, t.port, t.label, t.login]).toEqual(["oob-1", 1, "core-1", "root:ports-1"]);
    const c = resolveConsole(loaded.repo, "router-c", undefined, descriptorLogin);
    expect([c.server.name, c.login]).toEqual(["oob-2", "root:ports-2"]);
  });

  it("a device with one console; the server's own user names the login", () => {
    const t = resolveConsole(repo(), "sw-2", undefined, descriptorLogin);
    expect([t.server.name, t.login, t.device]).toEqual(["oob-9", "ops:ports-5", "sw-2"]);
  });

  it("a device with two consoles needs PORT (number, ports-N or label)", () => {
    expect(() => resolveConsole(repo(), "sw-1", undefined, descriptorLogin)).toThrow(/2 consoles/);
    expect(resolveConsole(repo(), "sw-1", "4", descriptorLogin).login).toBe("ops:ports-4");
    expect(resolveConsole(repo(), "sw-1", "ports-3", descriptorLogin).login).toBe("ops:ports-3");
    expect(resolveConsole(repo(), "sw-1", "SW-1-B", descriptorLogin).login).toBe("ops:ports-4");
  });

  it("the console server itself with a port number", () => {
    expect(resolveConsole(repo(), "oob-9", "5", descriptorLogin).login).toBe("ops:ports-5");
    expect(() => resolveConsole(repo(), "oob-9", undefined, descriptorLogin)).toThrow(
      /name a port \(3 sw-1-a/,
    );
  });

  it("errors: unknown device, no console wired, unknown port, a platform without console access", () => {
    expect(() => resolveConsole(repo(), "nope", undefined, descriptorLogin)).toThrow("unknown device: nope");
    expect(() => resolveConsole(repo(), "lone", undefined, descriptorLogin)).toThrow(
      /no console port is wired to lone/,
    );
    expect(() => resolveConsole(repo(), "sw-2", "9", descriptorLogin)).toThrow(
      /sw-2 has no console port 9; its consoles: oob-9 port 5/,
    );
    expect(() => resolveConsole(repo(), "oob-9", "7", descriptorLogin)).toThrow(/no serial port 7/);
    expect(() => resolveConsole(repo(), "sw-2", undefined, () => undefined)).toThrow(ConsoleResolveError);
  });

  it("the Opengear login refuses a user that would change its meaning", () => {
    expect(opengearConsoleLogin("netops", 2)).toBe("netops:ports-2");
    expect(() => opengearConsoleLogin("a:b", 2)).toThrow();
  });
});
