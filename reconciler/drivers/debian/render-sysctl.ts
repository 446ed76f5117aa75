// /etc/sysctl.d/90-reconciler.conf: IP forwarding. Both keys are written whenever the desired
// state has a forwarding section; an unset family means the kernel default, off.
import type { DeviceIntent } from "../../schema/device.ts";
import { lineText } from "./guard.ts";
import { MANAGED_MARK } from "./paths.ts";

export const SYSCTL_KEYS = {
  ipv4: "net.ipv4.ip_forward",
  ipv6: "net.ipv6.conf.all.forwarding",
} as const;

export function renderSysctlConf(
  forwarding: NonNullable<DeviceIntent["forwarding"]>,
  device: string,
): string {
  return [
    `# ${MANAGED_MARK} for ${lineText(device, "a device name")}: generated from the desired state in git.`,
    "# Local changes are reported as drift and overwritten by the next apply.",
    `${SYSCTL_KEYS.ipv4} = ${forwarding.ipv4 ? 1 : 0}`,
    `${SYSCTL_KEYS.ipv6} = ${forwarding.ipv6 ? 1 : 0}`,
    "",
  ].join("\n");
}
