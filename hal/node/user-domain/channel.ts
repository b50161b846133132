// The crossing channel of a user domain: one SharedArrayBuffer through which the kernel thread
// and the domain's thread hand a baton back and forth. Calls between them are strictly nested —
// whoever does not hold the baton waits — so one message slot serves both directions at any
// depth: a kernel call from inside an upcall from inside a kernel jump is just three more passes.
//
// Layout (byte offsets):
//   0    header words (Int32 × 16): sequence, turn, message, instance, number, outcome, ...
//   64   value kinds (Int32 × CHANNEL_VALUE_SLOTS): what each value slot holds
//   256  value slots (8 bytes × CHANNEL_VALUE_SLOTS): numbers, bigints, or (offset, length) into data
//   ...  result (8 bytes)
//   ...  data area: TRAP_DATA_BYTES for strings, byte lists and fault reports
import { TRAP_DATA_BYTES } from "../params.js";
import { decodeUnits } from "../user-domain/trap-codec.js";

/** Values one crossing carries: an export's name and its arguments, or a kernel entry's arguments. */
export const CHANNEL_VALUE_SLOTS = 24;

export const ChannelWord = {
  /** Bumped on every pass of the baton; the waiting side sleeps on it. */
  sequence: 0,
  /** Who holds the baton: `Turn`. */
  turn: 1,
  /** The `Message` that came with the baton. */
  message: 2,
  /** Instance the message is about. */
  instance: 3,
  /** Kernel call number, kernel entry (jump) index, or count of values. */
  number: 4,
  /** For an answer: an `Answer` code. */
  answer: 5,
  /** Exit code for an exit answer or ending. */
  exitCode: 6,
  /** `ValueKind` of the result slot. */
  resultKind: 7,
  /** Values in the value slots. */
  valueCount: 8,
  /** 1 while the domain's thread sleeps in Atomics.wait: the kernel notifies only then. */
  userSleeping: 9,
  /** 1 while the kernel waits for the baton without blocking (Atomics.waitAsync). */
  kernelWaiting: 10,
  /** Bytes of the data area in use by the message (fault reports, names). */
  dataLength: 11,
  /** Set by the domain's thread once it is up: time before that is thread start, not the process's. */
  threadReady: 12,
  /**
   * For a call: 1 when value 0 is the export's name, introducing the export number in `number`;
   * 0 when `number` alone names an export introduced before (no name to encode and look up).
   */
  namesExport: 13,
  /** Times the domain's thread slept waiting for the baton (counted by the thread, read for stats). */
  userSleeps: 14,
  /** The domain thread's operating-system thread id (0 where unknown): the kernel reads its CPU time. */
  threadId: 15,
} as const;

export const Turn = { kernel: 0, user: 1 } as const;

export const Message = {
  // domain → kernel
  /** A kernel ABI call; arguments in the instance's own trap page. */
  trap: 1,
  /** A kernel jump into a declared AlwaysKernelMode entry; arguments in the value slots. */
  kernelJump: 2,
  /** A call or instantiation finished; result in the result slot. */
  returned: 3,
  /** The domain ended (exit or fault); a JSON report in the data area. */
  ended: 4,
  /** An instance could not be created; JSON `{ reason, message }` in the data area. */
  instantiateFailed: 5,
  // kernel → domain
  /** The answer to a trap or kernel jump. */
  answer: 10,
  /** Run an export (an upcall, or the entry): its number, its name the first time, its arguments. */
  call: 11,
  /** Create an instance from the request waiting on the domain's message port. */
  instantiate: 12,
  /**
   * The domain is over and its thread sat idle: leave the channel, drop everything of the domain
   * and wait for the next one (thread-succession.ts). Never answered.
   */
  release: 13,
} as const;

export const Answer = { return: 0, exit: 1, fault: 2 } as const;

export const ValueKind = { none: 0, number: 1, bigint: 2, string: 3, bytes: 4 } as const;

const VALUE_KINDS_OFFSET = 64;
const VALUES_OFFSET = 256;
const RESULT_OFFSET = VALUES_OFFSET + CHANNEL_VALUE_SLOTS * 8;
const DATA_OFFSET = RESULT_OFFSET + 8;

/** Thrown when a crossing's values do not fit the channel: a caller error, never a kernel crash. */
export class ChannelOverflow extends Error {
  override readonly name = "ChannelOverflow";
}

/** Typed views of one channel, built the same way on both sides. */
export class Channel {
  readonly header: Int32Array;
  readonly valueKinds: Int32Array;
  readonly valueWords: Int32Array;
  readonly valueFloats: Float64Array;
  readonly valueWides: BigInt64Array;
  readonly resultFloat: Float64Array;
  readonly resultWide: BigInt64Array;
  readonly data: Uint8Array;
  readonly dataUnits: Uint16Array;

  constructor(readonly buffer: SharedArrayBuffer) {
    this.header = new Int32Array(buffer, 0, 16);
    this.valueKinds = new Int32Array(buffer, VALUE_KINDS_OFFSET, CHANNEL_VALUE_SLOTS);
    this.valueWords = new Int32Array(buffer, VALUES_OFFSET, CHANNEL_VALUE_SLOTS * 2);
    this.valueFloats = new Float64Array(buffer, VALUES_OFFSET, CHANNEL_VALUE_SLOTS);
    this.valueWides = new BigInt64Array(buffer, VALUES_OFFSET, CHANNEL_VALUE_SLOTS);
    this.resultFloat = new Float64Array(buffer, RESULT_OFFSET, 1);
    this.resultWide = new BigInt64Array(buffer, RESULT_OFFSET, 1);
    this.data = new Uint8Array(buffer, DATA_OFFSET, TRAP_DATA_BYTES);
    this.dataUnits = new Uint16Array(buffer, DATA_OFFSET, TRAP_DATA_BYTES / 2);
  }

