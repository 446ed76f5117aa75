// An ed25519 key pair that ssh2 can read back. ssh2's own generateKeyPairSync("ed25519") makes, about
// once in 170 tries (measured: 18 of 3000), a private key its parseKey then refuses as "Malformed
// OpenSSH private key": a test or a simulator that starts with such a key fails at random.
import ssh2 from "ssh2";

// ssh2 is CommonJS: its default export, so that plain node (the lab) loads this as vitest does
const { utils } = ssh2;

export function sshKeyPair(): { private: string; public: string } {
  for (let i = 0; i < 20; i++) {
    const pair = utils.generateKeyPairSync("ed25519");
    if (!(utils.parseKey(pair.private) instanceof Error)) return pair;
  }
  throw new Error("ssh2 could not make a key pair it can read");
}
