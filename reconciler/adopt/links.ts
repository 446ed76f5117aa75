// What of a device's state desired/links.yaml defines: the WireGuard interface of each link end
// and the OSPF interface on it (intent/links.ts expands them). Import leaves these out of the
// device file (a device file naming them is an error), drift adoption edits the link instead.
import type { DesiredRepo } from "../model/repo.ts";
import type { Link } from "../schema/links.ts";

export interface LinkEnd {
  link: Link;
  /** The index of the link in links.yaml. */
  linkIndex: number;
  /** Which end this device is. */
  end: 0 | 1;
}

/** The link ends of a device, by interface name. */
export function linkEndsOf(device: string, repo: DesiredRepo | undefined): Map<string, LinkEnd> {
  const out = new Map<string, LinkEnd>();
  repo?.links.forEach((link, linkIndex) => {
    link.ends.forEach((e, i) => {
      if (e.device === device) out.set(e.interface, { link, linkIndex, end: i === 0 ? 0 : 1 });
    });
  });
  return out;
}
