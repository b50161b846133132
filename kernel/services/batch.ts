// batch.submit for in-kernel processes: the entries are in the caller's own memory, so the
// kernel runs them in place; user domains have theirs serviced by the HAL before the trap.
import { NotImplementedError } from "../errors.js";
import { KERNEL_CALL_FUEL } from "../params.js";
import type { CallContext } from "../syscalls/context.js";
import { dispatchLifted } from "../syscalls/dispatch-lifted.js";
import { SyscallFault } from "../syscalls/failure.js";
import { ProcessExit } from "../syscalls/signals.js";

export function batchSubmit(context: CallContext, entries: number, count: number): number {
  const memory = context.memory?.wasmMemory;
  if (!memory) throw new NotImplementedError("batch.submit needs the caller's memory");
  let stop: { kind: "exit"; code: number } | { kind: "fault"; reason: string } | undefined;
  const completed = context.services.batch.submitInMemory(memory, entries, count,
    (syscallNumber, args) => dispatchLifted(context, syscallNumber, args),
    (outcome) => { stop = outcome; });
  // Each entry is a call the app did not pay a crossing for: charge it as one.
  if (completed > 0) context.fuel?.charge(completed * KERNEL_CALL_FUEL);
  if (stop?.kind === "exit") throw new ProcessExit(stop.code);
  if (stop?.kind === "fault") throw new SyscallFault({ kind: "killed", message: stop.reason });
  return completed;
}
