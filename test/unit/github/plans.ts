// Plans for the GitHub tests: a fleet of devices with changes, errors or nothing to do.
import type { DevicePlan, Plan } from "../../../reconciler/model/plan.ts";

export function device(name: string, status: DevicePlan["status"], changes = 0): DevicePlan {
  return {
    device: name,
    platform: "debian",
    status,
    changes: Array.from({ length: changes }, (_, i) => ({
      device: name,
      path: `wireguard[wg-${i}].listen_port`,
      action: "update" as const,
      before: 51820,
      after: 51821 + i,
    })),
    files: [],
    unmanaged: [],
    ...(status === "error"
      ? { error: { kind: "TransportError", message: `ssh: connect to ${name}: connection refused` } }
      : {}),
  };
}

export function plan(devices: DevicePlan[]): Plan {
  return { version: 1, createdAt: "2026-11-29T12:00:00Z", origin: "working tree", devices };
}

export const HEAD = "3f9a1c2b4d5e6f708192a3b4c5d6e7f8091a2b3c";
export const HASH = "sha256:9b1e4f0c2d7a8e6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b";
