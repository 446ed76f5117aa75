// The apply scripts quote every value, refuse names that are not names, and never carry a private
// key or a secret from the environment in clear: those travel only base64-encoded inside the stage
// script (which goes over stdin), or stay on the device.
import { describe, expect, it } from "vitest";
import { candidatePlan } from "../../../../reconciler/drivers/debian/apply/candidate.ts";
import { healthScript } from "../../../../reconciler/drivers/debian/apply/health.ts";
import {
  assertManagedPath,
  assertRunId,
  DEBIAN_LAYOUT,
} from "../../../../reconciler/drivers/debian/apply/layout.ts";
import {
  candidateRel,
  commitScript,
  convergeScript,
  ensureKeysScript,
  libScript,
  revertScript,
  stageScript,
} from "../../../../reconciler/drivers/debian/apply/scripts.ts";
import { renderDebian } from "../../../../reconciler/drivers/debian/render.ts";
import { lockScript, unlockScript } from "../../../../reconciler/drivers/kit/lock.ts";
import { armScript, confirmScript, rollbackScript } from "../../../../reconciler/drivers/kit/timer.ts";
import type { LiveState } from "../../../../reconciler/model/live.ts";
import { birdEdge, device, frrEdge } from "../helpers.ts";

const NONCE = "0123456789abcdef0123";
const SECRETS = {
  OSPF_KEY: "s3cr3t-ospf-key",
  OSPF_SIMPLE: "simplepw1",
  BGP_PW: "bgp-pass-word",
  WG_PSK: "psk-value-xyz",
  OSPF6_KEY: "ospf6-secret-key",
};
const RUN = { device: "router-a", token: "0123456789abcdef01234567" };
const empty: LiveState = {
  device: "r",
  platform: "debian",
  state: {},
  artifacts: {},
  publicKeys: {},
  fingerprint: "",
};

function allScripts(intent: ReturnType<typeof birdEdge>) {
  const dev = device("router-a");
  const plan = candidatePlan(renderDebian(intent, dev), empty, intent, SECRETS, RUN);
  const uploads = plan.files
    .filter((f) => f.content !== null)
    .map((f) => ({ rel: candidateRel(f), content: f.content as string }));
  const scripts = [
    stageScript("run-1", plan.files, uploads, NONCE),
    libScript("run-1"),
    convergeScript("run-1", plan.files),
    commitScript(plan.files),
    revertScript("run-1", plan.files),
    armScript(DEBIAN_LAYOUT, "run-1", 60),
    confirmScript(DEBIAN_LAYOUT, "run-1", "2026-01-01T00:00:00Z"),
    rollbackScript(DEBIAN_LAYOUT, "run-1"),
    lockScript(DEBIAN_LAYOUT, "run-1", "host", "t"),
    unlockScript(DEBIAN_LAYOUT, "run-1"),
    ensureKeysScript(["wg-b"]),
    healthScript(
      "run-1",
      intent,
      [
        { kind: "ospf-adjacency", interface: "wg-b", routerId: "192.0.2.1" },
        { kind: "route", prefix: "192.0.2.0/24" },
      ],
      NONCE,
    ),
  ];
  return { plan, uploads, scripts };
}

