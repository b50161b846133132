// Batched kernel calls for apps: queue scalar calls in a ring of entries, cross into the
// kernel once with `submit`, then read each call's status and result. A linked entry runs only
// after the one before it returned a positive result, and may take that result as an argument.
// Call numbers are the bindings' `*_CALL` constants (e.g. sockets' RECEIVE_CALL).
import * as batchCalls from "./bindings/batch.generated";

/** Bytes per entry; the layout is fixed by the `batch` interface in runtime/wit/singlet.wit. */
export const BATCH_ENTRY_BYTES: i32 = 40;
const NUMBER_OFFSET: usize = 0;
const STATUS_OFFSET: usize = 4;
const ARGUMENT_OFFSET: usize = 8;
const RESULT_OFFSET: usize = 32;
/** Argument slots per entry. */
export const BATCH_ARGUMENT_SLOTS: i32 = 3;
/** The call word's flags (runtime/abi/batch.ts): linked, and which argument takes the previous result. */
const LINKED: u32 = 0x8000_0000;
const RESULT_ARGUMENT_SHIFT: u32 = 28;
/** The status of a linked entry that did not run. */
export const BATCH_CANCELED: i32 = -125;

/** A queue of kernel calls submitted together. */
export class Batch {
  private readonly entries: StaticArray<u8>;
  private queued: i32 = 0;

  constructor(readonly capacity: i32) {
    this.entries = new StaticArray<u8>(capacity * BATCH_ENTRY_BYTES);
  }

  get length(): i32 { return this.queued; }

  /** Queues call `syscallNumber` with up to three scalar arguments; returns its index, or -1 when full. */
  add(syscallNumber: u32, argument0: u64 = 0, argument1: u64 = 0, argument2: u64 = 0): i32 {
    if (this.queued >= this.capacity) return -1;
    const entry = this.entryAddress(this.queued);
    store<u32>(entry + NUMBER_OFFSET, syscallNumber);
    store<i32>(entry + STATUS_OFFSET, 0);
    store<u64>(entry + ARGUMENT_OFFSET, argument0);
    store<u64>(entry + ARGUMENT_OFFSET + 8, argument1);
    store<u64>(entry + ARGUMENT_OFFSET + 16, argument2);
    store<i64>(entry + RESULT_OFFSET, 0);
    return this.queued++;
  }

  /**
   * Queues a call of four to six 32-bit arguments (they go two to a slot, low half first);
   * returns its index, or -1 when full.
   */
  addNarrow(syscallNumber: u32, argument0: u32, argument1: u32, argument2: u32, argument3: u32, argument4: u32 = 0, argument5: u32 = 0): i32 {
    return this.add(syscallNumber,
      <u64>argument0 | (<u64>argument1 << 32), <u64>argument2 | (<u64>argument3 << 32), <u64>argument4 | (<u64>argument5 << 32));
  }

  /**
   * Links entry `index` to the one before it: it runs only when that one returned a positive
   * result, which replaces its argument `resultArgument` (-1: none); otherwise its status is
   * BATCH_CANCELED.
   */
  link(index: i32, resultArgument: i32 = -1): void {
    const entry = this.entryAddress(index);
    const word = load<u32>(entry + NUMBER_OFFSET) | LINKED | (<u32>(resultArgument + 1) << RESULT_ARGUMENT_SHIFT);
    store<u32>(entry + NUMBER_OFFSET, word);
  }

  /** Crosses into the kernel once for every queued call; returns how many ran, or a negative error. */
  submit(): i32 {
    const completed = batchCalls.submit(<u32>changetype<usize>(this.entries), <u32>this.queued);
    return completed;
  }

  /**
   * Runs every queued call and takes the process's next event, in one kernel entry
   * (batch.submit-and-wait): the event packed as `events.wait` packs it, or a negative error.
   * -11 and -42 are the wait's answers (the calls ran); any other error means none ran.
   * The runtime's `serve` loop uses it for what handlers queued (`Batches.withNextWait`).
   */
  submitAndWait(): i64 {
    return batchCalls.submitAndWait(<u32>changetype<usize>(this.entries), <u32>this.queued);
  }

  /** Writes `status` (a negated error) as every queued call's status: none of them ran. */
  failAll(status: i32): void {
    for (let index = 0; index < this.queued; index++) store<i32>(this.entryAddress(index) + STATUS_OFFSET, status);
  }

  /** 0 when call `index` ran, else its negated error code. */
  status(index: i32): i32 { return load<i32>(this.entryAddress(index) + STATUS_OFFSET); }

  /** The result of call `index`. */
  result(index: i32): i64 { return load<i64>(this.entryAddress(index) + RESULT_OFFSET); }

  /** Empties the queue for reuse. */
  clear(): void { this.queued = 0; }

  private entryAddress(index: i32): usize {
    return changetype<usize>(this.entries) + <usize>(index * BATCH_ENTRY_BYTES);
  }
}
