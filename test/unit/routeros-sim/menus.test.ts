// add / set / remove / print / find / get against the state store, with *HEX ids.
import { describe, expect, it } from "vitest";
import { Engine } from "../../sim/routeros/engine.ts";
import { publicKeyOf } from "../../sim/routeros/wgkeys.ts";

const ok = (e: Engine, cmd: string) => {
  const r = e.run(cmd);
  if (!r.ok) throw new Error(`${cmd}: ${r.error}`);
  return r.output;
};
const KEY_A = "yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmk=";

describe("menus and items", () => {
  it("gives *HEX ids that stay with an item and are never reused", () => {
    const e = new Engine();
    ok(e, "/ip address add address=192.0.2.1/24 interface=ether1");
    ok(e, "/ip address add address=198.51.100.1/24 interface=ether1");
    expect(ok(e, ":put [/ip address find]")).toBe("*1;*2\n");
    ok(e, "/ip address remove 0");
    ok(e, "/ip address add address=203.0.113.1/24 interface=ether1");
    expect(ok(e, ":put [/ip address find]")).toBe("*2;*3\n");
    expect(ok(e, "/ip address print show-ids terse")).toBe(
      "*2 address=198.51.100.1/24 network=198.51.100.0 interface=ether1\n*3 address=203.0.113.1/24 network=203.0.113.0 interface=ether1\n",
    );
    // print numbers follow the current order; ids do not move
    expect(ok(e, "/ip address print terse")).toMatch(/^0 address=198\.51\.100\.1\/24/);
  });

  it("shares one id sequence across the interface menus (one /interface table)", () => {
    const e = new Engine({ ethernets: 2 });
    expect(ok(e, ":put [/interface bridge add name=br0]")).toBe("*3\n");
    expect(ok(e, ":put [/interface wireguard add name=wg0]")).toBe("*4\n");
  });

  it("sets by number, name, *id and [ find ], and removes by a [ find where … ] list", () => {
    const e = new Engine();
    ok(e, "/interface wireguard add name=wg0 listen-port=13231");
    ok(e, "/interface wireguard add name=wg1 listen-port=13232");
    ok(e, "/interface wireguard set 0 mtu=1400");
    ok(e, "/interface wireguard set wg1 comment=second");
    ok(e, "/interface wireguard set *4 disabled=yes");
    ok(e, '/interface wireguard set [ find where comment="second" ] mtu=1380');
    expect(ok(e, ":put [/interface wireguard get wg0 mtu]")).toBe("1400\n");
    expect(ok(e, ":put [/interface wireguard get [find name=wg1] mtu]")).toBe("1380\n");
    expect(ok(e, ":put [/interface wireguard get wg1 disabled]")).toBe("yes\n");
    ok(e, "/interface wireguard remove [ find where mtu=1400 ]");
    expect(ok(e, ":put [/interface wireguard find]")).toBe("*4\n");
    // removing what find did not match is no error
    ok(e, "/interface wireguard remove [ find where name=none ]");
  });

  it("find where: =, !=, ~regex, bare and negated booleans, and/or", () => {
    const e = new Engine();
    ok(e, '/ip firewall filter add chain=input action=accept protocol=tcp dst-port=22 comment="mgmt ssh"');
    ok(e, "/ip firewall filter add chain=input action=drop disabled=yes");
    ok(e, "/ip firewall filter add chain=forward action=drop comment=managed-by-reconciler");
    const find = (w: string) => ok(e, `:put [/ip firewall filter find where ${w}]`).trim();
    expect(find("chain=input")).toBe("*1;*2");
    expect(find("chain!=input")).toBe("*3");
    expect(find('comment~"^managed"')).toBe("*3");
    expect(find("disabled")).toBe("*2");
    expect(find("!disabled and chain=input")).toBe("*1");
    expect(find("action=accept or chain=forward")).toBe("*1;*3");
    expect(ok(e, "/ip firewall filter print count-only where action=drop")).toBe("2\n");
  });

  it("print: the v7 table with ;;; comments, detail, terse, as-value (only through :put)", () => {
    const e = new Engine();
    ok(e, '/ip address add address=192.0.2.1/24 interface=ether1 comment="uplink A"');
    ok(e, "/ip address add address=198.51.100.7/32 interface=ether2 disabled=yes");
    expect(ok(e, "/ip address print")).toBe(
      [
        "Flags: X - DISABLED; I - INVALID; D - DYNAMIC",
        "Columns: ADDRESS, NETWORK, INTERFACE",
        "#   ADDRESS          NETWORK       INTERFACE",
        ";;; uplink A",
        "0   192.0.2.1/24     192.0.2.0     ether1",
        "1 X 198.51.100.7/32  198.51.100.7  ether2",
        "",
      ].join("\n"),
    );
    expect(ok(e, "/ip address print detail")).toBe(
      [
        "Flags: X - DISABLED; I - INVALID; D - DYNAMIC",
        " 0   ;;; uplink A",
        "     address=192.0.2.1/24 network=192.0.2.0 interface=ether1",
        "",
        " 1 X address=198.51.100.7/32 network=198.51.100.7 interface=ether2",
        "",
      ].join("\n"),
    );
    expect(ok(e, "/ip address print terse")).toBe(
      "0 comment=uplink A address=192.0.2.1/24 network=192.0.2.0 interface=ether1\n1 X address=198.51.100.7/32 network=198.51.100.7 interface=ether2\n",
    );
    expect(ok(e, "/ip address print as-value")).toBe("");
    expect(ok(e, ":put [/ip address print as-value where interface=ether2]")).toBe(
      ".id=*2;address=198.51.100.7/32;network=198.51.100.7;interface=ether2;disabled=yes\n",
    );
    expect(ok(e, "/system identity print")).toBe("  name: MikroTik\n");
  });

  it("WireGuard: add without private-key generates one (X25519); public-key is derived; set private-key re-derives", () => {
    const e = new Engine();
    ok(e, "/interface wireguard add name=wg0");
    const priv = ok(e, ":put [/interface wireguard get wg0 private-key]").trim();
    const pub = ok(e, ":put [/interface wireguard get wg0 public-key]").trim();
    expect(priv).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    expect(pub).toBe(publicKeyOf(priv));
    expect(ok(e, ":put [/interface wireguard get wg0 listen-port]")).toBe("13231\n");
    ok(e, `/interface wireguard set wg0 private-key="${KEY_A}"`);
    expect(ok(e, ":put [/interface wireguard get wg0 public-key]").trim()).toBe(publicKeyOf(KEY_A));
    ok(e, "/interface wireguard add name=wg1");
    expect(ok(e, ":put [/interface wireguard get wg1 listen-port]")).toBe("13232\n");
    // print shows the private key (the ntc-templates capture of `print terse` has it); export hides it
    expect(ok(e, "/interface wireguard print terse where name=wg0")).toContain(`private-key=${KEY_A}`);
  });

  it("the v7 routing menus: instance → area → interface-template, bgp template/connection with the dot shorthand", () => {
    const e = new Engine();
    ok(e, "/routing id add name=main-id id=192.0.2.1");
    ok(e, "/routing ospf instance add name=ospf-v2 router-id=main-id");
    ok(e, "/routing ospf area add name=backbone instance=ospf-v2 area-id=0.0.0.0");
    ok(
      e,
      "/routing ospf interface-template add area=backbone interfaces=ether1 networks=192.0.2.0/24 cost=10 type=ptp passive",
    );
    ok(
      e,
      "/routing bgp connection add name=rr local.role=ibgp remote.address=192.0.2.9 .as=64500 templates=default",
    );
    expect(ok(e, ":put [/routing bgp connection get rr remote.as]")).toBe("64500\n");
    expect(ok(e, ":put [/routing ospf interface-template get 0 passive]")).toBe("yes\n");
    expect(ok(e, ":put [/routing ospf interface-template get 0 hello-interval]")).toBe("10s\n");
  });

  it("a menu path alone changes the current menu for the next commands (as exports rely on)", () => {
    const e = new Engine();
    ok(e, "/ip address\nadd address=192.0.2.1/24 interface=ether1\n/system identity\nset name=tower-1");
    expect(ok(e, ":put [/system identity get name]")).toBe("tower-1\n");
    expect(ok(e, "/ip/address/print terse")).toContain("address=192.0.2.1/24");
  });

  it("firewall rules keep their order; place-before inserts", () => {
    const e = new Engine();
    ok(e, "/ip firewall filter add chain=input action=drop comment=last");
    ok(
      e,
      "/ip firewall filter add chain=input action=accept protocol=tcp dst-port=22 comment=ssh place-before=0",
    );
    expect(ok(e, ":put [/ip firewall filter get 0 comment]")).toBe("ssh\n");
  });

  it(":local, variables in strings, :do on-error, :error", () => {
    const e = new Engine();
    expect(ok(e, ':local n "wg9"; :put "name=$n"')).toBe("name=wg9\n");
    expect(ok(e, ':do { :error "boom" } on-error={ :put "caught" }')).toBe("caught\n");
    expect(ok(e, ':do { /interface wireguard add name=ether1 } on-error={ :put "dup" }; :put next')).toBe(
      "dup\nnext\n",
    );
    expect(e.run(':do { :error "boom" }').error).toBe("boom");
  });
});

