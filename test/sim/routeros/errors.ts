// RouterOS's own error texts. Syntax errors carry "(line L column C)"; runtime failures do not.
import type { Pos } from "./lexer.ts";

export class RosError extends Error {
  constructor(
    readonly text: string,
    readonly pos?: Pos,
  ) {
    super(pos ? `${text} (line ${pos.line} column ${pos.column})` : text);
  }
}

export const badCommandName = (word: string, pos: Pos) => new RosError(`bad command name ${word}`, pos);
export const expectedEndOfCommand = (pos: Pos) => new RosError("expected end of command", pos);
export const noMatchingValue = (prop: string) => new RosError(`input does not match any value of ${prop}`);
export const alreadyHave = (what: string) => new RosError(`failure: already have ${what}`);
export const noSuchItem = () => new RosError("no such item");
export const invalidValue = (prop: string) => new RosError(`invalid value for argument ${prop}`);
export const missingValues = (props: string[]) =>
  new RosError(`missing value(s) of argument(s) ${props.join(", ")}`);
