// Files for AssemblyScript apps (docs/app-guide.md, docs/files-and-sockets.md): open files and
// directories are handles; reads come through one exchange-heap block the runtime keeps per
// process (the kernel fills it, one `blocks.read` copies it out). Failures return null or a
// negative result, with the error in `Files.lastError` (negated code).
import * as fileCalls from "./bindings/files.generated";
import * as blockCalls from "./bindings/blocks.generated";

/** Bytes of the runtime's block: a few hundred directory entries, or one read's worth of a file. */
const TRANSFER_BYTES: u32 = 32 * 1024;
let transferBlock: i32 = 0;
/** The longest read-directory entry: type, length, and a name of 255 bytes (the kernel's limit). */
const MAX_ENTRY_BYTES: u32 = 3 + 255;

/** The runtime's block for reads, created at the first; a negative error when it cannot be. */
function transfer(): i32 {
  if (transferBlock <= 0) transferBlock = blockCalls.create(TRANSFER_BYTES);
  return transferBlock;
}

/** What a path or a directory entry names. */
export const FILE_TYPE_OTHER: u32 = 0;
export const FILE_TYPE_FILE: u32 = 1;
export const FILE_TYPE_DIRECTORY: u32 = 2;
export const FILE_TYPE_SYMBOLIC_LINK: u32 = 3;

/** An open file: read, write and seek at its position. */
export class File {
  constructor(readonly handle: u32) {}

  /** Up to `length` bytes (at most 32 KiB) from the position; empty at the end; null on error. */
  read(length: u32 = TRANSFER_BYTES): Uint8Array | null {
    const block = transfer();
    if (block < 0) return Files.failed<Uint8Array>(block);
    const count = fileCalls.read(this.handle, <u32>block, 0, min(length, TRANSFER_BYTES));
    if (count < 0) return Files.failed<Uint8Array>(count);
    return blockCalls.read(<u32>block, 0, <u32>count);
  }

  /** The rest of the file from the position as UTF-8 text; null on error. */
  readText(): string | null {
    const parts = new Array<Uint8Array>();
    let total = 0;
    for (;;) {
      const part = this.read();
      if (part === null) return null;
      if (part.length == 0) break;
      parts.push(part);
      total += part.length;
    }
    const whole = new Uint8Array(total);
    let offset = 0;
    for (let index = 0; index < parts.length; index++) {
      whole.set(parts[index], offset);
      offset += parts[index].length;
    }
    return String.UTF8.decode(whole.buffer);
  }

  /** Writes `data` at the position: bytes written, or a negative error. */
  write(data: Uint8Array): i32 {
    const result = fileCalls.write(this.handle, data);
    if (result < 0) Files.lastError = result;
    return result;
  }

  writeText(text: string): i32 {
    return this.write(Uint8Array.wrap(String.UTF8.encode(text)));
  }

  /** Moves the position (whence 0 start, 1 current, 2 end): the new position, or a negative error. */
  seek(offset: i64, whence: u32 = 0): i64 {
    return fileCalls.seek(this.handle, offset, whence);
  }

  close(): i32 {
    return fileCalls.close(this.handle);
  }
}

/**
 * A directory being listed: `next()` moves to each entry in the directory's own order, then
 * false. It is opened and its first block of entries read in one call (files.list-directory); a
 * listing that fit there holds no handle (`handle` 0), a longer one reads on through its handle.
 */
export class Directory {
  /** The current entry's type (FILE_TYPE_*). */
  type: u32 = 0;
  /**
   * The entries read and not yet visited; null before the first block (no empty array a
   * directory: a walk makes thousands, and a shared one would give every app a start function).
   */
  private buffer: Uint8Array | null = null;
  private cursor: i32 = 0;
  private nameAt: i32 = 0;
  private nameBytes: i32 = 0;
  private finished: bool = false;

  /** `handle` 0: nothing stays open, the first block held the whole listing. */
  constructor(readonly handle: u32) {
    this.finished = handle == 0;
  }

  /** The current entry's name. */
  get name(): string {
    return String.UTF8.decodeUnsafe(this.buffer!.dataStart + <usize>this.nameAt, <usize>this.nameBytes);
  }

