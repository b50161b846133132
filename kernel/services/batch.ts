// batch.submit: many scalar calls queued in a ring (batch-ring.ts) cost one kernel entry. An
// in-kernel process's ring is in its own memory and is run in place; a user domain's ring was
// copied into its trap page by the HAL, which hands it over as bytes the kernel writes back into.
// batch.submit-and-wait adds the process's next event to the same entry: an event loop's one
// crossing per event. Only its wait part ever waits (blocking-calls.ts RESUMED_AS_CALL): a parked
// call is served again as the `events.wait` it became, so its entries run exactly once.
import { BATCH_ENTRY_BYTES, BATCH_RING_ENTRIES } from "../../runtime/abi/index.js";
import { InvalidArgumentError, NotImplementedError } from "../errors.js";
import { KERNEL_CALL_FUEL } from "../params.js";
import type { CallContext } from "../syscalls/context.js";
import { dispatchLifted } from "../syscalls/dispatch-lifted.js";
import { SyscallFault } from "../syscalls/failure.js";
import { ProcessExit } from "../syscalls/signals.js";
import { serviceBatch, submitBatchInMemory, type BatchResult } from "./batch-ring.js";
import { eventsWait } from "./event-calls.js";

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

/**
 * The entries, then the next event as `events.wait` answers it (which is also where a user
 * domain's CPU budget starts counting again). A negative result of the batch part (a count past
 * the ring, entries outside the caller's memory) is the answer: nothing ran, and nothing waits.
 */
export function batchSubmitAndWait(context: CallContext, entries: number | Uint8Array, count: number): bigint {
  const completed = batchSubmit(context, entries, count);
  if (completed < 0) return BigInt(completed);
  return eventsWait(context);
}
