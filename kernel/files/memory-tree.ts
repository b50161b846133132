// The in-memory tree: the namespace's root and the embedded default, so a kernel needs no host
// files. Directories keep their entries in creation order (the order a listing gives); files are
// byte arrays that grow by doubling. The tree has no symbolic links. Its bytes and entries are
// bounded (MAX_MEMORY_TREE_BYTES, MAX_MEMORY_TREE_ENTRIES): it outlives every process, so no
// process's quota covers it.
import { FileType } from "../../runtime/abi/index.js";
import { AlreadyExistsError, FileTooBigError, InvalidArgumentError, IsDirectoryError, NotDirectoryError, NotEmptyError, NotFoundError, ResourceLimitError } from "../errors.js";
import { MAX_MEMORY_FILE_BYTES, MAX_MEMORY_TREE_BYTES, MAX_MEMORY_TREE_ENTRIES } from "../params.js";
import type { DirectoryListing, FileStatus, FileTree, OpenedNode, OpenFlags } from "./file-tree.js";
import { guestPathText } from "./guest-path.js";

class MemoryFile {
  readonly type = FileType.file;
  bytes = new Uint8Array(0);
  size = 0;
  /** Unlinked: no name reaches it, and its bytes leave the tree's count with its last open handle. */
  detached = false;
  /** Open handles: an unlinked file still open keeps its bytes counted, or unlinking would lift the tree's bound. */
  openHandles = 0;
}

class MemoryDirectory {
  readonly type = FileType.directory;
  readonly entries = new Map<string, MemoryNode>();
}

type MemoryNode = MemoryFile | MemoryDirectory;

/** A directory's entries as they were when it was listed: later changes to it do not show. */
class MemoryListing implements DirectoryListing {
  constructor(private readonly names: readonly string[], private readonly types: readonly number[]) {}

  get count(): number {
    return this.names.length;
  }

  name(index: number): string {
    return this.names[index]!;
  }

  type(index: number): number {
    return this.types[index]!;
  }
}

export class MemoryTree implements FileTree {
  readonly writable = true;
  private readonly root = new MemoryDirectory();
  private usedBytes = 0;
  private entryCount = 0;

  constructor(private readonly byteLimit = MAX_MEMORY_TREE_BYTES, private readonly entryLimit = MAX_MEMORY_TREE_ENTRIES) {}

  /** File bytes the tree holds (what counts against its limit). */
  get bytes(): number {
    return this.usedBytes;
  }

  get entries(): number {
    return this.entryCount;
  }

  stat(components: readonly string[]): FileStatus {
    const node = this.find(components);
    return { type: node.type, size: node instanceof MemoryFile ? node.size : 0 };
  }

  /** The in-memory tree holds no symbolic links: a path names what stat reports. */
  statLink(components: readonly string[]): FileStatus {
    return this.stat(components);
  }

  open(components: readonly string[], flags: OpenFlags): OpenedNode {
    let node: MemoryNode | undefined;
    if (components.length === 0) {
      node = this.root;
    } else {
      const parent = this.parentOf(components);
      const name = components[components.length - 1]!;
      node = parent.entries.get(name);
      if (node && flags.create && flags.exclusive) throw new AlreadyExistsError(`${guestPathText(components)} exists`);
      if (!node) {
        if (!flags.create) throw new NotFoundError(`${guestPathText(components)} does not exist`);
        node = this.add(parent, name, new MemoryFile());
      }
    }
    if (node instanceof MemoryDirectory) return this.openedDirectory(node);
    if (flags.directory) throw new NotDirectoryError(`${guestPathText(components)} is not a directory`);
    if (flags.truncate) this.resize(node, 0);
    return this.openedFile(node, components);
  }

  mkdir(components: readonly string[]): void {
    if (components.length === 0) throw new AlreadyExistsError("/ exists");
    const parent = this.parentOf(components);
    const name = components[components.length - 1]!;
    if (parent.entries.has(name)) throw new AlreadyExistsError(`${guestPathText(components)} exists`);
    this.add(parent, name, new MemoryDirectory());
  }

  unlink(components: readonly string[]): void {
    const { parent, name, node } = this.entryAt(components);
    if (node instanceof MemoryDirectory) throw new IsDirectoryError(`${guestPathText(components)} is a directory`);
    parent.entries.delete(name);
    this.entryCount--;
    node.detached = true;
    if (node.openHandles === 0) this.usedBytes -= node.size;
  }

  removeDirectory(components: readonly string[]): void {
    if (components.length === 0) throw new InvalidArgumentError("the root cannot be removed");
    const { parent, name, node } = this.entryAt(components);
    if (!(node instanceof MemoryDirectory)) throw new NotDirectoryError(`${guestPathText(components)} is not a directory`);
    if (node.entries.size > 0) throw new NotEmptyError(`${guestPathText(components)} is not empty`);
    parent.entries.delete(name);
    this.entryCount--;
  }

