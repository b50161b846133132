// Values crossing between two module instances: lifted out of the sender's memory into plain
// values, lowered into the receiver's memory through its `cabi_realloc` (canonical-ABI
// conventions: a string is (pointer, UTF-16 units), a list<u8> is (pointer, bytes)). Scalars
// pass through unchanged.
import type { AbiValueType } from "../../runtime/abi/index.js";
import { InvalidArgumentError } from "../errors.js";
import { MAX_STRING_UNITS } from "../params.js";
import type { InstanceMemory } from "../sip/instance-memory.js";
import { runProcessCode } from "../syscalls/failure.js";

export type CoreValue = number | bigint;
/** A value as it crosses a domain boundary: already out of the sender's memory. */
export type CrossingValue = number | bigint | string | Uint8Array;

/** Lifts a call's core arguments; with no declared parameter types, core values pass through. */
export function liftArguments(core: readonly CoreValue[], parameters: readonly AbiValueType[] | undefined, from: InstanceMemory): CrossingValue[] {
  if (!parameters) return [...core];
  const values: CrossingValue[] = [];
  let index = 0;
  for (const type of parameters) {
    if (type === "string") {
      values.push(from.readString(core[index] as number, core[index + 1] as number));
      index += 2;
    } else if (type === "list<u8>") {
      values.push(from.readBytes(core[index] as number, core[index + 1] as number));
      index += 2;
    } else {
      values.push(core[index++]!);
    }
  }
  return values;
}

type Reallocate = (oldPointer: number, oldSize: number, align: number, newSize: number) => number;

function allocate(instance: WebAssembly.Instance, align: number, size: number): Uint8Array {
  const reallocate = instance.exports.cabi_realloc as Reallocate | undefined;
  const memory = instance.exports.memory as WebAssembly.Memory | undefined;
  if (typeof reallocate !== "function" || !(memory instanceof WebAssembly.Memory)) {
    throw new InvalidArgumentError("callee exports no memory and cabi_realloc, so it cannot receive strings or bytes");
  }
  // The callee's own code: a trap or overflow there is the callee's fault, not the kernel's.
  const pointer = runProcessCode("callee's cabi_realloc", () => reallocate(0, 0, align, size)) >>> 0;
  // Read the buffer after allocating: the allocator may have grown memory.
  if (pointer + size > memory.buffer.byteLength) throw new InvalidArgumentError(`cabi_realloc returned 0x${pointer.toString(16)}, outside the callee's memory`);
  return new Uint8Array(memory.buffer, pointer, size);
}

/** Lowers lifted values into `into`'s memory; returns the core arguments to call it with. */
export function lowerArguments(values: readonly CrossingValue[], parameters: readonly AbiValueType[] | undefined, into: WebAssembly.Instance): CoreValue[] {
  if (!parameters) return values as CoreValue[];
  const core: CoreValue[] = [];
  parameters.forEach((type, index) => {
    const value = values[index];
    if (type === "string") {
      const text = value as string;
      if (text.length === 0) { core.push(0, 0); return; }
      const block = allocate(into, 2, text.length * 2);
      // Wasm memory is little-endian; so is every platform Node runs on, which lets an aligned
      // block take the units through a Uint16Array without a per-unit DataView call.
      if (block.byteOffset % 2 === 0) {
        const units = new Uint16Array(block.buffer, block.byteOffset, text.length);
        for (let unit = 0; unit < text.length; unit++) units[unit] = text.charCodeAt(unit);
      } else {
        const view = new DataView(block.buffer, block.byteOffset, block.byteLength);
        for (let unit = 0; unit < text.length; unit++) view.setUint16(unit * 2, text.charCodeAt(unit), true);
      }
      core.push(block.byteOffset, text.length);
    } else if (type === "list<u8>") {
      const bytes = value as Uint8Array;
      if (bytes.byteLength === 0) { core.push(0, 0); return; }
      const block = allocate(into, 1, bytes.byteLength);
      block.set(bytes);
      core.push(block.byteOffset, bytes.byteLength);
    } else {
      core.push(value as CoreValue);
    }
  });
  return core;
}

/**
 * Copies a call's arguments from one instance's memory straight into another's, for two
 * instances in the same domain: strings move as their UTF-16 bytes, never decoded.
 */
export function copyArguments(core: readonly CoreValue[], parameters: readonly AbiValueType[] | undefined, from: InstanceMemory, into: WebAssembly.Instance): CoreValue[] {
  if (!parameters) return core as CoreValue[];
  const copied: CoreValue[] = [];
  let index = 0;
  for (const type of parameters) {
    if (type === "string" || type === "list<u8>") {
      const length = (core[index + 1] as number) >>> 0;
      if (type === "string" && length > MAX_STRING_UNITS) throw new InvalidArgumentError(`string of ${length} units (limit ${MAX_STRING_UNITS})`);
      const byteLength = type === "string" ? length * 2 : length;
      if (byteLength === 0) {
        copied.push(0, 0);
      } else {
        const bytes = from.readBytes(core[index] as number, byteLength);
        const block = allocate(into, type === "string" ? 2 : 1, byteLength);
        block.set(bytes);
        copied.push(block.byteOffset, length);
      }
      index += 2;
    } else {
      copied.push(core[index++]!);
    }
  }
  return copied;
}
