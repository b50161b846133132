// A file tree: what a mount is backed by (the in-memory tree, a host directory). Paths arrive as
// components below the tree's root, normalized; the namespace has checked rights and that the
// tree is writable before any call that changes it.
import type { FileOpenFlag } from "../../runtime/abi/index.js";

export interface FileStatus {
  /** FileType: 1 file, 2 directory, 3 symbolic link, 0 other. */
  readonly type: number;
  readonly size: number;
}

/**
 * A directory's entries in the tree's order, read by index: a walk lists thousands of entries, so
 * none gets an object of its own (a host listing is read where the host put it).
 */
export interface DirectoryListing {
  readonly count: number;
  name(index: number): string;
  /** FileType: 1 file, 2 directory, 3 symbolic link, 0 other. */
  type(index: number): number;
}

/** What `open` found: a file to read and write at positions, or a directory to list. */
export interface OpenedNode {
  readonly type: number;
  size(): number;
  /** Copies up to `length` bytes at `position` into `into` from `offset`; 0 at the end. */
  read(into: Uint8Array, offset: number, length: number, position: number): number;
  /** Writes `data` at `position`, growing the file; returns the bytes written. */
  write(data: Uint8Array, position: number): number;
  /** A directory's entries in the tree's order (a host directory's, not sorted). */
  list(): DirectoryListing;
  /**
   * Where the tree reads a directory straight into read-directory's bytes (a host directory
   * through the host's lister): its next whole entries written into `into` from its start,
   * continuing where the last call stopped; 0 once done; LISTING_DOES_NOT_FIT when the next entry
   * is longer than all of `into`. A node that has it is never asked to `list`.
   */
  readEntries?(into: Uint8Array): number;
  /** After readEntries: whether the listing is done (the next call would answer 0). */
  readonly entriesEnded?: boolean;
  close(): void;
}

export type OpenFlags = { readonly [Name in keyof typeof FileOpenFlag]: boolean };

export interface FileTree {
  readonly writable: boolean;
  /** What the path names, symbolic links followed. */
  stat(components: readonly string[]): FileStatus;
  /** What the path names itself: a last symbolic link is reported, not followed (those before it are). */
  statLink(components: readonly string[]): FileStatus;
  open(components: readonly string[], flags: OpenFlags): OpenedNode;
  /**
   * A directory the tree already knows by exactly `guestPath` (normalized, as a listing named it),
   * opened to list without splitting or resolving the path again; undefined for any other path.
   * A tree that keeps no such knowledge leaves it out.
   */
  openKnownDirectory?(guestPath: string): OpenedNode | undefined;
  /** Releases what the tree holds on the host, at the kernel's shutdown. */
  close?(): void;
  mkdir(components: readonly string[]): void;
  /** Removes a file (isDirectory for a directory). */
  unlink(components: readonly string[]): void;
  /** Removes an empty directory. */
  removeDirectory(components: readonly string[]): void;
  rename(from: readonly string[], to: readonly string[]): void;
}
