// File calls (kernel/files): paths need the `files` capability (read to look, write to change);
// calls on an open file need only its handle, whose rights say how it was opened.
import { ALL_FILE_OPEN_FLAGS, DIRECTORY_ENTRY_HEADER_BYTES, FileOpenFlag, FileType, SeekOrigin, STAT_TYPE_SHIFT } from "../../runtime/abi/index.js";
import { CapabilityKind, Rights } from "../capabilities/index.js";
import { blockOf, checkBlockRange, type Block } from "../exchange/index.js";
import { InvalidArgumentError, IsDirectoryError, NotDirectoryError, NotImplementedError, NotPermittedError, ReadOnlyError } from "../errors.js";
import { OpenFile, insertOpenFile, openFileOf, type FileNamespace, type FileStatus, type OpenFlags } from "../files/index.js";
import { LISTING_DOES_NOT_FIT } from "../../hal/hil/index.js";
import { MAX_BLOCK_COPY_BYTES } from "../params.js";
import { chargeForWork, type CallContext } from "../syscalls/context.js";


/** The namespace, after checking the caller holds `files` with `rights`. */
function filesFor(context: CallContext, rights: number, call: string): FileNamespace {
  if (!context.process.capabilities.holds(CapabilityKind.files, rights)) {
    const right = rights === Rights.write ? "write" : "read";
    throw new NotPermittedError(`${call}: process ${context.process.processId} holds no files capability with ${right} rights`);
  }
  const files = context.services.files;
  if (!files) throw new NotImplementedError("this kernel has no file namespace");
  return files;
}

function openFlagsOf(flags: number): OpenFlags {
  if ((flags & ~ALL_FILE_OPEN_FLAGS) !== 0) throw new InvalidArgumentError(`files.open: unknown flags 0x${(flags & ~ALL_FILE_OPEN_FLAGS).toString(16)}`);
  // Spelled out rather than built from FileOpenFlag's entries: a walk opens thousands of directories.
  const named: OpenFlags = {
    read: (flags & FileOpenFlag.read) !== 0, write: (flags & FileOpenFlag.write) !== 0, create: (flags & FileOpenFlag.create) !== 0,
    truncate: (flags & FileOpenFlag.truncate) !== 0, append: (flags & FileOpenFlag.append) !== 0, exclusive: (flags & FileOpenFlag.exclusive) !== 0,
    directory: (flags & FileOpenFlag.directory) !== 0,
  };
  if (!named.read && !named.write && !named.directory) throw new InvalidArgumentError("files.open: flags name neither read, write nor directory");
  if ((named.create || named.truncate || named.append) && !named.write) throw new InvalidArgumentError("files.open: create, truncate and append need write");
  if (named.exclusive && !named.create) throw new InvalidArgumentError("files.open: exclusive needs create");
  if (named.directory && named.write) throw new IsDirectoryError("files.open: a directory is not opened for writing");
  return named;
}

export function fileOpen(context: CallContext, path: string, flags: number): number {
  const named = openFlagsOf(flags);
  const files = filesFor(context, named.write ? Rights.read | Rights.write : Rights.read, "files.open");
  chargeForWork(context, path.length);
  const opened = files.open(path, named);
  const node = opened.node;
  if (node.type === FileType.directory && named.write) {
    node.close();
    throw new IsDirectoryError(`files.open: ${opened.guestPath} is a directory`);
  }
  const rights = (named.read || named.directory || node.type === FileType.directory ? Rights.read : 0) | (named.write ? Rights.write : 0);
  return insertOpenFile(context.process.capabilities, new OpenFile(node, named.append, opened), rights);
}

export function fileClose(context: CallContext, handle: number): number {
  openFileOf(context.process.capabilities, handle);
  context.process.capabilities.remove(handle);
  return 0;
}

