// The bootstrap calls: exit, id, arguments, abort (yield is with the event calls).
import { boundedFaultText } from "../process/index.js";
import type { CallContext } from "../syscalls/context.js";
import { ProcessAbort, ProcessExit } from "../syscalls/signals.js";

export function exitProcess(context: CallContext, code: number): never {
  // An exit ends the process even while it holds event sources (process.ts, exitRequested).
  context.process.exitRequested ??= code;
  throw new ProcessExit(code);
}

export function processId(context: CallContext): number {
  return context.process.processId;
}

export function argumentCount(context: CallContext): number {
  return context.process.args.length;
}

export function argumentGet(context: CallContext, index: number): string {
  return context.process.args[index] ?? "";
}

export function abortProcess(_context: CallContext, message: string, file: string, line: number, column: number): never {
  // The process wrote both strings: bounded here so every report built from them (either domain) is.
  throw new ProcessAbort(boundedFaultText(message), boundedFaultText(file), line, column);
}