describe("secrets never in a script or a command line", () => {
  for (const [label, intent] of [
    ["bird", birdEdge()],
    ["frr", frrEdge()],
  ] as const) {
    it(`${label}: the secrets reach only the stage script's here-documents, base64-encoded`, () => {
      const { plan, scripts } = allScripts(intent);
      expect(plan.secretValues.length).toBeGreaterThan(0);
      const end = `rcl-end-${NONCE}`;
      // The bodies of the here-documents: the lines between a `<<'END'` line and END.
      const bodies = (scripts[0] as string).split(`<<'${end}' || _bad=1\n`).slice(1);
      expect(bodies.length).toBeGreaterThan(0);
      const decoded = bodies
        .map((b) =>
          Buffer.from(b.slice(0, b.indexOf(`\n${end}\n`) + 1).replace(/\n/g, ""), "base64").toString("utf8"),
        )
        .join("");
      for (const secret of plan.secretValues) {
        for (const s of scripts) expect(s).not.toContain(secret);
        // ...but they are in the decoded candidate the device gets.
        expect(decoded).toContain(secret);
      }
      // Staged.files shows placeholders, never the values.
      for (const f of plan.files)
        for (const secret of plan.secretValues) expect(f.shown ?? "").not.toContain(secret);
    });
  }

  it("a missing variable rejects the candidate naming the variable", () => {
    const intent = frrEdge();
    expect(() =>
      candidatePlan(renderDebian(intent, device("core-1")), empty, intent, {}, { ...RUN, device: "core-1" }),
    ).toThrow(/environment variable [A-Z0-9_]+ is not set/);
  });

  it("substitutes only the intent's *_env secrets, only where the renderer put them", () => {
    // A raw snippet and a description that spell the placeholder of another variable: the text
    // reaches the device as written, and the variable's value nowhere.
    const intent = frrEdge();
    intent.raw = { frr: "! @secret:GITHUB_TOKEN@\n" };
    const dev = device("core-1");
    const env = { ...SECRETS, GITHUB_TOKEN: "ghp_supersecretvalue" };
    const plan = candidatePlan(renderDebian(intent, dev), empty, intent, env, { ...RUN, device: "core-1" });
    const frr = plan.files.find((f) => f.path === "/etc/frr/frr.conf")?.content ?? "";
    expect(frr).toContain("! @secret:GITHUB_TOKEN@");
    expect(frr).not.toContain("ghp_supersecretvalue");
    expect(plan.secretValues).not.toContain("ghp_supersecretvalue");
    // The intent's own secrets are in, where the renderer marked them.
    expect(frr).toContain(`md5 ${SECRETS.OSPF_KEY}`);
    expect(frr).not.toContain(RUN.token);
  });

  it("refuses a stage whose frr.conf is not the planned one", () => {
    const intent = frrEdge();
    const rendered = renderDebian(intent, device("core-1"));
    const tampered = {
      kind: "files" as const,
      files: { ...rendered.files, "/etc/frr/frr.conf": `${rendered.files["/etc/frr/frr.conf"]}! extra\n` },
    };
    expect(() => candidatePlan(tampered, empty, intent, SECRETS, { ...RUN, device: "core-1" })).toThrow(
      /differs from the planned one/,
    );
  });

  it("the private key is read only into wg or a root-only temp file, never printed", () => {
    const { scripts } = allScripts(birdEdge());
    for (const s of scripts) {
      for (const line of s.split("\n").filter((l) => /\.key\b/.test(l) && !/psk-/.test(l))) {
        // genkey into the file, pubkey from it, or the syncconf input into "$_t".
        expect(line).toMatch(/wg genkey >|wg pubkey <|> "\$_t"|mkdir -p|chmod 700/);
      }
    }
    expect(ensureKeysScript(["wg-b"])).not.toMatch(/cat [^|]*\.key/);
  });
});

describe("hostile values", () => {
  it("run ids, interface names and paths outside the rules are refused", () => {
    for (const id of ["a;rm -rf /", "$(reboot)", "../x", "a b", "", "x".repeat(65)])
      expect(() => assertRunId(id)).toThrow();
    expect(() => ensureKeysScript(["wg0; reboot"])).toThrow();
    expect(() => ensureKeysScript(["$(id)"])).toThrow();
    for (const p of ["/etc/x y", "/etc/$(id)", "relative", "/etc/../root/x", "/etc/a'b"])
      expect(() => assertManagedPath(p)).toThrow();
    expect(() => armScript(DEBIAN_LAYOUT, "run-1", 1.5)).toThrow();
  });

  it("a hostile lock holder text is quoted", () => {
    const s = lockScript(DEBIAN_LAYOUT, "run-1", "evil'$(reboot)`id`\nhost", "t");
    expect(s).toContain(`'run=run-1\nholder=evil'\\''$(reboot)\`id\`?host\ntime=t\n'`);
  });

  it("arms the revert timer as a systemd unit where systemd runs, and with setsid elsewhere", () => {
    const s = armScript(DEBIAN_LAYOUT, "run-1", 60);
    expect(s).toContain("if [ -d /run/systemd/system ] && command -v systemd-run >/dev/null 2>&1; then");
    expect(s).toMatch(
      /systemd-run --quiet --collect --unit=reconciler-revert-run-1 -p KillMode=process .* sh "\$RUN\/timer\.sh" 60 /,
    );
    expect(s).toMatch(/\n {2}setsid sh "\$RUN\/timer\.sh" 60 < \/dev\/null > "\$RUN\/timer\.log" 2>&1 &\n/);
  });
});
