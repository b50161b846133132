// The Singlet runtime for AssemblyScript apps: typed wrappers over the generated kernel ABI
// bindings. Apps import from here and re-export `cabi_realloc`.
import * as processCalls from "./bindings/process.generated";
import * as consoleCalls from "./bindings/console.generated";
import * as clockCalls from "./bindings/clock.generated";
import * as capabilityCalls from "./bindings/capabilities.generated";
import * as modeCalls from "./bindings/mode.generated";
import * as blockCalls from "./bindings/blocks.generated";

export { cabi_realloc } from "./abi";
export { Batch } from "./batch";
export { Batches, Timer, Scheduler, Registration, dispatch, deliver, serve, EVENT_TIMER, EVENT_YIELDED, EVENT_MESSAGE, EVENT_CLOSED, EVENT_READABLE, EVENT_WRITABLE } from "./events";
export { Channels, ConnectedCallback, Endpoint, Message, MessageCallback, Names } from "./channels";
export { Files, File, Directory, FILE_TYPE_OTHER, FILE_TYPE_FILE, FILE_TYPE_DIRECTORY, FILE_TYPE_SYMBOLIC_LINK } from "./files";
export { Output } from "./output";
export { errorMessage, describeError } from "./errors";
export { Sockets, Socket, Datagrams } from "./sockets";
export { Random } from "./random";

/** The calling process. */
export class Process {
  static id(): u32 { return processCalls.id(); }
  /** Ends the process now with `code`. */
  static exit(code: i32): void { processCalls.exit(code); }
  /** The command-line arguments, in order. */
  static args(): string[] {
    const count = processCalls.argCount();
    const args = new Array<string>(<i32>count);
    for (let index: u32 = 0; index < count; index++) args[index] = processCalls.argGet(index);
    return args;
  }
}

/** Console output through the process's console capability. */
export class Console {
  /** Writes `text` and a newline to standard output. */
  static log(text: string): void { consoleCalls.write(text + "\n"); }
  /** Writes `text` as it is to standard output; returns code units written or a negative error. */
  static write(text: string): i32 { return consoleCalls.write(text); }
  /** Writes `text` and a newline to standard error. */
  static error(text: string): void { consoleCalls.writeError(text + "\n"); }
}

/** Time through the process's clock capability. */
export class Clock {
  /** Monotonic nanoseconds since boot. */
  static now(): u64 { return clockCalls.now(); }
  /** Milliseconds since the Unix epoch. */
  static wall(): u64 { return clockCalls.wall(); }
}

/** The process's capability handles (docs/abi/capabilities.md). */
export class Capabilities {
  static initialCount(): u32 { return capabilityCalls.initialCount(); }
  static initial(index: u32): i32 { return capabilityCalls.initialGet(index); }
  static kind(handle: u32): i32 { return capabilityCalls.kind(handle); }
  static rights(handle: u32): i32 { return capabilityCalls.rights(handle); }
  static restrict(handle: u32, rights: u32): i32 { return capabilityCalls.restrict(handle, rights); }
  static drop(handle: u32): i32 { return capabilityCalls.drop(handle); }
  /** Revokes every handle derived from `handle` (restricted or delegated copies, in any process); returns how many. */
  static revoke(handle: u32): i32 { return capabilityCalls.revoke(handle); }
}

/** Exchange-heap blocks (docs/abi/exchange-heap.md): kernel-held bytes owned through one handle. */
export class Blocks {
  /** A new zero-filled block of `size` bytes: its handle, or a negative error. */
  static create(size: u32): i32 { return blockCalls.create(size); }
  static size(block: u32): i32 { return blockCalls.size(block); }
  /** Copies `data` into the block at `offset`: bytes written, or a negative error. */
  static write(block: u32, offset: u32, data: Uint8Array): i32 { return blockCalls.write(block, offset, data); }
  /** Copies `length` bytes out from `offset`; a range outside the block ends the process. */
  static read(block: u32, offset: u32, length: u32): Uint8Array { return blockCalls.read(block, offset, length); }
  /** A new block holding `text` as UTF-8 (one byte at least: a block is never empty): its handle, or a negative error. */
  static fromText(text: string): i32 {
    const bytes = Uint8Array.wrap(String.UTF8.encode(text));
    const block = blockCalls.create(<u32>max(bytes.length, 1));
    if (block < 0) return block;
    const written = blockCalls.write(<u32>block, 0, bytes);
    if (written < 0) {
      capabilityCalls.drop(<u32>block);
      return written;
    }
    return block;
  }
  /** The whole block as UTF-8 text; the block is dropped, so its quota comes back. */
  static takeText(block: u32): string {
    const bytes = blockCalls.read(block, 0, <u32>blockCalls.size(block));
    capabilityCalls.drop(block);
    return String.UTF8.decode(bytes.buffer);
  }
}

/** Where the calling code runs. */
export class Mode {
  static readonly USER: u32 = 0;
  static readonly KERNEL: u32 = 1;
  static current(): u32 { return modeCalls.current(); }
  static isKernel(): bool { return modeCalls.current() == Mode.KERNEL; }
}

/**
 * Replaces AssemblyScript's `abort` (asconfig `use`): reports the failure to the kernel, which
 * ends the process with a fault carrying the message and location.
 */
export function kernelAbort(message: string | null, file: string | null, line: u32, column: u32): void {
  processCalls.abort(message !== null ? message : "abort", file !== null ? file : "", line, column);
  unreachable();
}
