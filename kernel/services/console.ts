// Console service: text from a process to its bounded output queue, gated by the console capability.
import { ErrorCode } from "../../runtime/abi/index.js";
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
  return takenOrWouldBlock(context.process.write("stdout", text), text);
}

export function consoleWriteError(context: CallContext, text: string): number {
  requireConsole(context);
  return takenOrWouldBlock(context.process.write("stderr", text), text);
}

/**
 * A refused write answers with the code directly rather than a thrown OutputWouldBlockError: a
 * flooding process makes millions of them and the exception would cost more than the call.
 */
function takenOrWouldBlock(taken: number, text: string): number {
  return taken === 0 && text.length > 0 ? -ErrorCode.wouldBlock : taken;
}