export function fileRead(context: CallContext, handle: number, blockHandle: number, offset: number, length: number): number {
  const table = context.process.capabilities;
  const { file, rights } = openFileOf(table, handle);
  if (file.node.type === FileType.directory) throw new IsDirectoryError(`files.read: ${file.guestPath} is a directory`);
  if ((rights & Rights.read) === 0) throw new NotPermittedError(`files.read: ${file.guestPath} was not opened for reading`);
  const block = blockOf(table, blockHandle, Rights.write);
  checkBlockRange(block, offset, length, "files.read");
  const count = file.node.read(block.bytes, offset, length, file.position);
  file.position += count;
  chargeForWork(context, count);
  return count;
}

export function fileWrite(context: CallContext, handle: number, data: Uint8Array): number {
  const { file, rights } = openFileOf(context.process.capabilities, handle);
  if (file.node.type === FileType.directory) throw new IsDirectoryError(`files.write: ${file.guestPath} is a directory`);
  if ((rights & Rights.write) === 0) throw new ReadOnlyError(`files.write: ${file.guestPath} was opened read-only`);
  if (file.append) file.position = file.node.size();
  chargeForWork(context, data.byteLength);
  const count = file.node.write(data, file.position);
  file.position += count;
  return count;
}

export function fileSeek(context: CallContext, handle: number, offset: bigint, whence: number): bigint {
  const { file } = openFileOf(context.process.capabilities, handle);
  if (file.node.type === FileType.directory) throw new IsDirectoryError(`files.seek: ${file.guestPath} is a directory`);
  const base = whence === SeekOrigin.start ? 0n : whence === SeekOrigin.current ? BigInt(file.position) : whence === SeekOrigin.end ? BigInt(file.node.size()) : undefined;
  if (base === undefined) throw new InvalidArgumentError(`files.seek: whence ${whence} is not 0, 1 or 2`);
  const position = base + offset;
  if (position < 0n || position > BigInt(Number.MAX_SAFE_INTEGER)) throw new InvalidArgumentError(`files.seek: position ${position} is outside the file's range`);
  file.position = Number(position);
  return position;
}

export function fileReadDirectory(context: CallContext, handle: number, blockHandle: number): number {
  const table = context.process.capabilities;
  const { file } = openFileOf(table, handle);
  if (file.node.type !== FileType.directory) throw new NotDirectoryError(`files.read-directory: ${file.guestPath} is not a directory`);
  return fillListing(context, file, blockOf(table, blockHandle, Rights.write), "files.read-directory");
}

/** What list-directory opens with: a directory, to list it. */
const LIST_FLAGS: OpenFlags = { read: false, write: false, create: false, truncate: false, append: false, exclusive: false, directory: true };
/** Where list-directory puts the directory handle in its result, above the byte count. */
const LISTING_HANDLE_SHIFT = 32n;

/**
 * Open and read-directory in one call. A listing that fits in the block is closed again before
 * the call returns, so a walk costs one call a directory and no handle; one that does not fit
 * stays open as a handle for read-directory, exactly as if opened.
 */
export function fileListDirectory(context: CallContext, path: string, blockHandle: number): bigint {
  const files = filesFor(context, Rights.read, "files.list-directory");
  const table = context.process.capabilities;
  const block = blockOf(table, blockHandle, Rights.write);
  chargeForWork(context, path.length);
  const opened = files.open(path, LIST_FLAGS);
  const file = new OpenFile(opened.node, false, opened);
  let written: number;
  try {
    written = fillListing(context, file, block, "files.list-directory");
  } catch (error) {
    opened.node.close();
    throw error;
  }
  if (listingDone(file)) {
    opened.node.close();
    return BigInt(written);
  }
  return (BigInt(insertOpenFile(table, file, Rights.read)) << LISTING_HANDLE_SHIFT) | BigInt(written);
}

/** Whether every entry of `file`'s listing was handed out. */
function listingDone(file: OpenFile): boolean {
  return file.node.readEntries ? file.node.entriesEnded === true : file.listed === file.entries!.count;
}

