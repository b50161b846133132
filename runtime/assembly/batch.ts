// Batched kernel calls for apps: queue scalar calls in a ring of entries, cross into the
// kernel once with `submit`, then read each call's status and result.
import * as batchCalls from "./bindings/batch.generated";

/** Bytes per entry; the layout is fixed by the `batch` interface in runtime/wit/singlet.wit. */
export const BATCH_ENTRY_BYTES: i32 = 40;
const NUMBER_OFFSET: usize = 0;
const STATUS_OFFSET: usize = 4;
const ARGUMENT_OFFSET: usize = 8;
const RESULT_OFFSET: usize = 32;
/** Argument slots per entry. */
export const BATCH_ARGUMENT_SLOTS: i32 = 3;

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

  /** Crosses into the kernel once for every queued call; returns how many ran, or a negative error. */
  submit(): i32 {
    const completed = batchCalls.submit(<u32>changetype<usize>(this.entries), <u32>this.queued);
    return completed;
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
