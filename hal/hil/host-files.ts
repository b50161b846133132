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

export interface HostFiles {
  /** The entry itself, a symbolic link not followed. */
  lstat(path: string): HostFileStatus;
  /** An open file's status. */
  fstat(descriptor: number): HostFileStatus;
  /** The entries of a directory in the host's order (not sorted), without `.` and `..`. */
  readDirectory(path: string): readonly HostDirectoryEntry[];
  /** A host file descriptor. */
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
