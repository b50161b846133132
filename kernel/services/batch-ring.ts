// Batch rings (runtime/wit/singlet.wit, interface batch): the kernel reads each queued call,
// runs it through the syscall table and writes status and result back in place. The same code
// serves an in-kernel process's entries in its own memory and a user domain's ring, which the
// HAL copied into the trap page and hands over as bytes: the HAL moves the ring, the kernel reads it.
// A linked entry runs only after its predecessor returned a positive result and may take that
// result as an argument: a receive and the send of what it received cost one crossing together.
import {
  BATCH_CALL_NUMBER_MASK, BATCH_ENTRY_BYTES, BATCH_LINKED, BATCH_NARROW_ARGUMENTS, BATCH_RESERVED_BITS, BATCH_RESULT_ARGUMENT_MASK,
  BATCH_RESULT_ARGUMENT_SHIFT, BATCH_RING_ENTRIES, ErrorCode, RING_CALL_NAMES, syscallDescriptors, type SyscallDescriptor,
} from "../../runtime/abi/index.js";
import type { AbiValue, TrapOutcome } from "../../hal/hil/index.js";
const NUMBER_OFFSET = 0;
const STATUS_OFFSET = 4;
const ARGUMENT_OFFSET = 8;
const ARGUMENT_SLOTS = 3;
const SLOT_BYTES = 8;
const NARROW_ARGUMENT_BYTES = 4;
const RESULT_OFFSET = 32;
const WIDE_TYPES: ReadonlySet<string> = new Set(["u64", "s64", "f64"]);

export interface BatchResult {
  /** Entries that ran (status written). */
  readonly completed: number;
  /** The outcome that ended the batch early: an exit or a fault. */
  readonly stoppedBy?: Extract<TrapOutcome, { kind: "exit" | "fault" }>;
}

/** One call of a batch as the kernel sees it. */
export type BatchDispatch = (syscallNumber: number, args: readonly AbiValue[], descriptor: SyscallDescriptor) => TrapOutcome;

/**
 * Where each argument of a call sits in an entry, as byte offsets from the entry's first slot:
 * one to a slot for up to three, two to a slot (low half first) for four to six 32-bit ones.
 * Undefined for a call a batch cannot carry.
 */
function argumentOffsets(descriptor: SyscallDescriptor): readonly number[] | undefined {
  if (RING_CALL_NAMES.has(descriptor.qualifiedName)) return undefined;
  const parameters = descriptor.parameters;
  if (parameters.some((parameter) => parameter.type === "string" || parameter.type === "list<u8>")) return undefined;
  if (descriptor.result === "string" || descriptor.result === "list<u8>") return undefined;
  if (parameters.length <= ARGUMENT_SLOTS) return parameters.map((_parameter, index) => index * SLOT_BYTES);
  if (parameters.length > BATCH_NARROW_ARGUMENTS || parameters.some((parameter) => WIDE_TYPES.has(parameter.type))) return undefined;
  return parameters.map((_parameter, index) => index * NARROW_ARGUMENT_BYTES);
}

/** Decided once per call number rather than per entry: the descriptor table never changes. */
const argumentOffsetsByNumber: readonly (readonly number[] | undefined)[] = syscallDescriptors.map(argumentOffsets);

function liftSlot(view: DataView, offset: number, type: string): AbiValue {
  switch (type) {
    case "u64": return view.getBigUint64(offset, true);
    case "s64": return view.getBigInt64(offset, true);
    case "f32": return view.getFloat32(offset, true);
    case "f64": return view.getFloat64(offset, true);
    case "s32": case "s16": case "s8": return view.getInt32(offset, true);
    case "bool": return view.getUint32(offset, true) !== 0 ? 1 : 0;
    case "u8": return view.getUint8(offset);
    case "u16": return view.getUint16(offset, true);
    default: return view.getUint32(offset, true);
  }
}

/** Shared by every call without parameters; handlers get their arguments read-only. */
const NO_ARGUMENTS: AbiValue[] = [];

/** Writes a result into the entry's s64 slot; small integers skip the BigInt a 64-bit store needs. */
function storeResult(view: DataView, offset: number, value: AbiValue | undefined): void {
  if (typeof value === "number" && (value | 0) === value) {
    view.setInt32(offset, value, true);
    view.setInt32(offset + 4, value < 0 ? -1 : 0, true);
  } else if (typeof value === "bigint") {
    view.setBigInt64(offset, BigInt.asIntN(64, value), true);
  } else {
    view.setBigInt64(offset, typeof value === "number" ? BigInt(Math.trunc(value)) : 0n, true);
  }
}

/**
 * Runs `count` entries held in `entries` (at least count × BATCH_ENTRY_BYTES bytes) in order.
 * Stops at the first exit or fault outcome, which the caller then applies to the process.
 */
