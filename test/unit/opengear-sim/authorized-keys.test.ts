// ssh/authorized_keys: a user's keys, addressed by user id or name.
import { describe, expect, it } from "vitest";
import { box, ok } from "./helpers.ts";

const KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHEQMlgFUzkbZE2hmBuI/vp38sbrjzTVoYBn8KR3LlEe netops@example";

describe("ogcli ssh/authorized_keys", () => {
  it("create, get, delete by key id; bad keys and unknown users refused", () => {
    const b = box();
    ok(b.run(["create", "user"], 'username="netops"\n'));
    ok(b.run(["create", "ssh/authorized_keys", "netops"], `key="${KEY}"\n`));
    expect(ok(b.run(["get", "ssh/authorized_keys", "users-2"]))).toBe(
      `authorized_keys[0].id="users_ssh_authorized_keys-1"\nauthorized_keys[0].key="${KEY}"\n`,
    );
    expect(b.run(["create", "ssh/authorized_keys", "netops"], 'key="not a key"\n').code).toBe(1);
    expect(b.run(["get", "ssh/authorized_keys", "nobody"]).stderr).toBe(
      "Error: No user found with id 'nobody'\n",
    );
    ok(b.run(["delete", "ssh/authorized_keys", "netops", "users_ssh_authorized_keys-1"]));
    expect(ok(b.run(["get", "ssh/authorized_keys", "netops"]))).toBe("authorized_keys=[]\n");
  });

  it("exported per user, restored, and gone with their user", () => {
    const b = box();
    ok(b.run(["create", "user"], 'username="netops"\n'));
    ok(b.run(["create", "ssh/authorized_keys", "netops"], `key="${KEY}"\n`));
    const text = ok(b.run(["export"]));
    expect(text).toContain(
      `ogcli replace ssh/authorized_keys "netops" << 'END'\nauthorized_keys[0].key="${KEY}"\nEND`,
    );
    b.files.set("/tmp/x", text);
    ok(b.run(["delete", "user", "netops"]));
    expect(b.store.data.authorized_keys).toEqual({});
    ok(b.run(["restore", "/tmp/x"]));
    expect(ok(b.run(["get", "ssh/authorized_keys", "netops"]))).toContain(KEY);
  });
});
