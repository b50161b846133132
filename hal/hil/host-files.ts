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

/** What listBeneath answers for a listing longer than the bytes it was given: the caller lists another way. */
export const LISTING_DOES_NOT_FIT = -1;

/**
 * A directory listed straight into bytes, beneath an open directory every path is resolved from:
 * the hot host call of a walk, with no object or string made for any entry. Hosts that have one
 * offer it as HostFiles.lister.
 */
export interface HostDirectoryLister {
  /**
   * Writes every entry of the directory `relativePath` ("" for `root` itself), in the host's
   * order and without `.` and `..`, into `into` as read-directory entries ([type u8][name length
   * u16 little-endian][name UTF-8], type as the ABI's FileType, links not followed): the bytes
   * written, or LISTING_DOES_NOT_FIT. The host resolves the path without ever leaving `root`:
   * one that would (`..` above it, an absolute symbolic link, a link leading out) fails with EXDEV,
   * as does a rename racing the resolution (EAGAIN); other failures carry their own errno names.
   */
  listBeneath(root: number, relativePath: string, into: Uint8Array): number;
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