export function serviceBatch(entries: Uint8Array, count: number, dispatch: BatchDispatch): BatchResult {
  const view = new DataView(entries.buffer, entries.byteOffset, count * BATCH_ENTRY_BYTES);
  for (let index = 0; index < count; index++) {
    const base = index * BATCH_ENTRY_BYTES;
    const word = view.getUint32(base + NUMBER_OFFSET, true);
    const syscallNumber = word & BATCH_CALL_NUMBER_MASK;
    const descriptor = syscallDescriptors[syscallNumber];
    const offsets = argumentOffsetsByNumber[syscallNumber];
    if (!descriptor) {
      view.setInt32(base + STATUS_OFFSET, -ErrorCode.notImplemented, true);
      continue;
    }
    if (!offsets || !linkIsWellFormed(word, index, offsets.length)) {
      view.setInt32(base + STATUS_OFFSET, -ErrorCode.invalidArgument, true);
      continue;
    }
    if ((word & BATCH_LINKED) !== 0 && !passOnResult(view, base, word, offsets)) {
      view.setInt32(base + STATUS_OFFSET, -ErrorCode.canceled, true);
      continue;
    }
    const parameters = descriptor.parameters;
    const args: AbiValue[] = parameters.length === 0 ? NO_ARGUMENTS : new Array<AbiValue>(parameters.length);
    for (let argument = 0; argument < parameters.length; argument++) args[argument] = liftSlot(view, base + ARGUMENT_OFFSET + offsets[argument]!, parameters[argument]!.type);
    const outcome = dispatch(syscallNumber, args, descriptor);
    // Batched calls are scalar and never wait; a dispatcher that says otherwise ends the batch.
    if (outcome.kind === "wait") return { completed: index, stoppedBy: { kind: "fault", reason: `call ${syscallNumber} in a batch asked to wait` } };
    if (outcome.kind !== "return") return { completed: index, stoppedBy: outcome };
    view.setInt32(base + STATUS_OFFSET, 0, true);
    storeResult(view, base + RESULT_OFFSET, outcome.value);
  }
  return { completed: count };
}

/** Reserved bits clear; a link only after a first entry, naming an argument the call has. */
function linkIsWellFormed(word: number, index: number, argumentCount: number): boolean {
  if ((word & BATCH_RESERVED_BITS) !== 0) return false;
  const resultArgument = (word >>> BATCH_RESULT_ARGUMENT_SHIFT) & BATCH_RESULT_ARGUMENT_MASK;
  if ((word & BATCH_LINKED) === 0) return resultArgument === 0;
  return index > 0 && resultArgument <= argumentCount;
}

/**
 * Whether a linked entry runs: the entry before it ran (status 0) and returned a positive result.
 * If so, and the entry names an argument, that argument becomes the result (its low 32 bits for a
 * narrow argument), written into the entry so the app can see what ran.
 */
function passOnResult(view: DataView, base: number, word: number, offsets: readonly number[]): boolean {
  const previous = base - BATCH_ENTRY_BYTES;
  if (view.getInt32(previous + STATUS_OFFSET, true) !== 0) return false;
  const result = view.getBigInt64(previous + RESULT_OFFSET, true);
  if (result <= 0n) return false;
  const resultArgument = (word >>> BATCH_RESULT_ARGUMENT_SHIFT) & BATCH_RESULT_ARGUMENT_MASK;
  if (resultArgument === 0) return true;
  const offset = base + ARGUMENT_OFFSET + offsets[resultArgument - 1]!;
  if (offsets.length > ARGUMENT_SLOTS) view.setUint32(offset, Number(BigInt.asUintN(32, result)), true);
  else view.setBigInt64(offset, result, true);
  return true;
}

/**
 * batch.submit for a process whose memory the kernel holds directly (an in-kernel SIP): checks
 * the entries lie inside `memory`, services them in place and returns what the call returns,
 * the number of entries that ran or a negated error. An exit or fault outcome is handed to
 * `onStop` (which ends the process) and the entries that ran before it are counted.
 */
export function submitBatchInMemory(
  memory: WebAssembly.Memory, entriesPointer: number, count: number, dispatch: BatchDispatch,
  onStop: (outcome: Extract<TrapOutcome, { kind: "exit" | "fault" }>) => void,
): number {
  const pointer = entriesPointer >>> 0;
  const entries = count >>> 0;
  if (entries > BATCH_RING_ENTRIES) return -ErrorCode.invalidArgument;
  if (pointer + entries * BATCH_ENTRY_BYTES > memory.buffer.byteLength) return -ErrorCode.badAddress;
  const result = serviceBatch(new Uint8Array(memory.buffer, pointer, entries * BATCH_ENTRY_BYTES), entries, dispatch);
  if (result.stoppedBy) onStop(result.stoppedBy);
  return result.completed;
}

/**
 * Whether every entry of a serviced ring ran and answered without error: status 0 and a result
 * that is not negative. batch.submit-and-wait waits only then: an error, or a link cut short (a
 * receive that found the peer's end cancels the send linked to it), is something the app must
 * see to before any event may come, so its wait must not hold it.
 */
export function everyEntrySucceeded(entries: Uint8Array, count: number): boolean {
  const view = new DataView(entries.buffer, entries.byteOffset, count * BATCH_ENTRY_BYTES);
  for (let index = 0; index < count; index++) {
    const base = index * BATCH_ENTRY_BYTES;
    if (view.getInt32(base + STATUS_OFFSET, true) !== 0 || view.getInt32(base + RESULT_OFFSET + 4, true) < 0) return false;
  }
  return true;
}