  /**
   * The current entry's path in the directory `path`: `path`, a slash (unless `path` ends with
   * one) and the name, built in one allocation when the name is ASCII, two otherwise (a walk makes
   * a path of every entry; decoding the name and joining would make three).
   */
  pathIn(path: string): string {
    const start = this.buffer!.dataStart + <usize>this.nameAt;
    const length = this.nameBytes;
    const slash: i32 = path.endsWith("/") ? 0 : 1;
    let ascii = true;
    for (let index = 0; index < length; index++) {
      if (load<u8>(start + <usize>index) >= 0x80) {
        ascii = false;
        break;
      }
    }
    // Any other name is decoded first, then copied in: two allocations rather than one.
    const name = ascii ? "" : this.name;
    const nameUnits = ascii ? length : name.length;
    const pathUnits = path.length;
    const joined = __new(<usize>(pathUnits + slash + nameUnits) << 1, idof<string>());
    memory.copy(joined, changetype<usize>(path), <usize>pathUnits << 1);
    if (slash) store<u16>(joined + (<usize>pathUnits << 1), 0x2f);
    const names = joined + (<usize>(pathUnits + slash) << 1);
    if (ascii) {
      for (let index = 0; index < length; index++) store<u16>(names + (<usize>index << 1), load<u8>(start + <usize>index));
    } else {
      memory.copy(names, changetype<usize>(name), <usize>nameUnits << 1);
    }
    return changetype<string>(joined);
  }

  /** Moves to the next entry; false at the end or on an error (then `Files.lastError` is set). */
  next(): bool {
    if (this.buffer === null || this.cursor >= this.buffer!.length) {
      if (this.finished || !this.fill()) return false;
    }
    const buffer = this.buffer!;
    const at = this.cursor;
    this.type = <u32>buffer[at];
    const length = <i32>buffer[at + 1] | (<i32>buffer[at + 2] << 8);
    this.nameAt = at + 3;
    this.nameBytes = length;
    this.cursor = at + 3 + length;
    return true;
  }

  close(): i32 {
    return this.handle == 0 ? 0 : fileCalls.close(this.handle);
  }

  /** Takes the `count` bytes of entries the kernel put in `block`. */
  take(block: i32, count: u32): void {
    this.buffer = blockCalls.read(<u32>block, 0, count);
    this.cursor = 0;
    // The kernel stops only at an entry that does not fit; with room for the longest entry left,
    // none was left over, and asking again would only answer 0 (a crossing saved per directory).
    if (count + MAX_ENTRY_BYTES <= TRANSFER_BYTES) this.finished = true;
  }

  private fill(): bool {
    const block = transfer();
    if (block < 0) {
      Files.lastError = block;
      return false;
    }
    const count = fileCalls.readDirectory(this.handle, <u32>block);
    if (count <= 0) {
      if (count < 0) Files.lastError = count;
      this.finished = true;
      return false;
    }
    this.take(block, <u32>count);
    return true;
  }
}

/** The file namespace through the process's `files` capability. */
export class Files {
  static readonly READ: u32 = 1;
  static readonly WRITE: u32 = 2;
  static readonly CREATE: u32 = 4;
  static readonly TRUNCATE: u32 = 8;
  static readonly APPEND: u32 = 16;
  static readonly EXCLUSIVE: u32 = 32;
  static readonly DIRECTORY: u32 = 64;

  /** The negated error code of the last call that failed. */
  static lastError: i32 = 0;

  /** Opens `path` with `flags` (Files.READ…): the file, or null. */
  static open(path: string, flags: u32 = Files.READ): File | null {
    const handle = fileCalls.open(path, flags);
    if (handle < 0) return Files.failed<File>(handle);
    return new File(<u32>handle);
  }

  /** Opens the directory `path` for listing, its first block of entries read in the same call; or null. */
  static openDirectory(path: string): Directory | null {
    const block = transfer();
    if (block < 0) return Files.failed<Directory>(block);
    const result = fileCalls.listDirectory(path, <u32>block);
    if (result < 0) return Files.failed<Directory>(<i32>result);
    const directory = new Directory(<u32>(result >>> 32));
    const count = <u32>result;
    if (count > 0) directory.take(block, count);
    return directory;
  }

  /** `(type << 48) | size`, symbolic links followed, or a negative error; see typeOf and sizeOf. */
  static stat(path: string): i64 {
    return Files.status(fileCalls.stat(path));
  }

  /** As stat, but a last symbolic link is reported (type FILE_TYPE_SYMBOLIC_LINK), not followed. */
  static statLink(path: string): i64 {
    return Files.status(fileCalls.statLink(path));
  }

  static typeOf(status: i64): u32 { return <u32>(status >>> 48); }
  static sizeOf(status: i64): u64 { return <u64>status & 0xffffffffffff; }

  static mkdir(path: string): i32 { return Files.result(fileCalls.mkdir(path)); }
  static unlink(path: string): i32 { return Files.result(fileCalls.unlink(path)); }
  static removeDirectory(path: string): i32 { return Files.result(fileCalls.removeDirectory(path)); }
  static rename(from: string, to: string): i32 { return Files.result(fileCalls.rename(from, to)); }

  /** Records a failure and answers null (for the callers that return an object). */
  static failed<Result>(code: i32): Result | null {
    Files.lastError = code;
    return null;
  }

  /** A packed status as it came, its error recorded. */
  private static status(status: i64): i64 {
    if (status < 0) Files.lastError = <i32>status;
    return status;
  }

  private static result(code: i32): i32 {
    if (code < 0) Files.lastError = code;
    return code;
  }
}
