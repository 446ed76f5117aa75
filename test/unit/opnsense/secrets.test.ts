// The secret-token contract with the apply half, by its reference implementation: tokens in the
// candidate are filled from the live file as the device holds it and from the environment, only
// where they are a secret element's whole content.
import { describe, expect, it } from "vitest";
import { renderConfig } from "../../../reconciler/drivers/opnsense/render.ts";
import { fillSecrets, redactConfig, secretValues } from "../../../reconciler/drivers/opnsense/secrets.ts";
import { fixture, fw1 } from "./helpers.ts";

describe("the secret tokens", () => {
  it("numbers the device's secrets as the redaction does", () => {
    const text = fixture("box.xml");
    const values = secretValues(text);
    const redacted = redactConfig(text);
    for (const [n, v] of values) {
      if (v === "") continue;
      expect(redacted).toContain(`@device-secret:${n}@`);
      expect(redacted).not.toContain(v);
    }
    expect([...values.values()]).toContain("BranchPresharedFixtureDDDDDDDDDDDDDDDDDDDDD=");
  });

  it("fills a candidate rendered from the redacted file back from the device's own file", async () => {
    const device = fixture("box.xml");
    const desired = await fw1();
    const peer = desired.wireguard?.find((w) => w.name === "wg1")?.peers[0];
    if (!peer) throw new Error("fw-1 has a peer on wg1");
    peer.preshared_key_env = "FW1_WORKER_PSK";
    peer.description = "@device-secret:0@ in a description is text";
    const candidate = renderConfig(desired, "fw-1", redactConfig(device));
    const filled = fillSecrets(candidate, device, (name) =>
      name === "FW1_WORKER_PSK" ? "Env<&>Key=" : undefined,
    );
    expect(filled).toContain("<psk>BranchPresharedFixtureDDDDDDDDDDDDDDDDDDDDD=</psk>");
    expect(filled).toContain("<privkey>SiteVpnPrivateKeyFixtureBBBBBBBBBBBBBBBBBB=</privkey>");
    expect(filled).toContain("<psk>Env&lt;&amp;&gt;Key=</psk>");
    expect(filled).not.toMatch(/<(psk|privkey|password)>@(device-secret|secret):/);
    // A new instance's keys are the pair the box generated (`reconciler keys`), filled there.
    expect(filled).toMatch(/<privkey>@device-key:wg\d+@<\/privkey>/);
    // Outside a secret element a token is text.
    expect(filled).toContain("_device-secret_0_in_a_description_is_text");
    expect(() => fillSecrets(candidate, device, () => undefined)).toThrow(/FW1_WORKER_PSK is not set/);
    expect(() => fillSecrets("<a><psk>@device-secret:99@</psk></a>", device, () => undefined)).toThrow(
      /no such secret/,
    );
  });
});
