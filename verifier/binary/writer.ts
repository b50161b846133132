// A growable byte buffer with LEB128 encoders: how the rewriter builds the output module.

/** One encoder for every name: constructing one per call cost more than encoding a short name. */
const utf8 = new TextEncoder();

export class Writer {
  private buffer: Uint8Array<ArrayBuffer>;
  length = 0;

  constructor(initialCapacity = 256) {
    this.buffer = new Uint8Array(Math.max(16, initialCapacity));
  }

  private reserve(extra: number): void {
    const needed = this.length + extra;
    if (needed <= this.buffer.length) return;
    let capacity = this.buffer.length * 2;
    while (capacity < needed) capacity *= 2;
    const grown = new Uint8Array(capacity);
    grown.set(this.buffer.subarray(0, this.length));
    this.buffer = grown;
  }

  byte(value: number): void {
    this.reserve(1);
    this.buffer[this.length++] = value;
  }

  bytes(values: Uint8Array | readonly number[]): void {
    const length = values.length;
    this.reserve(length);
    if (length < 16) {
      const buffer = this.buffer;
      for (let index = 0; index < length; index++) buffer[this.length + index] = values[index]!;
    } else {
      this.buffer.set(values, this.length);
    }
    this.length += length;
  }

  private lastSource: Uint8Array | undefined;
  private lastSourceView: Buffer | undefined;

  /**
   * Copies `source[start, end)`. Short ranges go byte by byte; long ones through Buffer#copy,
   * which copies between offsets without allocating a subarray per range (the rewriter copies
   * one range per edit, tens of thousands per module).
   */
  copy(source: Uint8Array, start: number, end: number): void {
    const length = end - start;
    this.reserve(length);
    if (length < 32) {
      const buffer = this.buffer;
      let at = this.length;
      for (let index = start; index < end; index++) buffer[at++] = source[index]!;
      this.length = at;
      return;
    }
    if (source !== this.lastSource) {
      this.lastSource = source;
      this.lastSourceView = Buffer.from(source.buffer, source.byteOffset, source.byteLength);
    }
    this.lastSourceView!.copy(this.buffer, this.length, start, end);
    this.length += length;
  }

  u32(value: number): void {
    this.reserve(5);
    do {
      let byte = value & 0x7f;
      value = Math.floor(value / 128);
      if (value !== 0) byte |= 0x80;
      this.buffer[this.length++] = byte;
    } while (value !== 0);
  }

  /** `u32` that returns the writer, for one-value sections. */
  u32Chain(value: number): this {
    this.u32(value);
    return this;
  }

  /** Signed LEB128 of a safe integer (i64.const immediates of fuel costs). */
  s64(value: number): void {
    this.reserve(10);
    for (;;) {
      const byte = value & 0x7f;
      value = Math.floor(value / 128);
      const done = (value === 0 && (byte & 0x40) === 0) || (value === -1 && (byte & 0x40) !== 0);
      this.buffer[this.length++] = done ? byte : byte | 0x80;
      if (done) return;
    }
  }

  name(text: string): void {
    const encoded = utf8.encode(text);
    this.u32(encoded.length);
    this.bytes(encoded);
  }

  /** Writes `content` as a section: id, size, content. */
  section(id: number, content: Writer): void {
    this.byte(id);
    this.u32(content.length);
    this.bytes(content.view());
  }

  /** Appends `length` bytes for the caller to fill in place, through the returned view. */
  claim(length: number): Uint8Array<ArrayBuffer> {
    this.reserve(length);
    const start = this.length;
    this.length += length;
    return this.buffer.subarray(start, start + length);
  }

  /** Bytes the buffer holds before it must grow. */
  get capacity(): number {
    return this.buffer.length;
  }

  /** Forgets the content, keeping the buffer for reuse. */
  reset(): this {
    this.length = 0;
    return this;
  }

  view(): Uint8Array<ArrayBuffer> {
    return this.buffer.subarray(0, this.length);
  }

  /** A copy that owns exactly its bytes. */
  finish(): Uint8Array<ArrayBuffer> {
    return this.buffer.slice(0, this.length);
  }
}

/** Unsigned LEB128 appended to a plain array: small fixed sequences need no buffer. */
export function pushUnsigned(into: number[], value: number): number[] {
  do {
    let byte = value & 0x7f;
    value = Math.floor(value / 128);
    if (value !== 0) byte |= 0x80;
    into.push(byte);
  } while (value !== 0);
  return into;
}

/** Signed LEB128 appended to a plain array. */
export function pushSigned(into: number[], value: number): number[] {
  for (;;) {
    const byte = value & 0x7f;
    value = Math.floor(value / 128);
    const done = (value === 0 && (byte & 0x40) === 0) || (value === -1 && (byte & 0x40) !== 0);
    into.push(done ? byte : byte | 0x80);
    if (done) return into;
  }
}

/** A name (length and UTF-8 bytes) appended to a plain array. */
export function pushName(into: number[], text: string): number[] {
  const encoded = utf8.encode(text);
  pushUnsigned(into, encoded.length);
  for (const byte of encoded) into.push(byte);
  return into;
}

export function unsignedLength(value: number): number {
  let length = 1;
  while (value >= 128) {
    value = Math.floor(value / 128);
    length++;
  }
  return length;
}

export function signedLength(value: number): number {
  let length = 1;
  for (;;) {
    const byte = value & 0x7f;
    value = Math.floor(value / 128);
    if ((value === 0 && (byte & 0x40) === 0) || (value === -1 && (byte & 0x40) !== 0)) return length;
    length++;
  }
}
