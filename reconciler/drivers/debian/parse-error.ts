// The one error a parser of device output throws: what the device printed is not in the format
// the parser reads (JSON that does not parse, a shape that is not iproute2's). Whatever a device
// prints, a parser either returns or throws this; readDebian turns it into a ParseError naming the
// device, and the health gate into a failed check.
export class OutputFormatError extends Error {
  constructor(
    /** What was being read, as the operator knows it: "ip -j -d addr show", "bird.conf". */
    readonly source: string,
    why: string,
  ) {
    super(`${source}: ${why}`);
    this.name = "OutputFormatError";
  }
}
