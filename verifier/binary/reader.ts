// A cursor over Wasm bytes: LEB128 integers, names and raw ranges, with the offset of every fault.

/** Thrown when the bytes end early or an encoding is out of range; carries the byte offset. */
export class DecodeError extends Error {
  constructor(message: string, readonly byteOffset: number) {
    super(`${message} at byte ${byteOffset}`);
    this.name = "DecodeError";
  }
}

const utf8 = new TextDecoder("utf-8", { fatal: false });

export class Reader {
  offset: number;

  constructor(readonly bytes: Uint8Array, offset = 0, readonly end = bytes.length) {
    this.offset = offset;
  }

  get atEnd(): boolean {
    return this.offset >= this.end;
  }

  byte(): number {
    if (this.offset >= this.end) throw new DecodeError("unexpected end of bytes", this.offset);
    return this.bytes[this.offset++]!;
  }

  /** Unsigned LEB128 up to 32 bits; the one-byte case is the common one and stays fast. */
  u32(): number {
    const bytes = this.bytes;
    let offset = this.offset;
    if (offset >= this.end) throw new DecodeError("unexpected end of bytes", offset);
    let byte = bytes[offset++]!;
    if (byte < 0x80) {
      this.offset = offset;
      return byte;
    }
    let result = byte & 0x7f;
    let shift = 7;
    for (;;) {
      if (offset >= this.end) throw new DecodeError("unexpected end of bytes", offset);
      byte = bytes[offset++]!;
      result += (byte & 0x7f) * 2 ** shift;
      if ((byte & 0x80) === 0) break;
      shift += 7;
      if (shift > 28) throw new DecodeError("integer too long", this.offset);
    }
    this.offset = offset;
    if (result > 0xffffffff) throw new DecodeError("integer too large", this.offset);
    return result;
  }

  /** Skips a signed or unsigned LEB128 of any length up to `maximumBytes`. */
  skipLeb(maximumBytes: number): void {
    const bytes = this.bytes;
    let offset = this.offset;
    for (let count = 0; count < maximumBytes; count++) {
      if (offset >= this.end) throw new DecodeError("unexpected end of bytes", offset);
      if ((bytes[offset++]! & 0x80) === 0) {
        this.offset = offset;
        return;
      }
    }
    throw new DecodeError("integer too long", this.offset);
  }

  /** Signed LEB128 up to 33 bits (block types), as a number. */
  s33(): number {
    let result = 0;
    let shift = 0;
    let byte: number;
    do {
      byte = this.byte();
      result += (byte & 0x7f) * 2 ** shift;
      shift += 7;
    } while (byte & 0x80 && shift < 35);
    if (byte & 0x80) throw new DecodeError("integer too long", this.offset);
    if (byte & 0x40) result -= 2 ** shift;
    return result;
  }

  skip(count: number): void {
    if (this.offset + count > this.end) throw new DecodeError("unexpected end of bytes", this.end);
    this.offset += count;
  }

  name(): string {
    const length = this.u32();
    const start = this.offset;
    this.skip(length);
    return utf8.decode(this.bytes.subarray(start, start + length));
  }
}
