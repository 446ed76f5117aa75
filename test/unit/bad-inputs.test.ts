// A corpus of bad inputs: broken YAML, wrong types, unknown keys, missing fields and hostile
// strings. Each is rejected with a message naming the file and the line of the bad value, and
// nothing is returned to act on.
import { describe, expect, it, vi } from "vitest";
import { expectDiagnostic, lineContaining } from "../helpers/diagnostics.ts";
import { type Edit, exampleFiles, loadExample, replaceOnce } from "../helpers/example-repo.ts";

const A = "desired/router-a.yaml";
const INV = "inventory/inventory.yaml";
const LINKS = "desired/links.yaml";

interface BadInput {
  name: string;
  file: string;
  edit: Edit;
  /** The line of the bad value, or text that starts on that line of the edited file. */
  line?: number;
  at?: string;
  message: RegExp;
  /** Part of what the diagnostic says was expected. */
  expected?: RegExp;
}

const HOSTILE_NAMES = [
  "wg0; rm -rf /",
  "$(reboot)",
  "`reboot`",
  "wg0\nPostUp = reboot",
  "wg0\u0000",
  "wg0 && halt",
  "../../etc/passwd",
  "-oProxyCommand=sh",
];

/** A device file whose only line of interest (line 3) carries `value` as an interface name. */
const wireguardNamed = (value: string) => `wireguard:\n  - peers: []\n    name: ${JSON.stringify(value)}\n`;

/** Nine aliases to nine aliases, ten levels deep: 9^10 strings once expanded. First alias: line 2. */
const billionLaughs = [
  'a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]',
  ...Array.from({ length: 9 }, (_, i) => `a${i + 1}: &a${i + 1} [${Array(9).fill(`*a${i}`).join(", ")}]`),
  "",
].join("\n");

