// The bootstrap calls: exit, yield, id, arguments, abort.
import { boundedFaultText } from "../process/index.js";
import type { CallContext } from "../syscalls/context.js";
import { ProcessAbort, ProcessExit } from "../syscalls/signals.js";

export function exitProcess(_context: CallContext, code: number): never {
  throw new ProcessExit(code);
}

export function yieldProcess(_context: CallContext): void {
  // In-kernel entries run to completion, so there is nothing to switch to mid-entry.
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
