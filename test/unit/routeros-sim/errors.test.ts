// RouterOS's own error messages, with their exact text and position.
import { describe, expect, it } from "vitest";
import { Engine } from "../../sim/routeros/engine.ts";

const fresh = () => {
  const e = new Engine({ now: () => new Date("2026-01-02T03:04:05Z") });
  e.run(
    "/interface wireguard add name=wg0 listen-port=13231\n/ip address add address=192.0.2.1/24 interface=wg0",
  );
  return e;
};

describe("RouterOS error messages", () => {
  it.each([
    ["/ip address adde address=192.0.2.2/24", "bad command name adde (line 1 column 13)"],
    ["/ip addres print", "bad command name addres (line 1 column 5)"],
    ["/ip/address/prin", "bad command name prin (line 1 column 13)"],
    [":putt x", "bad command name putt (line 1 column 2)"],
    // v6 routing menus do not exist in v7 (PLATFORMS.md: different menu trees)
    [
      "/routing ospf network add network=192.0.2.0/24 area=backbone",
      "bad command name network (line 1 column 15)",
    ],
    ["/routing bgp peer print", "bad command name peer (line 1 column 14)"],
    [
      "/ip address add address=192.0.2.2/24 interface=wg0 colour=red",
      "expected end of command (line 1 column 52)",
    ],
    ["/ip address\nprint bogus", "expected end of command (line 2 column 7)"],
    ["/routing bgp connection add name=a .as=1", "expected end of command (line 1 column 36)"],
    ["/ip firewall filter add chain=input action=dropp", "input does not match any value of action"],
    ["/ip address add address=192.0.2.9/24 interface=nope", "input does not match any value of interface"],
    [
      '/interface wireguard peers add interface=ether1 public-key="AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAE="',
      "input does not match any value of interface",
    ],
    ["/routing ospf area add name=a instance=missing", "input does not match any value of instance"],
    ["/ip address add address=192.0.2.1/24 interface=wg0", "failure: already have such address"],
    ["/interface bridge add name=wg0", "failure: already have interface with such name"],
    ["/interface bridge add name=ether1", "failure: already have interface with such name"],
    ["/ip address set 7 comment=x", "no such item"],
    ["/ip address remove *99", "no such item"],
    ["/interface wireguard set wg9 mtu=1400", "no such item"],
    ["/ip address add interface=wg0", "missing value(s) of argument(s) address"],
    ["/ip address add address=192.0.2.300/24 interface=wg0", "invalid value for argument address"],
    ["/interface wireguard set wg0 mtu=70000", "value of mtu out of range (0..65535)"],
  ])("%s → %s", (cmd, message) => {
    const r = fresh().run(cmd);
    expect(r.ok).toBe(false);
    expect(r.error).toBe(message);
    expect(r.output).toBe(`${message}\n`);
  });

  it("stops at the first error: earlier commands stay applied, later ones never run", () => {
    const e = fresh();
    const r = e.run(
      "/ip address add address=192.0.2.2/24 interface=wg0; /ip address add address=x; :put after",
    );
    expect(r.error).toBe("invalid value for argument address");
    expect(r.output).not.toContain("after");
    expect(e.run(":put [/ip address find where address=192.0.2.2/24]").output).toBe("*2\n");
  });
});