const corpus: BadInput[] = [
  {
    name: "broken YAML (unclosed flow sequence)",
    file: A,
    edit: "interfaces: [\n  - name: lo\n",
    line: 2,
    message: /invalid YAML/,
  },
  {
    name: "broken YAML (bad indentation)",
    file: INV,
    edit: "devices:\n  router-a:\n    platform: debian\n   host: 198.51.100.130\n",
    line: 4,
    message: /invalid YAML/,
  },
  {
    name: "a key written twice",
    file: A,
    edit: "description: one\ndescription: two\n",
    line: 2,
    message: /invalid YAML: Map keys must be unique/,
  },
  {
    name: "a tab used for indentation",
    file: A,
    edit: "forwarding:\n\tipv4: true\n",
    line: 2,
    message: /invalid YAML/,
  },
  {
    name: "a port written as a string",
    file: INV,
    edit: replaceOnce("  connect_timeout_s: 10", '  port: "22"\n  connect_timeout_s: 10'),
    at: 'port: "22"',
    message: /wrong type: got a string "22"/,
    expected: /a TCP\/UDP port, 1\.\.65535/,
  },
  {
    name: "a list where a map belongs",
    file: A,
    edit: replaceOnce("forwarding:\n  ipv4: true\n  ipv6: true", "forwarding: [ipv4, ipv6]"),
    at: "forwarding: [ipv4, ipv6]",
    message: /wrong type: got a list/,
  },
  {
    name: "an OSPF cost out of range",
    file: LINKS,
    edit: replaceOnce("      cost: 50", "      cost: 70000"),
    at: "cost: 70000",
    message: /invalid value 70000/,
    expected: /an OSPF cost, 1\.\.65535/,
  },
  {
    name: "a misspelt key",
    file: A,
    edit: replaceOnce("routing_daemon: bird", "routing_deamon: bird"),
    at: "routing_deamon",
    message: /unknown key "routing_deamon"/,
    expected: /routing_daemon/,
  },
  {
    name: "a password in the inventory",
    file: INV,
    edit: replaceOnce("    platform: opnsense\n", "    platform: opnsense\n    password: hunter2\n"),
    at: "password: hunter2",
    message: /unknown key "password" \(passwords never go in git/,
  },
  {
    name: "a private key field on a WireGuard interface",
    file: "desired/fw-1.yaml",
    edit: replaceOnce(
      "    listen_port: 51820\n",
      "    listen_port: 51820\n    private_key: mBXD7N6/XoCUdQ8rkKwGyOiNUjXm/Mc6ijfEY4WoQ1E=\n",
    ),
    at: "private_key:",
    message: /private key/,
  },
  {
    name: "a device without a platform",
    file: INV,
    edit: replaceOnce("    platform: routeros\n", ""),
    at: "host: 198.51.100.135",
    message: /missing required key 'platform'/,
    expected: /one of debian, routeros, opnsense, opengear/,
  },
  {
    name: "a link with one end",
    file: LINKS,
    edit: replaceOnce("      - { device: tower-1, interface: wg-core }\n", ""),
    at: "      - { device: core-1, interface: wg-tower",
    message: /1 items/,
    expected: /at least 2 items/,
  },
  {
    name: "an unknown platform",
    file: INV,
    edit: replaceOnce("platform: routeros", "platform: ios"),
    at: "platform: ios",
    message: /invalid value "ios"/,
    expected: /one of debian, routeros, opnsense, opengear/,
  },
  {
    name: "an invalid WireGuard public key (43 characters)",
    file: "desired/fw-1.yaml",
    edit: replaceOnce(
      "GlNzvf0D1JVoevQmt8SJ5XuuNKbGgoMHW5gAydJz9Uo=",
      "GlNzvf0D1JVoevQmt8SJ5XuuNKbGgoMHW5gAydJz9U=",
    ),
    at: "GlNzvf0D1JVoevQmt8SJ5XuuNKbGgoMHW5gAydJz9U=",
    message: /invalid value/,
    expected: /WireGuard public key: 32 bytes in base64/,
  },
  {
    name: "an invalid WireGuard public key (not canonical base64)",
    file: "inventory/wireguard-keys.yaml",
    edit: replaceOnce(
      "j/miH2I9YXQ9m09gxeqElEm7enQqe9f37VWtV2f/Zgw=",
      "j/miH2I9YXQ9m09gxeqElEm7enQqe9f37VWtV2f/Zgx=",
    ),
    at: "Zgx=",
    message: /invalid value/,
    expected: /WireGuard public key/,
  },
  {
    name: "an address with host bits where a network belongs",
    file: A,
    edit: replaceOnce("stub_networks: [192.0.2.0/26,", "stub_networks: [192.0.2.1/26,"),
    at: "stub_networks: [192.0.2.1/26,",
    message: /invalid value "192.0.2.1\/26"/,
    expected: /no host bits set/,
  },
  {
    name: "an IPv4 address with a leading zero",
    file: A,
    edit: replaceOnce("192.0.2.193/32, 2001", "192.0.2.093/32, 2001"),
    at: "192.0.2.093",
    message: /invalid value "192.0.2.093\/32"/,
  },
  {
    name: "a 10 kB description",
    file: A,
    edit: replaceOnce("description: Site A mesh router", `description: ${"x".repeat(10_240)}`),
    at: "description: xxxx",
    message: /value is 10240 characters long/,
  },
  {
    name: "a 10 kB interface name",
    file: A,
    edit: replaceOnce("  - name: br-lan", `  - name: ${"a".repeat(10_240)}`),
    at: "  - name: aaaa",
    message: /value is 10240 characters long/,
  },
  {
    name: "a newline in a raw RouterOS line",
    file: "desired/tower-1.yaml",
    edit: replaceOnce(
      "    - /ip dns set servers=192.0.2.53",
      '    - "/ip dns set servers=192.0.2.53\\n/system reboot"',
    ),
    at: "/system reboot",
    message: /invalid value/,
    expected: /one command line without newlines/,
  },
  {
    name: "a NUL in a raw bird snippet",
    file: "desired/core-1.yaml",
    edit: (t) =>
      t.replace(
        "raw:\n  frr: |\n    log syslog informational\n",
        'raw:\n  frr: "log syslog\\u0000informational"\n',
      ),
    at: 'frr: "log',
    message: /invalid value/,
    expected: /without NUL/,
  },
  {
    name: "a backtick in a description",
    file: A,
    edit: replaceOnce("description: Site A mesh router", "description: 'Site A `reboot`'"),
    at: "`reboot`",
    message: /invalid value/,
    expected: /without quotes, backslashes, '\$' or '`'/,
  },
  {
    name: "a shell substitution in an environment variable name",
    file: INV,
    edit: replaceOnce("key_file_env: RECONCILER_SSH_KEY", "key_file_env: $(reboot)"),
    at: "key_file_env: $(reboot)",
    message: /invalid value "\$\(reboot\)"/,
    expected: /the name of an environment variable/,
  },
  {
    name: "an option smuggled into a host name",
    file: INV,
    edit: replaceOnce("host: 198.51.100.133", "host: -oProxyCommand=reboot"),
    at: "-oProxyCommand=reboot",
    message: /invalid value "-oProxyCommand=reboot"/,
    expected: /a host name or IP address/,
  },
  {
    name: "a device name with shell characters",
    file: INV,
    edit: replaceOnce("  tower-1:\n", "  tower-1;reboot:\n"),
    at: "tower-1;reboot:",
    message: /invalid key "tower-1;reboot"/,
    expected: /a device name/,
  },
  {
    name: "an endpoint with a command in it",
    file: "desired/oob-1.yaml",
    edit: replaceOnce("endpoint: 198.51.100.129:51820", 'endpoint: "198.51.100.129:51820; reboot"'),
    at: '; reboot"',
    message: /invalid value/,
    expected: /an endpoint host:port/,
  },
  {
    name: "a YAML alias bomb (billion laughs)",
    file: A,
    edit: billionLaughs,
    line: 2,
    message: /aliases expand to more than 100 copies/,
  },
  {
    name: "a C1 control character in a description",
    file: A,
    edit: replaceOnce("description: Site A mesh router", "description: Site A\u009b31m router"),
    at: "description: Site A",
    message: /C1 control character U\+009B/,
  },
  {
    name: "a C1 control character written as an escape",
    file: A,
    edit: replaceOnce("description: Site A mesh router", 'description: "Site A\\x85 router"'),
    at: 'description: "Site A',
    message: /C1 control character U\+0085 written as an escape sequence/,
  },
  {
    name: "an ANSI escape in a raw FRR block",
    file: "desired/core-1.yaml",
    edit: replaceOnce("    log syslog informational\n", "    log syslog informational \u001b[2J\n"),
    at: "log syslog informational",
    message: /control character U\+001B/,
  },
  {
    name: "an escaped ANSI escape in a raw FRR block",
    file: "desired/core-1.yaml",
    edit: replaceOnce(
      "  frr: |\n    log syslog informational\n",
      '  frr: "log syslog informational\\e[2J\\n"\n',
    ),
    at: 'frr: "log syslog',
    message: /control character U\+001B written as an escape sequence/,
  },
  {
    name: "a bidirectional override in a raw FRR block",
    file: "desired/core-1.yaml",
    edit: replaceOnce("    log syslog informational\n", "    log syslog \u202einformational\n"),
    at: "log syslog",
    message: /bidirectional text control U\+202E/,
  },
  {
    name: "a bidirectional isolate in a comment",
    file: LINKS,
    edit: replaceOnce("# The mesh:", "# \u2066The mesh:"),
    at: "The mesh:",
    message: /bidirectional text control U\+2066/,
  },
  {
    name: "a lone carriage return",
    file: A,
    edit: replaceOnce("routing_daemon: bird\n", "routing_daemon: bird\r# hidden\n"),
    at: "routing_daemon: bird",
    message: /carriage return/,
  },
  {
    name: "the secret placeholder in a description",
    file: A,
    edit: replaceOnce("description: Site A mesh router", "description: Site A @secret:GITHUB_TOKEN@"),
    at: "@secret:GITHUB_TOKEN@",
    message: /"@secret:" is the reconciler's secret placeholder syntax/,
    expected: /\*_env field/,
  },
  {
    name: "the secret placeholder in a raw FRR block, in capitals",
    file: "desired/core-1.yaml",
    edit: replaceOnce(
      "    log syslog informational\n",
      "    log syslog informational\n    password @SECRET:AWS_KEY@\n",
    ),
    at: "password @SECRET",
    message: /"@SECRET:" is the reconciler's secret placeholder syntax/,
  },
  {
    name: "the secret placeholder written with an escape",
    file: A,
    edit: replaceOnce("description: Site A mesh router", 'description: "Site A \\x40secret:HOME@"'),
    at: "x40secret:HOME@",
    message: /"@secret:" is the reconciler's secret placeholder syntax/,
  },
  {
    name: "the secret placeholder in the inventory",
    file: INV,
    edit: replaceOnce("host: 198.51.100.133", 'host: "@secret:SSH_AUTH_SOCK@"'),
    at: "@secret:SSH_AUTH_SOCK@",
    message: /secret placeholder syntax/,
  },
  {
    name: "a list used as a key",
    file: A,
    edit: replaceOnce(
      "forwarding:\n  ipv4: true\n",
      "forwarding:\n  ? [ipv4, ipv6]\n  : true\n  ipv4: true\n",
    ),
    at: "? [ipv4, ipv6]",
    message: /a key that is a list, a map or an alias/,
  },
  ...HOSTILE_NAMES.map(
    (value): BadInput => ({
      name: `a hostile interface name ${JSON.stringify(value)}`,
      file: A,
      edit: wireguardNamed(value),
      line: 3,
      message: /invalid value/,
      expected: /an interface name/,
    }),
  ),
];

describe("bad inputs", () => {
  for (const bad of corpus) {
    it(`rejects ${bad.name} with file and line`, async () => {
      const result = await loadExample({ [bad.file]: bad.edit });
      const edited =
        typeof bad.edit === "function" ? bad.edit(exampleFiles().get(bad.file) ?? "") : (bad.edit ?? "");
      const line = bad.line ?? lineContaining(edited, bad.at ?? "");
      const d = expectDiagnostic(result.diagnostics, { file: bad.file, line, message: bad.message });
      if (bad.expected) expect(d.expected).toMatch(bad.expected);
      expect(d.column).toBeGreaterThan(0);
      // Nothing to act on: an invalid repository never reaches the planner.
      expect(result.repo).toBeUndefined();
    });
  }

  it("reports an alias bomb, a placeholder, a control character and a schema error in one run", async () => {
    const result = await loadExample({
      [A]: billionLaughs,
      "desired/router-b.yaml": (t) => t.replace("routing_daemon: bird", "routing_daemon: quagga"),
      "desired/router-c.yaml": (t) => t.replace(/description: .*/, "description: '@secret:HOME@ \u0085'"),
    });
    expectDiagnostic(result.diagnostics, { file: A, line: 2, message: /billion laughs/ });
    expectDiagnostic(result.diagnostics, {
      file: "desired/router-b.yaml",
      message: /invalid value "quagga"/,
    });
    expectDiagnostic(result.diagnostics, { file: "desired/router-c.yaml", message: /secret placeholder/ });
    expectDiagnostic(result.diagnostics, { file: "desired/router-c.yaml", message: /U\+0085/ });
  });

  it("refuses deep nesting before the YAML library can overflow the stack (fatally, once warmed up)", async () => {
    for (const depth of [1_000, 5_000, 20_000]) {
      for (const text of [
        `${"[".repeat(depth)}${"]".repeat(depth)}\n`,
        `description: x\nz:\n${"- ".repeat(depth)}x\n`,
      ]) {
        const result = await loadExample({ [A]: text });
        const d = expectDiagnostic(result.diagnostics, { file: A, message: /nest more than 64 levels deep/ });
        expect(d.line).toBe(text.startsWith("[") ? 1 : 3);
      }
    }
  });

  it("shows an offending value with its C1 controls and bidi overrides escaped", async () => {
    const result = await loadExample({ [A]: wireguardNamed("wg\u202e\u0085x") });
    const d = expectDiagnostic(result.diagnostics, { file: A, line: 3, message: /invalid value/ });
    expect(`${d.message} ${d.value}`).not.toMatch(/[\u0085\u202e]/);
    expect(d.value).toBe('"wg\\u202e\\u0085x"');
  });

  it("keeps the YAML library from printing pieces of a file to stderr", async () => {
    const warn = vi.spyOn(process, "emitWarning").mockImplementation(() => {});
    try {
      await loadExample({ [A]: "? { secret: value }\n: x\n" });
      expect(warn).not.toHaveBeenCalled();
    } finally {
      warn.mockRestore();
    }
  });

  it("shortens a huge offending value in the message", async () => {
    const result = await loadExample({
      [A]: replaceOnce("  - name: br-lan", `  - name: ${"a".repeat(10_240)}`),
    });
    for (const d of result.diagnostics) expect(`${d.message} ${d.value ?? ""}`.length).toBeLessThan(400);
  });
});
