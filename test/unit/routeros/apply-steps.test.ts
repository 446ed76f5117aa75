// The RouterOS apply steps' pure parts and their command lines, on a scripted session: the revert
// entry's start in the device's own date spelling (ISO from 7.10, mon/dd/yyyy before), the
// scheduler event's order (decision first), secrets filled only as whole values outside quotes,
// and a long script cut into parts at line ends.
import { describe, expect, it } from "vitest";
import type { ApplyContext } from "../../../reconciler/drivers/apply-contract.ts";
import { routerosApply } from "../../../reconciler/drivers/routeros/apply.ts";
import { oneCommandProblem } from "../../../reconciler/drivers/routeros/quote.ts";
import { declaredEnv, fillSecrets } from "../../../reconciler/drivers/routeros/secrets.ts";
import { UNDO_PART_CHARS, uploadLines } from "../../../reconciler/drivers/routeros/undo.ts";
import type { CommandResult, DeviceSession } from "../../../reconciler/transport/session.ts";
import { testDevice } from "../../helpers/device.ts";

function scripted(answers: Record<string, string>): DeviceSession & { sent: string[] } {
  const sent: string[] = [];
  const result = (command: string, stdout: string): CommandResult => ({
    command,
    stdout,
    stderr: "",
    exitCode: 0,
  });
  return {
    device: "tower-1",
    sent,
    async line(l) {
      sent.push(l);
      for (const [k, v] of Object.entries(answers)) if (l.includes(k)) return result(l, v);
      return result(l, "");
    },
    async run() {
      throw new Error("no shell");
    },
    async sh() {
      throw new Error("no shell");
    },
  };
}

const ctx: ApplyContext = {
  runId: "r-1",
  device: testDevice("tower-1", { platform: "routeros" }),
  intent: {},
  env: {},
};
const staged = { runId: "r-1", where: "", secrets: [] };

describe("arm", () => {
  it("starts the revert timeoutS after the device's clock, in its ISO date (7.10 on), across midnight", async () => {
    const s = scripted({ "/system clock get date": "@@clock 2026-12-31 23:59:50\r\n" });
    await routerosApply.arm?.(s, ctx, staged, 15);
    const add = s.sent.find((l) => l.startsWith("/system scheduler add")) ?? "";
    expect(add).toContain(
      "name=reconciler-revert-r-1 start-date=2027-01-01 start-time=00:00:05 interval=0s on-event=",
    );
    expect(oneCommandProblem(add)).toBeUndefined();
    // The event takes the decision first (a confirm that came first makes it stop there).
    const event = JSON.parse(
      `"${/on-event="((?:[^"\\]|\\.)*)"/.exec(add)?.[1]?.replace(/\\\$/g, "$")}"`,
    ) as string;
    expect(event.split("\n")).toEqual([
      "/file add name=reconciler-decided-r-1.txt contents=reverted",
      "/system scheduler remove [ find where name=reconciler-revert-r-1 ]",
      "/system script run reconciler-undo-r-1",
      "/system script remove [ find where name=reconciler-undo-r-1 ]",
      '/file remove [ find where name~"^reconciler-secret-r-1-" ]',
      ':log warning "reconciler: run r-1 was not confirmed in time: reverted"',
    ]);
  });

  it("writes mon/dd/yyyy where the device's clock does (before 7.10)", async () => {
    const s = scripted({ "/system clock get date": "@@clock feb/28/2026 23:00:00\n" });
    await routerosApply.arm?.(s, ctx, staged, 7200);
    expect(s.sent.find((l) => l.startsWith("/system scheduler add"))).toContain(
      "start-date=mar/01/2026 start-time=01:00:00",
    );
  });

  it("refuses to arm without the device's clock", async () => {
    const s = scripted({ "/system clock get date": "bad command name clock (line 1 column 15)\n" });
    await expect(routerosApply.arm?.(s, ctx, staged, 60)).rejects.toThrow(/clock could not be read/);
    expect(s.sent.some((l) => l.startsWith("/system scheduler add"))).toBe(false);
  });
});

describe("secrets", () => {
  it("are the *_env names of the intent", () => {
    expect([
      ...declaredEnv({
        wireguard: [
          { name: "wg0", peers: [{ public_key: "k", allowed_ips: [], preshared_key_env: "PSK_A" }] },
        ],
      } as never),
    ]).toEqual(["PSK_A"]);
  });

  it("fill a whole value outside quotes, quoted; a placeholder inside a description stays text", () => {
    const r = fillSecrets(
      '/interface wireguard peers set [ find where public-key="k" ] preshared-key=@secret:PSK_A@ comment="@secret:PSK_A@"',
      () => 'a"b$c d',
    );
    expect(r.line).toBe(
      '/interface wireguard peers set [ find where public-key="k" ] preshared-key="a\\"b\\$c d" comment="@secret:PSK_A@"',
    );
    expect(r.secrets).toEqual(['a"b$c d']);
    expect(oneCommandProblem(r.line)).toBeUndefined();
  });
});

describe("upload", () => {
  it("sends a short script in one add, a long one in parts cut at line ends", () => {
    expect(uploadLines("u", "a\nb\n")).toEqual(['/system script add name=u source="a\\nb\\n"']);
    const line = `:put "${"x".repeat(100)}"\n`;
    const source = line.repeat(Math.ceil((UNDO_PART_CHARS * 2.5) / line.length));
    const parts = uploadLines("u", source);
    expect(parts.length).toBe(3);
    expect(parts[1]).toMatch(
      /^\/system script set \[ find where name=u \] source=\(\[\/system script get \[ find where name=u \] source\] \. ":put /,
    );
    for (const p of parts)
      expect(
        oneCommandProblem(
          p.replace(/\(\[\/system script get \[ find where name=u \] source\] \. /, "").replace(/\)$/, ""),
        ),
      ).toBeUndefined();
  });
});
