// Access to an in-kernel process's linear memory for kernel calls: every (pointer, length) is
// bounds-checked before use, and results are allocated through the app's `cabi_realloc`.
import { BadAddressError, InvalidArgumentError } from "../errors.js";
import { MAX_STRING_UNITS } from "../params.js";
import { runProcessCode } from "../syscalls/failure.js";

/** Below this many code units, building the string directly beats a decoder call's overhead (measured: bench "console.write"). */
const SHORT_STRING_UNITS = 64;
/**
 * Up to this many code units, appending one character at a time beats String.fromCharCode.apply
 * over a view (measured: 4 units ~45 vs ~70 ns, even at 8–12, slower from 16 on).
 */
const TINY_STRING_UNITS = 8;

type Reallocate = (oldPointer: number, oldSize: number, align: number, newSize: number) => number;

export class InstanceMemory {
  private memory: WebAssembly.Memory | undefined;
  private reallocate: Reallocate | undefined;
  /**
   * Views of the whole memory, kept until it grows: a grow detaches the old buffer, so a view of
   * length 0 means "look again". Asking the memory for its buffer on every call costs more than a
   * short string's whole decode.
   */
  private bytes = new Uint8Array(0);
  private units = new Uint16Array(0);
  /**
   * The memory as a Buffer, for long strings: Buffer's UTF-16 decoding copies the units as they
   * are, several times faster than TextDecoder's (16 K units: ~4 against ~13 µs), and like the
   * short paths keeps a lone surrogate as it is.
   */
  private text = Buffer.alloc(0);

  /** The instance whose memory this is, once attached (the fuel meter finds its counter here). */
  instance: WebAssembly.Instance | undefined;

  attach(instance: WebAssembly.Instance): void {
    this.instance = instance;
    const exports = instance.exports;
    if (exports.memory instanceof WebAssembly.Memory) this.memory = exports.memory;
    this.bytes = new Uint8Array(0);
    this.units = new Uint16Array(0);
    this.text = Buffer.alloc(0);
    if (typeof exports.cabi_realloc === "function") this.reallocate = exports.cabi_realloc as Reallocate;
  }

  get wasmMemory(): WebAssembly.Memory | undefined {
    return this.memory;
  }

  get byteLength(): number {
    return this.memory?.buffer.byteLength ?? 0;
  }

  /** The current memory as bytes (empty without a memory), refreshed after a grow. */
  private currentBytes(): Uint8Array {
    if (this.bytes.byteLength === 0 && this.memory) {
      const buffer = this.memory.buffer as ArrayBuffer;
      this.bytes = new Uint8Array(buffer);
      this.units = new Uint16Array(buffer, 0, buffer.byteLength >>> 1);
      this.text = Buffer.from(buffer);
    }
    return this.bytes;
  }

  private checkRange(pointer: number, byteLength: number): ArrayBuffer {
    const bytes = this.currentBytes();
    const size = bytes.byteLength;
    const start = pointer >>> 0;
    if (!this.memory || start + byteLength > size) throw new BadAddressError(start, byteLength, size);
    return bytes.buffer as ArrayBuffer;
  }

  readString(pointer: number, units: number): string {
    const length = units >>> 0;
    if (length === 0) return "";
    if (length > MAX_STRING_UNITS) throw new InvalidArgumentError(`string of ${length} units (limit ${MAX_STRING_UNITS})`);
    this.checkRange(pointer, length * 2);
    const start = pointer >>> 0;
    if ((start & 1) === 0) {
      const first = start >>> 1;
      if (length <= TINY_STRING_UNITS) {
        const view = this.units;
        let text = "";
        for (let index = first; index < first + length; index++) text += String.fromCharCode(view[index]!);
        return text;
      }
      if (length <= SHORT_STRING_UNITS) return String.fromCharCode.apply(null, this.units.subarray(first, first + length) as unknown as number[]);
    }
    return this.text.toString("utf16le", start, start + length * 2);
  }

  readBytes(pointer: number, length: number): Uint8Array {
    const size = length >>> 0;
    const buffer = this.checkRange(pointer, size);
    return new Uint8Array(buffer, pointer >>> 0, size).slice();
  }

  /** Copies `data` into a block the app allocates, then stores (pointer, length) at `returnPointer`. */
  private writeBlock(returnPointer: number, data: Uint8Array, length: number, align: number): void {
    this.checkRange(returnPointer, 8);
    let pointer = 0;
    if (data.byteLength > 0) {
      if (!this.reallocate) throw new InvalidArgumentError("module exports no cabi_realloc");
      const reallocate = this.reallocate;
      pointer = runProcessCode("cabi_realloc", () => reallocate(0, 0, align, data.byteLength)) >>> 0;
      // The allocator may have grown memory: check against the current buffer.
      this.checkRange(pointer, data.byteLength);
      this.bytes.set(data, pointer);
    }
    this.checkRange(returnPointer, 8);
    // Through the cached byte view, little-endian by hand: a DataView a call is an allocation a call.
    const bytes = this.bytes;
    const at = returnPointer >>> 0;
    bytes[at] = pointer;
    bytes[at + 1] = pointer >>> 8;
    bytes[at + 2] = pointer >>> 16;
    bytes[at + 3] = pointer >>> 24;
    bytes[at + 4] = length;
    bytes[at + 5] = length >>> 8;
    bytes[at + 6] = length >>> 16;
    bytes[at + 7] = length >>> 24;
  }

  writeString(returnPointer: number, text: string): void {
    const bytes = new Uint8Array(text.length * 2);
    const view = new DataView(bytes.buffer);
    for (let index = 0; index < text.length; index++) view.setUint16(index * 2, text.charCodeAt(index), true);
    this.writeBlock(returnPointer, bytes, text.length, 2);
  }

  writeBytes(returnPointer: number, data: Uint8Array): void {
    this.writeBlock(returnPointer, data, data.byteLength, 1);
  }
}
