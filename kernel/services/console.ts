// Console service: text from a process to its output, gated by the console capability.
import { CapabilityKind, Rights } from "../capabilities/index.js";
import { NotPermittedError } from "../errors.js";
import type { CallContext } from "../syscalls/context.js";

function requireConsole(context: CallContext): void {
  if (!context.process.capabilities.holds(CapabilityKind.console, Rights.write)) {
    throw new NotPermittedError(`process ${context.process.processId} holds no console capability with write rights`);
  }
}

export function consoleWrite(context: CallContext, text: string): number {
  requireConsole(context);
  context.process.write("stdout", text);
  return text.length;
}

export function consoleWriteError(context: CallContext, text: string): number {
  requireConsole(context);
  context.process.write("stderr", text);
  return text.length;
}