  static create(): Channel {
    return new Channel(new SharedArrayBuffer(DATA_OFFSET + TRAP_DATA_BYTES));
  }

  /** Passes the baton to `to` with `message`; wakes the other side only if it sleeps. */
  pass(to: number, message: number): void {
    const header = this.header;
    header[ChannelWord.message] = message;
    Atomics.store(header, ChannelWord.turn, to);
    Atomics.add(header, ChannelWord.sequence, 1);
    const sleeping = to === Turn.user ? ChannelWord.userSleeping : ChannelWord.kernelWaiting;
    if (Atomics.load(header, sleeping) !== 0) Atomics.notify(header, ChannelWord.sequence);
  }

  holds(side: number): boolean {
    return Atomics.load(this.header, ChannelWord.turn) === side;
  }

  // --- values ------------------------------------------------------------------------------

  /** Writes values by their JavaScript type; strings as UTF-16 units, byte lists as bytes. */
  writeValues(values: readonly unknown[]): void {
    if (values.length > CHANNEL_VALUE_SLOTS) throw new ChannelOverflow(`${values.length} values (limit ${CHANNEL_VALUE_SLOTS})`);
    let cursor = 0;
    values.forEach((value, slot) => {
      if (typeof value === "number") {
        this.valueKinds[slot] = ValueKind.number;
        this.valueFloats[slot] = value;
      } else if (typeof value === "bigint") {
        this.valueKinds[slot] = ValueKind.bigint;
        this.valueWides[slot] = BigInt.asIntN(64, value);
      } else if (typeof value === "string") {
        cursor = this.reserve(cursor, value.length * 2, slot, ValueKind.string, value.length);
        const base = this.valueWords[slot * 2]! / 2;
        for (let unit = 0; unit < value.length; unit++) this.dataUnits[base + unit] = value.charCodeAt(unit);
      } else if (value instanceof Uint8Array) {
        cursor = this.reserve(cursor, value.byteLength, slot, ValueKind.bytes, value.byteLength);
        this.data.set(value, this.valueWords[slot * 2]!);
      } else {
        this.valueKinds[slot] = ValueKind.none;
      }
    });
    this.header[ChannelWord.valueCount] = values.length;
  }

  /**
   * Claims `byteLength` bytes of the data area for slot `slot` (kept 2-aligned for UTF-16),
   * records (offset, length) there and returns the next free offset.
   */
  reserve(cursor: number, byteLength: number, slot: number, kind: number, length: number): number {
    const offset = cursor + (cursor & 1);
    if (offset + byteLength > TRAP_DATA_BYTES) throw new ChannelOverflow(`values exceed the channel's data area (${TRAP_DATA_BYTES} bytes)`);
    this.valueKinds[slot] = kind;
    this.valueWords[slot * 2] = offset;
    this.valueWords[slot * 2 + 1] = length;
    return offset + byteLength;
  }

  readValues(): (number | bigint | string | Uint8Array | undefined)[] {
    const count = this.header[ChannelWord.valueCount]!;
    const values: (number | bigint | string | Uint8Array | undefined)[] = [];
    for (let slot = 0; slot < count; slot++) values.push(this.readValue(slot));
    return values;
  }

  readValue(slot: number): number | bigint | string | Uint8Array | undefined {
    switch (this.valueKinds[slot]) {
      case ValueKind.number: return this.valueFloats[slot]!;
      case ValueKind.bigint: return this.valueWides[slot]!;
      case ValueKind.string: {
        const offset = this.valueWords[slot * 2]! / 2;
        return decodeUnits(this.dataUnits.subarray(offset, offset + this.valueWords[slot * 2 + 1]!));
      }
      case ValueKind.bytes: {
        const offset = this.valueWords[slot * 2]!;
        return this.data.slice(offset, offset + this.valueWords[slot * 2 + 1]!);
      }
      default: return undefined;
    }
  }

  writeResult(value: unknown): void {
    if (typeof value === "number") {
      this.header[ChannelWord.resultKind] = ValueKind.number;
      this.resultFloat[0] = value;
    } else if (typeof value === "bigint") {
      this.header[ChannelWord.resultKind] = ValueKind.bigint;
      this.resultWide[0] = BigInt.asIntN(64, value);
    } else {
      this.header[ChannelWord.resultKind] = ValueKind.none;
    }
  }

  readResult(): number | bigint | undefined {
    switch (this.header[ChannelWord.resultKind]) {
      case ValueKind.number: return this.resultFloat[0]!;
      case ValueKind.bigint: return this.resultWide[0]!;
      default: return undefined;
    }
  }

  /** A small JSON report (faults, refusals) in the data area; cut to fit. */
  writeReport(report: object): void {
    let text = JSON.stringify(report);
    const limit = TRAP_DATA_BYTES / 2;
    if (text.length > limit) text = JSON.stringify({ ...report, message: "(report too long for the channel)" });
    for (let unit = 0; unit < text.length; unit++) this.dataUnits[unit] = text.charCodeAt(unit);
    this.header[ChannelWord.dataLength] = text.length;
  }

  readReport<T>(): T {
    return JSON.parse(decodeUnits(this.dataUnits.subarray(0, this.header[ChannelWord.dataLength]!))) as T;
  }
}
