// Host directories: synchronous access to the host's files by host path. Failures throw a
// HostFileError carrying the host's errno code name (ENOENT, ELOOP…), which the kernel maps to
// its own codes; nothing here knows about mounts or containment (kernel/files does that).

/** What a host path is, as lstat reports it. */
export type HostFileType = "file" | "directory" | "symbolicLink" | "other";

export interface HostFileStatus {
  readonly type: HostFileType;
  readonly size: number;
}

/**
 * One entry of a directory listing: its name, and what it is as the listing says (a symbolic link
 * is not followed). The shape of node:fs's Dirent, so a listing is handed on as the host made it:
 * a walk lists thousands of entries, and a copy of each would be garbage made only to be read once.
 */
export interface HostDirectoryEntry {
  readonly name: string;
  isFile(): boolean;
  isDirectory(): boolean;
  isSymbolicLink(): boolean;
}

/** How a host file is opened. */
export interface HostOpenFlags {
  readonly read: boolean;
  readonly write: boolean;
  readonly create: boolean;
  readonly truncate: boolean;
  readonly exclusive: boolean;
  /** Refuse when the last component is a symbolic link (ELOOP), so the kernel's containment check holds. */
  readonly noFollow: boolean;
}

/** A host call failed; `code` is the errno name (ENOENT) or "EIO" when the host gave none. */
export class HostFileError extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
    this.name = "HostFileError";
  }
}

/** What a reader's read answers when the next entry is longer than all the bytes it was given. */
export const LISTING_DOES_NOT_FIT = -1;

/**
 * An open host directory read straight into read-directory's bytes, a block at a time: a walk's
 * hot host call, with no object or string made for any entry, and a directory of any size costs
 * each read only what it hands out.
 */
export interface HostDirectoryReader {
  /**
   * Writes the directory's next whole entries, in the host's order and without `.` and `..`, into
   * `into` from its start as read-directory lays them out ([type u8][name length u16
   * little-endian][name UTF-8], type as the ABI's FileType, links not followed): the bytes
   * written, 0 once the listing is done, or LISTING_DOES_NOT_FIT when the next entry is longer
   * than all of `into`. An entry that does not fit stays for the next read.
   */
  read(into: Uint8Array): number;
  /** Whether the last read reached the end of the listing: the next one would answer 0. */
  readonly ended: boolean;
  /** Closes the directory now (the host may have closed it already at the end); a read after it fails with EBADF. */
  close(): void;
}

/** Host directories opened beneath an open root directory; hosts that have it offer it as HostFiles.lister. */
export interface HostDirectoryLister {
  /**
   * Opens the directory `relativePath` ("" for `root` itself) beneath `root` to read. The host
   * resolves the path without ever leaving `root`: one that would (`..` above it, an absolute
   * symbolic link, a link leading out) fails with EXDEV, as does a rename racing the resolution
   * (EAGAIN); other failures carry their own errno names.
   */
  openBeneath(root: number, relativePath: string): HostDirectoryReader;
}

export interface HostFiles {
  /** The lister, where this host has one; without it listings come from readDirectory. */
  readonly lister?: HostDirectoryLister;
  /** The entry itself, a symbolic link not followed. */
  lstat(path: string): HostFileStatus;
  /** An open file's status. */
  fstat(descriptor: number): HostFileStatus;
  /** The entries of a directory in the host's order (not sorted), without `.` and `..`. */
  readDirectory(path: string): readonly HostDirectoryEntry[];
  /** A host file descriptor; never waits (a FIFO with no other end opens at once, or fails). */
  open(path: string, flags: HostOpenFlags): number;
  /** Reads up to `length` bytes at `position` into `buffer` from `offset`; 0 at end of file. */
  read(descriptor: number, buffer: Uint8Array, offset: number, length: number, position: number): number;
  /** Writes `data` at `position`; the bytes written. */
  write(descriptor: number, data: Uint8Array, position: number): number;
  close(descriptor: number): void;
  mkdir(path: string): void;
  unlink(path: string): void;
  rmdir(path: string): void;
  rename(from: string, to: string): void;
  /** The path with every symbolic link resolved (ELOOP for a loop, ENOENT for a dangling link). */
  realpath(path: string): string;
  readlink(path: string): string;
}