/** Fills `block` with the whole entries of `file`'s listing that fit, from where it stopped: the bytes written. */
function fillListing(context: CallContext, file: OpenFile, block: Block, call: string): number {
  const room = Math.min(block.bytes.byteLength, MAX_BLOCK_COPY_BYTES);
  const bytes = block.bytes;
  // A tree that reads straight into the block (a host directory through the host's lister).
  if (file.node.readEntries) {
    const written = file.node.readEntries(room === bytes.byteLength ? bytes : bytes.subarray(0, room));
    if (written === LISTING_DOES_NOT_FIT) throw new InvalidArgumentError(`${call}: the next entry does not fit in a block of ${room}`);
    chargeForWork(context, written);
    return written;
  }
  const listing = (file.entries ??= file.node.list());
  let written = 0;
  while (file.listed < listing.count) {
    const name = listing.name(file.listed);
    const nameBytes = encodeName(name, bytes, written + DIRECTORY_ENTRY_HEADER_BYTES, room);
    const size = DIRECTORY_ENTRY_HEADER_BYTES + nameBytes;
    if (nameBytes < 0 || written + size > room) {
      if (written === 0) {
        const needed = DIRECTORY_ENTRY_HEADER_BYTES + Buffer.byteLength(name, "utf8");
        throw new InvalidArgumentError(`${call}: an entry of ${needed} bytes does not fit in a block of ${room}`);
      }
      break;
    }
    bytes[written] = listing.type(file.listed);
    bytes[written + 1] = nameBytes & 0xff;
    bytes[written + 2] = nameBytes >>> 8;
    written += size;
    file.listed++;
  }
  chargeForWork(context, written);
  return written;
}

/**
 * Writes `name` as UTF-8 into `bytes` at `at`, before `end`: the bytes it took, or -1 when it
 * does not fit. Most names are short ASCII, copied unit by unit here (a native encoder call per
 * name costs more than the copy); any other goes through Buffer's UTF-8 writer.
 */
function encodeName(name: string, bytes: Uint8Array, at: number, end: number): number {
  const length = name.length;
  if (at + length > end) return at + Buffer.byteLength(name, "utf8") > end ? -1 : encodeWide(name, bytes, at);
  for (let index = 0; index < length; index++) {
    const unit = name.charCodeAt(index);
    if (unit >= 0x80) return at + Buffer.byteLength(name, "utf8") > end ? -1 : encodeWide(name, bytes, at);
    bytes[at + index] = unit;
  }
  return length;
}

function encodeWide(name: string, bytes: Uint8Array, at: number): number {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).write(name, at, "utf8");
}

export function fileStat(context: CallContext, path: string): bigint {
  return packedStatus(context, path, filesFor(context, Rights.read, "files.stat").stat(path));
}

export function fileStatLink(context: CallContext, path: string): bigint {
  return packedStatus(context, path, filesFor(context, Rights.read, "files.stat-link").statLink(path));
}

/** What stat and stat-link answer: `(type << 48) | size`, the call charged for its path. */
function packedStatus(context: CallContext, path: string, status: FileStatus): bigint {
  chargeForWork(context, path.length);
  return (BigInt(status.type) << STAT_TYPE_SHIFT) | BigInt(status.size);
}

export function fileMkdir(context: CallContext, path: string): number {
  filesFor(context, Rights.write, "files.mkdir").mkdir(path);
  return 0;
}

export function fileUnlink(context: CallContext, path: string): number {
  filesFor(context, Rights.write, "files.unlink").unlink(path);
  return 0;
}

export function fileRemoveDirectory(context: CallContext, path: string): number {
  filesFor(context, Rights.write, "files.remove-directory").removeDirectory(path);
  return 0;
}

export function fileRename(context: CallContext, from: string, to: string): number {
  filesFor(context, Rights.write, "files.rename").rename(from, to);
  return 0;
}
