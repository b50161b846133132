// batch.submit: many scalar calls queued in a ring (batch-ring.ts) cost one kernel entry. An
// in-kernel process's ring is in its own memory and is run in place; a user domain's ring was
// copied into its trap page by the HAL, which hands it over as bytes the kernel writes back into.
import { BATCH_ENTRY_BYTES, BATCH_RING_ENTRIES } from "../../runtime/abi/index.js";
import { InvalidArgumentError, NotImplementedError } from "../errors.js";
import { KERNEL_CALL_FUEL } from "../params.js";
import type { CallContext } from "../syscalls/context.js";
import { dispatchLifted } from "../syscalls/dispatch-lifted.js";
import { SyscallFault } from "../syscalls/failure.js";
import { ProcessExit } from "../syscalls/signals.js";
import { serviceBatch, submitBatchInMemory, type BatchResult } from "./batch-ring.js";

/** `entries`: a pointer into the caller's memory (in-kernel), or the ring itself (from a user domain). */
export function batchSubmit(context: CallContext, entries: number | Uint8Array, count: number): number {
  const dispatch = (syscallNumber: number, args: Parameters<typeof dispatchLifted>[2]) => dispatchLifted(context, syscallNumber, args);
  let result: BatchResult;
  if (typeof entries === "number") {
    const memory = context.memory?.wasmMemory;
    if (!memory) throw new NotImplementedError("batch.submit needs the caller's memory");
    let stoppedBy: BatchResult["stoppedBy"];
    const completed = submitBatchInMemory(memory, entries, count, dispatch, (outcome) => { stoppedBy = outcome; });
    result = { completed, stoppedBy };
  } else {
    const entryCount = count >>> 0;
    if (entryCount > BATCH_RING_ENTRIES || entries.byteLength < entryCount * BATCH_ENTRY_BYTES) {
      throw new InvalidArgumentError(`batch.submit: ${entryCount} entries in a ring of ${entries.byteLength} bytes (limit ${BATCH_RING_ENTRIES})`);
    }
    result = serviceBatch(entries, entryCount, dispatch);
  }
  // Each entry is a call the app did not pay a crossing for: charge it as one.
  if (result.completed > 0) context.fuel?.charge(result.completed * KERNEL_CALL_FUEL);
  const stop = result.stoppedBy;
  if (stop?.kind === "exit") throw new ProcessExit(stop.code);
  if (stop?.kind === "fault") throw new SyscallFault({ kind: "killed", message: stop.reason });
  return result.completed;
}
