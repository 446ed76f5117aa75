// The ":" commands: :put :local :global :set :do on-error :if :foreach :error :log :delay :len
// :return :tostr (help.mikrotik.com "Scripting").

import { type Ctx, type Engine, type RVal, toStr } from "./engine.ts";
import { badCommandName, expectedEndOfCommand, RosError } from "./errors.ts";
import { type Item, literal, type Pos } from "./lexer.ts";

/** The ":" commands (help.mikrotik.com "Scripting": Global commands). */
export function scripting(engine: Engine, name: string, pos: Pos, args: Item[], ctx: Ctx): RVal {
  switch (name) {
    case "put": {
      ctx.out.push(`${args[0] ? toStr(engine.evalValue(args[0].value, ctx)) : ""}\n`);
      return undefined;
    }
    case "local":
    case "global": {
      const varName = args[0] ? literal(args[0].value) : undefined;
      if (!varName) throw new RosError("syntax error", pos);
      const value = args[1] ? engine.evalValue(args[1].value, ctx) : "";
      if (name === "local") ctx.locals.set(varName, value);
      else engine.store.data.globals[varName] = toStr(value);
      return undefined;
    }
    case "set": {
      const varName = args[0] ? literal(args[0].value) : undefined;
      if (!varName) throw new RosError("syntax error", pos);
      const value = args[1] ? engine.evalValue(args[1].value, ctx) : "";
      if (ctx.locals.has(varName)) ctx.locals.set(varName, value);
      else engine.store.data.globals[varName] = toStr(value);
      return undefined;
    }
    case "do": {
      const body = args.find((a) => a.key === undefined || a.key === "do");
      const onError = args.find((a) => a.key === "on-error");
      for (const a of args) {
        if (a !== body && a !== onError) throw expectedEndOfCommand(a.pos);
      }
      if (body?.value.kind !== "block") throw new RosError("syntax error", pos);
      try {
        return engine.execAll(body.value.commands, { ...ctx });
      } catch (e) {
        if (!(e instanceof RosError) || !onError) throw e;
        if (onError.value.kind !== "block") throw new RosError("syntax error", onError.pos);
        return engine.execAll(onError.value.commands, { ...ctx });
      }
    }
    case "error":
      throw new RosError(args[0] ? engine.str(args[0].value, ctx) : "");
    case "log": {
      engine.log.push(args.map((a) => engine.str(a.value, ctx)).join(" "));
      return undefined;
    }
    case "delay":
      return undefined;
    case "len": {
      const v = args[0] ? engine.evalValue(args[0].value, ctx) : "";
      return String(Array.isArray(v) ? v.length : toStr(v).length);
    }
    case "if": {
      const cond = args[0];
      if (cond?.key !== undefined || cond?.value.kind !== "expression")
        throw new RosError("syntax error", pos);
      const then = args.find((a) => a.key === "do");
      const otherwise = args.find((a) => a.key === "else");
      for (const a of args.slice(1)) if (a !== then && a !== otherwise) throw expectedEndOfCommand(a.pos);
      const v = toStr(engine.evalValue(cond.value, ctx));
      const branch = v === "true" || v === "yes" ? then : otherwise;
      if (!branch) return undefined;
      if (branch.value.kind !== "block") throw new RosError("syntax error", branch.pos);
      return engine.execAll(branch.value.commands, { ...ctx });
    }
    case "foreach": {
      const varName = args[0] ? literal(args[0].value) : undefined;
      const list = args.find((a) => a.key === "in");
      const body = args.find((a) => a.key === "do");
      if (!varName || !list || body?.value.kind !== "block") throw new RosError("syntax error", pos);
      const v = engine.evalValue(list.value, ctx);
      const elements = Array.isArray(v)
        ? (v as string[])
        : toStr(v)
            .split(";")
            .filter((x) => x !== "");
      for (const el of elements) {
        ctx.locals.set(varName, el);
        engine.execAll(body.value.commands, { ...ctx });
      }
      return undefined;
    }
    case "return":
      return args[0] ? engine.evalValue(args[0].value, ctx) : undefined;
    case "tostr":
      return args[0] ? toStr(engine.evalValue(args[0].value, ctx)) : "";
    default:
      throw badCommandName(name, { line: pos.line, column: pos.column + 1 });
  }
}
