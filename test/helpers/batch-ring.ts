// Batch rings built by hand for the batch suites: entries as an app lays them out
// (runtime/wit/singlet.wit, interface batch), and their statuses and results read back.
import { BATCH_ENTRY_BYTES, BATCH_LINKED, BATCH_RESULT_ARGUMENT_SHIFT } from "../../runtime/abi/index.js";

/** An entry of up to three arguments, one to a slot. */
export function entry(callWord: number, ...args: bigint[]): Uint8Array {
  const bytes = new Uint8Array(BATCH_ENTRY_BYTES);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, callWord >>> 0, true);
  args.forEach((value, slot) => view.setBigUint64(8 + slot * 8, value, true));
  return bytes;
}

/** An entry of four to six 32-bit arguments, two to a slot. */
export function narrowEntry(callWord: number, ...args: number[]): Uint8Array {
  const bytes = new Uint8Array(BATCH_ENTRY_BYTES);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, callWord >>> 0, true);
  args.forEach((value, index) => view.setUint32(8 + index * 4, value >>> 0, true));
  return bytes;
}

/** The call word of an entry linked to the one before it, `resultArgument` taking its result (-1: none). */
export function linked(syscallNumber: number, resultArgument = -1): number {
  return (syscallNumber | BATCH_LINKED | ((resultArgument + 1) << BATCH_RESULT_ARGUMENT_SHIFT)) >>> 0;
}

export function ring(...entries: Uint8Array[]): Uint8Array {
  const bytes = new Uint8Array(entries.length * BATCH_ENTRY_BYTES);
  entries.forEach((item, index) => bytes.set(item, index * BATCH_ENTRY_BYTES));
  return bytes;
}

export const statusOf = (bytes: Uint8Array, index: number): number => new DataView(bytes.buffer, bytes.byteOffset).getInt32(index * BATCH_ENTRY_BYTES + 4, true);
export const resultOf = (bytes: Uint8Array, index: number): bigint => new DataView(bytes.buffer, bytes.byteOffset).getBigInt64(index * BATCH_ENTRY_BYTES + 32, true);
/** Every entry's status, in order. */
export const statusesOf = (bytes: Uint8Array): number[] => Array.from({ length: bytes.byteLength / BATCH_ENTRY_BYTES }, (_unused, index) => statusOf(bytes, index));

/** A ring laid out in a WAT app's memory at `address`: a data segment. */
export function ringSegment(address: number, bytes: Uint8Array): string {
  const escaped = [...bytes].map((byte) => `\\${byte.toString(16).padStart(2, "0")}`).join("");
  return `(data (i32.const ${address}) "${escaped}")`;
}

/** The status of entry `index` of the ring at `address`, as a WAT i32 expression. */
export const statusAt = (address: number, index: number): string => `(i32.load (i32.const ${address + index * BATCH_ENTRY_BYTES + 4}))`;
/** The result of entry `index` of the ring at `address`, as a WAT i64 expression. */
export const resultAt = (address: number, index: number): string => `(i64.load (i32.const ${address + index * BATCH_ENTRY_BYTES + 32}))`;
/** Stores an i32 expression into argument slot `slot` of entry `index` of the ring at `address`: a handle known only at run time. */
export const storeArgument = (address: number, index: number, slot: number, value: string): string =>
  `(i64.store (i32.const ${address + index * BATCH_ENTRY_BYTES + 8 + slot * 8}) (i64.extend_i32_u ${value}))`;
