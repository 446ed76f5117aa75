// The optional webhook of the watch loop: GitHub's push event, signed with the shared secret
// (X-Hub-Signature-256: sha256=HMAC of the raw body), only makes the loop look at the remote now
// instead of at the next interval. It never carries what to deploy: the loop still asks git, so a
// forged or replayed delivery can at worst cause an early poll. Bodies are bounded; the
// signature is compared in constant time.
import { createHmac, timingSafeEqual } from "node:crypto";
import { createServer, type Server } from "node:http";

const MAX_BODY = 1024 * 1024;

export function verifySignature(secret: string, body: Buffer, header: string | undefined): boolean {
  if (!header || !/^sha256=[0-9a-f]{64}$/.test(header)) return false;
  const expected = Buffer.from(`sha256=${createHmac("sha256", secret).update(body).digest("hex")}`);
  const given = Buffer.from(header);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export interface WebhookOptions {
  port: number;
  host?: string;
  secret: string;
  /** Called for a valid push delivery, with the branch it names (refs/heads/<branch>). */
  onPush: (branch: string | undefined) => void;
  onReject?: (why: string) => void;
}

export function startWebhook(opts: WebhookOptions): Promise<Server> {
  const server = createServer((req, res) => {
    const reject = (code: number, why: string) => {
      opts.onReject?.(why);
      res.writeHead(code).end();
    };
    if (req.method !== "POST") return reject(405, `method ${req.method}`);
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(413, "body too large");
        req.destroy();
      } else chunks.push(c);
    });
    req.on("end", () => {
      if (size > MAX_BODY) return;
      const body = Buffer.concat(chunks);
      if (!verifySignature(opts.secret, body, req.headers["x-hub-signature-256"] as string | undefined))
        return reject(401, "bad signature");
      const event = req.headers["x-github-event"];
      if (event === "ping") return res.writeHead(204).end();
      if (event !== "push") return reject(202, `event ${String(event)} ignored`);
      let ref: unknown;
      try {
        ref = (JSON.parse(body.toString("utf8")) as { ref?: unknown }).ref;
      } catch {
        return reject(400, "body is not JSON");
      }
      const branch = typeof ref === "string" && ref.startsWith("refs/heads/") ? ref.slice(11) : undefined;
      opts.onPush(branch);
      res.writeHead(204).end();
    });
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port, opts.host ?? "127.0.0.1", () => resolve(server));
  });
}
