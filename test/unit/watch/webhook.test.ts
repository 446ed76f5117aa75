// The watch loop's webhook with GitHub's real example payloads (@octokit/webhooks-examples), signed
// as GitHub signs them (HMAC-SHA256 of the raw body with the shared secret): a push to the tracked
// branch wakes the loop; a push to a tag or another branch is passed on as such; a bad or missing
// signature, another method or an oversized body is refused and wakes nothing.
import { createHmac } from "node:crypto";
import { readFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startWebhook, verifySignature } from "../../../reconciler/watch/webhook.ts";
import { ROOT } from "../../helpers/example-repo.ts";

type Example = { name: string; examples: Record<string, unknown>[] };
const examples = JSON.parse(
  readFileSync(
    join(ROOT, "node_modules", "@octokit", "webhooks-examples", "api.github.com", "index.json"),
    "utf8",
  ),
) as Example[];
const pushes = examples.find((e) => e.name === "push")?.examples ?? [];
const ping = examples.find((e) => e.name === "ping")?.examples[0];

const SECRET = "it's a secret to everybody";
const sign = (body: string, secret = SECRET) =>
  `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;

let url: string;
const pushed: (string | undefined)[] = [];
const rejected: string[] = [];
let close: () => Promise<void>;

beforeAll(async () => {
  const server = await startWebhook({
    port: 0,
    secret: SECRET,
    onPush: (b) => pushed.push(b),
    onReject: (why) => rejected.push(why),
  });
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  close = () => new Promise((r) => server.close(() => r()));
});
afterAll(() => close());

const post = (body: string, headers: Record<string, string>) =>
  fetch(url, { method: "POST", body, headers: { "content-type": "application/json", ...headers } });

describe("the watch webhook, with GitHub's example payloads", () => {
  it("has real push examples to test with", () => {
    expect(pushes.length).toBeGreaterThan(2);
    expect(ping).toBeDefined();
  });

  it("a signed push wakes the loop with the branch it names; a tag push names none", async () => {
    pushed.length = 0;
    for (const p of pushes) {
      const body = JSON.stringify(p);
      const r = await post(body, { "x-github-event": "push", "x-hub-signature-256": sign(body) });
      expect(r.status).toBe(204);
    }
    const refs = pushes.map((p) => String(p.ref));
    expect(pushed).toEqual(refs.map((r) => (r.startsWith("refs/heads/") ? r.slice(11) : undefined)));
    expect(pushed.some((b) => b !== undefined)).toBe(true);
  });

  it("a ping is answered and wakes nothing", async () => {
    pushed.length = 0;
    const body = JSON.stringify(ping);
    expect((await post(body, { "x-github-event": "ping", "x-hub-signature-256": sign(body) })).status).toBe(
      204,
    );
    expect(pushed).toEqual([]);
  });

  it("refuses a wrong secret, a missing or altered signature, GET, and a body over 1 MiB", async () => {
    pushed.length = 0;
    rejected.length = 0;
    const body = JSON.stringify(pushes[0]);
    expect(
      (await post(body, { "x-github-event": "push", "x-hub-signature-256": sign(body, "other") })).status,
    ).toBe(401);
    expect((await post(body, { "x-github-event": "push" })).status).toBe(401);
    expect(
      (await post(`${body} `, { "x-github-event": "push", "x-hub-signature-256": sign(body) })).status,
    ).toBe(401);
    expect((await fetch(url)).status).toBe(405);
    const big = JSON.stringify({ ref: "refs/heads/main", pad: "x".repeat(1024 * 1024) });
    const r = await post(big, { "x-github-event": "push", "x-hub-signature-256": sign(big) }).catch(
      () => undefined,
    );
    expect(r === undefined || r.status === 413).toBe(true);
    expect(pushed).toEqual([]);
    expect(rejected.filter((w) => w === "bad signature")).toHaveLength(3);
  });

  it("verifySignature compares the whole header in constant time and refuses other forms", () => {
    const body = Buffer.from("{}");
    expect(verifySignature(SECRET, body, sign("{}"))).toBe(true);
    expect(verifySignature(SECRET, body, sign("{}").toUpperCase())).toBe(false);
    expect(verifySignature(SECRET, body, `sha1=${"0".repeat(40)}`)).toBe(false);
    expect(verifySignature(SECRET, body, undefined)).toBe(false);
  });
});