  rename(from: readonly string[], to: readonly string[]): void {
    if (from.length === 0 || to.length === 0) throw new InvalidArgumentError("the root cannot be renamed or replaced");
    const source = this.entryAt(from);
    const targetParent = this.parentOf(to);
    const targetName = to[to.length - 1]!;
    if (source.node instanceof MemoryDirectory && to.length > from.length && from.every((name, index) => to[index] === name)) {
      throw new InvalidArgumentError(`${guestPathText(from)} cannot move into itself`);
    }
    const replaced = targetParent.entries.get(targetName);
    if (replaced === source.node) return;
    if (replaced) {
      if (source.node instanceof MemoryDirectory && !(replaced instanceof MemoryDirectory)) throw new NotDirectoryError(`${guestPathText(to)} is not a directory`);
      if (!(source.node instanceof MemoryDirectory) && replaced instanceof MemoryDirectory) throw new IsDirectoryError(`${guestPathText(to)} is a directory`);
      if (replaced instanceof MemoryDirectory) {
        if (replaced.entries.size > 0) throw new NotEmptyError(`${guestPathText(to)} is not empty`);
        this.removeDirectory(to);
      } else {
        this.unlink(to);
      }
    }
    source.parent.entries.delete(source.name);
    targetParent.entries.set(targetName, source.node);
  }

  private add(parent: MemoryDirectory, name: string, node: MemoryNode): MemoryNode {
    if (this.entryCount >= this.entryLimit) throw new ResourceLimitError(`the in-memory tree holds ${this.entryCount} entries (limit ${this.entryLimit})`);
    parent.entries.set(name, node);
    this.entryCount++;
    return node;
  }

  private find(components: readonly string[]): MemoryNode {
    let node: MemoryNode = this.root;
    for (let index = 0; index < components.length; index++) {
      if (!(node instanceof MemoryDirectory)) throw new NotDirectoryError(`${guestPathText(components.slice(0, index))} is not a directory`);
      const next: MemoryNode | undefined = node.entries.get(components[index]!);
      if (!next) throw new NotFoundError(`${guestPathText(components.slice(0, index + 1))} does not exist`);
      node = next;
    }
    return node;
  }

  private parentOf(components: readonly string[]): MemoryDirectory {
    const parent = this.find(components.slice(0, -1));
    if (!(parent instanceof MemoryDirectory)) throw new NotDirectoryError(`${guestPathText(components.slice(0, -1))} is not a directory`);
    return parent;
  }

  private entryAt(components: readonly string[]): { parent: MemoryDirectory; name: string; node: MemoryNode } {
    const parent = this.parentOf(components);
    const name = components[components.length - 1]!;
    const node = parent.entries.get(name);
    if (!node) throw new NotFoundError(`${guestPathText(components)} does not exist`);
    return { parent, name, node };
  }

  /** Changes a file's size, charging or releasing the tree's bytes (an unlinked file still open is charged too). */
  private resize(file: MemoryFile, size: number): void {
    if (size > MAX_MEMORY_FILE_BYTES) throw new FileTooBigError(`a file of ${size} bytes (limit ${MAX_MEMORY_FILE_BYTES} in memory)`);
    const growth = size - file.size;
    if (growth > 0 && this.usedBytes + growth > this.byteLimit) {
      throw new FileTooBigError(`the in-memory tree would hold ${this.usedBytes + growth} bytes (limit ${this.byteLimit})`);
    }
    if (size > file.bytes.byteLength) {
      const grown = new Uint8Array(Math.min(MAX_MEMORY_FILE_BYTES, Math.max(size, file.bytes.byteLength * 2, 64)));
      grown.set(file.bytes.subarray(0, file.size));
      file.bytes = grown;
    } else if (size < file.size) {
      file.bytes.fill(0, size, file.size);
    }
    this.usedBytes += growth;
    file.size = size;
  }

  private openedFile(file: MemoryFile, components: readonly string[]): OpenedNode {
    file.openHandles++;
    let closed = false;
    return {
      type: FileType.file,
      size: () => file.size,
      read: (into, offset, length, position) => {
        const count = Math.max(0, Math.min(length, file.size - position));
        into.set(file.bytes.subarray(position, position + count), offset);
        return count;
      },
      write: (data, position) => {
        const end = position + data.byteLength;
        if (end > file.size) this.resize(file, end);
        file.bytes.set(data, position);
        return data.byteLength;
      },
      list: () => {
        throw new NotDirectoryError(`${guestPathText(components)} is not a directory`);
      },
      close: () => {
        if (closed) return;
        closed = true;
        file.openHandles--;
        if (file.detached && file.openHandles === 0) this.usedBytes -= file.size;
      },
    };
  }

  private openedDirectory(directory: MemoryDirectory): OpenedNode {
    return {
      type: FileType.directory,
      size: () => 0,
      read: () => {
        throw new IsDirectoryError("a directory is listed, not read");
      },
      write: () => {
        throw new IsDirectoryError("a directory is listed, not written");
      },
      list: (): DirectoryListing => {
        const names: string[] = new Array(directory.entries.size);
        const types: number[] = new Array(directory.entries.size);
        let index = 0;
        for (const [name, node] of directory.entries) {
          names[index] = name;
          types[index++] = node.type;
        }
        return new MemoryListing(names, types);
      },
      close: () => {},
    };
  }
}
