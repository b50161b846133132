// Console service: text from a process to its bounded output queue, gated by the console capability.
import { CapabilityKind, Rights } from "../capabilities/index.js";
import { NotPermittedError } from "../errors.js";
import type { CallContext } from "../syscalls/context.js";

function requireConsole(context: CallContext): void {
  if (!context.process.capabilities.holds(CapabilityKind.console, Rights.write)) {
    throw new NotPermittedError(`process ${context.process.processId} holds no console capability with write rights`);
  }
}

/**
 * Returns the units taken: fewer than offered is a short write (the process's output queue is
 * full; docs/abi/calls/console.write.md). A write of which nothing is taken fails with
 * `wouldBlock`, one to a closed stream with `peerClosed`: the kernel thread never waits.
 */
export function consoleWrite(context: CallContext, text: string): number {
  requireConsole(context);
  return context.process.write("stdout", text);
}

export function consoleWriteError(context: CallContext, text: string): number {
  requireConsole(context);
  return context.process.write("stderr", text);
}
