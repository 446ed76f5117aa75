// Interface names a Linux kernel accepts, shared by the platforms that run one (Debian, Opengear).

/** Linux refuses names of 16 bytes or more and names with '/', ':' or whitespace; wg-quick is stricter. */
export function linuxInterfaceNameProblem(name: string, wireguard: boolean): string | undefined {
  if (name.length > 15)
    return `a Linux interface name of at most 15 characters (this one has ${name.length})`;
  if (name === "." || name === ".." || /[/:\s]/.test(name))
    return "a Linux interface name without '/', ':' or whitespace";
  if (wireguard && !/^[a-zA-Z0-9_=+.-]{1,15}$/.test(name))
    return "a wg-quick interface name: letters, digits and _=+.-";
  return undefined;
}
