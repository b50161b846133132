// An open file or directory: a capability of kind `file` in the opener's table, holding the
// position (or the listing and how far read-directory got). It closes with its last grant:
// dropped, or cleared with its process. Open files count against the opener's
// MAX_OPEN_FILES_PER_PROCESS until then.
import { CapabilityKind, Rights, type CapabilityObject, type CapabilityTable } from "../capabilities/index.js";
import { ResourceLimitError } from "../errors.js";
import { MAX_OPEN_FILES_PER_PROCESS } from "../params.js";
import type { DirectoryListing, OpenedNode } from "./file-tree.js";

export class OpenFile {
  position = 0;
  /** A directory's entries, taken at the first read-directory; `listed` of them were handed out. */
  entries: DirectoryListing | undefined;
  listed = 0;

  /** `named` says the path it was opened by, for messages (built only when one is needed). */
  constructor(readonly node: OpenedNode, readonly append: boolean, private readonly named: { readonly guestPath: string }) {}

  get guestPath(): string {
    return this.named.guestPath;
  }
}

/** Open files per table, so the limit holds per process and a close gives the slot back to its opener. */
const openCounts = new WeakMap<CapabilityTable, number>();

export function openFileCount(table: CapabilityTable): number {
  return openCounts.get(table) ?? 0;
}

/** Puts `file` in `table` as a handle with `rights` (read, write as opened; grant always). */
export function insertOpenFile(table: CapabilityTable, file: OpenFile, rights: number): number {
  const open = openFileCount(table);
  if (open >= MAX_OPEN_FILES_PER_PROCESS) {
    file.node.close();
    throw new ResourceLimitError(`${open} files open (limit ${MAX_OPEN_FILES_PER_PROCESS} per process)`);
  }
  openCounts.set(table, open + 1);
  const object: CapabilityObject = {
    kind: CapabilityKind.file, target: file, revoked: false,
    close: () => {
      openCounts.set(table, openFileCount(table) - 1);
      file.node.close();
    },
  };
  // A full table releases the new grant again, and with it the count and the host descriptor.
  return table.insert({ object, rights: rights | Rights.grant });
}

export function openFileOf(table: CapabilityTable, handle: number): { file: OpenFile; rights: number } {
  const capability = table.lookup(handle, CapabilityKind.file);
  return { file: capability.object.target as OpenFile, rights: capability.rights };
}