describe("scripting beyond :put", () => {
  it(":if with ( expressions ), :foreach over a find, :len of an array", () => {
    const e = new Engine();
    const ensure =
      ":if ([:len [/interface bridge find where name=br0]] = 0) do={ /interface bridge add name=br0 } else={ :put exists }";
    expect(ok(e, ensure)).toBe("");
    expect(ok(e, ensure)).toBe("exists\n");
    expect(ok(e, ":foreach i in=[/interface find] do={ :put [/interface get $i name] }")).toBe(
      "ether1\nether2\nbr0\n",
    );
    expect(
      ok(e, ':local a 3; :put ($a + 4); :put ("x" . $a); :put (!false); :put (1 < 2 && "a" = "a")'),
    ).toBe("7\nx3\ntrue\ntrue\n");
  });

  it("/interface lists every interface with its type; /system resource tells the version", () => {
    const e = new Engine({ version: "7.16.2" });
    ok(e, "/interface wireguard add name=wg0; /interface bridge add name=lo0 disabled=yes");
    expect(ok(e, "/interface print terse")).toBe(
      [
        "0 R name=ether1 default-name=ether1 type=ether mtu=1500",
        "1 R name=ether2 default-name=ether2 type=ether mtu=1500",
        "2 R name=wg0 type=wg mtu=1420",
        "3 X name=lo0 type=bridge mtu=auto",
        "",
      ].join("\n"),
    );
    expect(ok(e, ":put [/system resource get version]")).toBe("7.16.2 (stable)\n");
    expect(e.run("/interface set wg0 mtu=1400").error).toBe("bad command name set (line 1 column 12)");
  });
});

describe("more item commands", () => {
  it("set numbers=…, enable/disable, get of an unknown property, /file set contents", () => {
    const e = new Engine();
    ok(e, "/ip address add address=192.0.2.1/24 interface=ether1");
    ok(e, "/ip address set numbers=0 comment=uplink");
    expect(ok(e, ":put [/ip address get 0 comment]")).toBe("uplink\n");
    ok(e, "/ip address disable 0");
    expect(ok(e, "/ip address print terse")).toMatch(/^0 X comment=uplink /);
    ok(e, "/ip address enable [find]");
    expect(ok(e, ":put [/ip address get 0 disabled]")).toBe("no\n");
    expect(e.run(":put [/ip address get 0 colour]").error).toBe(
      "input does not match any value of value-name",
    );
    ok(e, '/file add name=lock.txt contents="run 1"');
    ok(e, '/file set lock.txt contents="run 22"');
    expect(ok(e, ":put [/file get lock.txt size]")).toBe("6\n");
  });
});
