// A resolved Debian device for tests that need one but no inventory.
import type { ResolvedDevice } from "../../reconciler/model/repo.ts";

export function testDevice(name: string, overrides: Partial<ResolvedDevice> = {}): ResolvedDevice {
  return {
    name,
    platform: "debian",
    host: "198.51.100.130",
    port: 22,
    user: "root",
    credentials: { agent: true },
    sudo: false,
    connectTimeoutS: 10,
    groups: [],
    labels: {},
    vars: {},
    ...overrides,
  };
}
