// A host directory mounted in the guest namespace. Containment: every path is turned into a host
// path by the host's realpath (all symbolic links resolved, ELOOP for a loop) and checked to be the
// mount's own root or below it; one that resolves outside is refused with notPermitted. Calls that
// act on the last component itself (mkdir, unlink, rename, creating) resolve the parent that way
// and append the name, and open with O_NOFOLLOW, so a link swapped in at the last moment is not
// followed either. `..` never reaches here (guest paths are normalized first). Where the host
// has a lister (hal/hil HostDirectoryLister: openat2 beneath the root's descriptor on Linux),
// every directory is read through it and the host kernel itself keeps the walk inside the mount.
import { HostFileError, type HostDirectoryEntry, type HostDirectoryLister, type HostDirectoryReader, type HostFiles, type HostFileStatus, type HostFileType } from "../../hal/hil/index.js";
import { ErrorCode, FileType } from "../../runtime/abi/index.js";
import { AlreadyExistsError, FileTooBigError, InvalidArgumentError, IsDirectoryError, NotDirectoryError, NotPermittedError } from "../errors.js";
import type { DirectoryListing, FileStatus, FileTree, OpenedNode, OpenFlags } from "./file-tree.js";
import { kernelErrorOf, onHost } from "./host-errors.js";
import { MAX_HOST_FILE_BYTES, MAX_KNOWN_DIRECTORIES } from "../params.js";
import type { HostDescriptorBudget } from "./host-descriptors.js";

const TYPE_OF_HOST_TYPE: Readonly<Record<HostFileType, number>> = {
  file: FileType.file, directory: FileType.directory, symbolicLink: FileType.symbolicLink, other: FileType.other,
};

/**
 * A host entry's status as the guest sees it: a file's size, a link's (the length of what it
 * points to); a directory's size is 0 here as in the in-memory tree, whatever the host's blocks say.
 */
function statusOf(status: HostFileStatus): FileStatus {
  return { type: TYPE_OF_HOST_TYPE[status.type], size: status.type === "file" || status.type === "symbolicLink" ? status.size : 0 };
}

/** The lister refused the path as leading out of the root (EXDEV), or a rename raced its resolution (EAGAIN). */
function refusedBeneath(error: unknown): boolean {
  return error instanceof HostFileError && (error.code === "EXDEV" || error.code === "EAGAIN");
}

export class HostTree implements FileTree {
  /** The mount's root as the host resolves it: every path must resolve to it or below it. */
  private readonly root: string;
  /**
   * Directories a listing of a resolved directory reported as directories (not links), by their
   * normalized guest path (the mount point's and their components, joined with "/"): their host path is the parent's plus their name, with no link to
   * resolve, so opening them needs no realpath (a walk's cost is then one host call a directory,
   * as a plain readdir walk's is). Dropped whenever the kernel changes the mount (a rename could
   * put a link where a directory was) and when it reaches MAX_KNOWN_DIRECTORIES. Kept only on a
   * host with no lister: it trusts the host between the kernel's own changes (a directory swapped
   * for a link from outside would be followed until then), which a lister's walk need not.
   */
  private readonly knownDirectories = new Map<string, string>();

  /** The host's lister and the mount root's descriptor it lists beneath, where the host has one. */
  private lister: HostDirectoryLister | undefined;
  private rootDescriptor = -1;

  /** `descriptors`: the kernel's budget every open file and directory of every mount draws on. */
  constructor(private readonly host: HostFiles, hostDirectory: string, readonly writable: boolean, private readonly guestRoot: string, private readonly descriptors: HostDescriptorBudget) {
    this.root = onHost(guestRoot, () => host.realpath(hostDirectory));
    const status = onHost(guestRoot, () => host.lstat(this.root));
    if (status.type !== "directory") throw new NotDirectoryError(`${hostDirectory} is not a directory`);
    this.lister = host.lister;
    if (this.lister) {
      this.rootDescriptor = onHost(guestRoot, () => host.open(this.root, { read: true, write: false, create: false, truncate: false, exclusive: false, noFollow: true }));
    }
  }

  /**
   * A directory to read through the host's lister, which resolves the path beneath the mount
   * root's descriptor and refuses every step out of it. A path it refuses that way (EXDEV: an
   * absolute link, a link leading out, a racing rename) is resolved by realpath and checked as
   * every path is, which follows an absolute link that stays inside and refuses one leading out,
   * and what it resolves to is opened beneath the root again, now with no link on the way.
   */
  private openReader(lister: HostDirectoryLister, components: readonly string[]): OpenedNode {
    this.descriptors.take(this.guestPath(components));
    try {
      return this.readBeneath(lister, components);
    } catch (error) {
      this.descriptors.give();
      throw error;
    }
  }

  private readBeneath(lister: HostDirectoryLister, components: readonly string[]): OpenedNode {
    try {
      return new HostDirectoryReading(lister.openBeneath(this.rootDescriptor, components.join("/")), this, components, this.descriptors);
    } catch (error) {
      if (!refusedBeneath(error)) throw kernelErrorOf(error, this.guestPath(components));
    }
    const guestPath = this.guestPath(components);
    const path = this.resolved(components, guestPath);
    const relative = path === this.root ? "" : path.slice(this.root.length + (this.root.endsWith("/") ? 0 : 1));
    try {
      return new HostDirectoryReading(lister.openBeneath(this.rootDescriptor, relative), this, components, this.descriptors);
    } catch (error) {
      // Resolved inside a moment ago and refused now: the host changed in between.
      if (refusedBeneath(error)) throw new NotPermittedError(`${guestPath}: changed while being opened`);
      throw kernelErrorOf(error, guestPath);
    }
  }

  close(): void {
    if (this.rootDescriptor < 0) return;
    const descriptor = this.rootDescriptor;
    this.rootDescriptor = -1;
    this.lister = undefined;
    this.host.close(descriptor);
  }

  stat(components: readonly string[]): FileStatus {
    const path = this.resolved(components);
    return statusOf(onHost(this.guestPath(components), () => this.host.lstat(path)));
  }

  /**
   * The entry itself: its parent resolved and checked as every path is, the last name looked at
   * with lstat, so a link there is reported (type and the length of its target) wherever it
   * points, and never followed. The mount root is its own entry.
   */
  statLink(components: readonly string[]): FileStatus {
    if (components.length === 0) return this.stat(components);
    const path = this.resolvedParent(components);
    return statusOf(onHost(this.guestPath(components), () => this.host.lstat(path)));
  }

  open(components: readonly string[], flags: OpenFlags): OpenedNode {
    // A directory to read, through the host's lister: the hot call of a walk, no path text built for it.
    if (flags.directory && !flags.create && this.lister) return this.openReader(this.lister, components);
    // The guest path is built only for a message: a walk opens thousands of directories.
    const guestPath = this.guestPath(components);
    if (flags.directory && !flags.create) {
      const path = this.resolved(components, guestPath);
      return new HostDirectory(this, path, guestPath, this.listed(path, guestPath));
    }
    const path = flags.create ? this.resolvedForCreate(components) : this.resolved(components);
    if (flags.directory) return new HostDirectory(this, path, guestPath, undefined);
    this.descriptors.take(guestPath);
    let descriptor: number;
    let status: HostFileStatus;
    try {
      descriptor = onHost(guestPath, () => this.host.open(path, {
        read: flags.read || !flags.write, write: flags.write, create: flags.create, truncate: flags.truncate, exclusive: flags.exclusive, noFollow: true,
      }));
    } catch (error) {
      this.descriptors.give();
      throw error;
    }
    try {
      status = onHost(guestPath, () => this.host.fstat(descriptor));
    } catch (error) {
      this.closeDescriptor(descriptor, guestPath);
      throw error;
    }
    if (status.type !== "file") {
      this.closeDescriptor(descriptor, guestPath);
      if (status.type === "directory") return this.lister ? this.openReader(this.lister, components) : new HostDirectory(this, path, guestPath, undefined);
      // A FIFO, a socket or a device: reading one could wait on the host, or reach what the mount does not lend.
      throw new NotPermittedError(`${guestPath} is not a file or a directory`);
    }
    return this.openedFile(descriptor, guestPath);
  }

  /** A change through the kernel may put a link where a known directory was. */
  private forgetDirectories(): void {
    this.knownDirectories.clear();
  }

  mkdir(components: readonly string[]): void {
    if (components.length === 0) throw new AlreadyExistsError(`${this.guestRoot} exists`);
    const path = this.resolvedParent(components);
    onHost(this.guestPath(components), () => this.host.mkdir(path));
  }

  unlink(components: readonly string[]): void {
    const path = this.resolvedParent(components);
    const guestPath = this.guestPath(components);
    this.forgetDirectories();
    // Linux answers EISDIR, macOS EPERM: ask first so both give isDirectory.
    if (onHost(guestPath, () => this.host.lstat(path)).type === "directory") throw new IsDirectoryError(`${guestPath} is a directory`);
    onHost(guestPath, () => this.host.unlink(path));
  }

  removeDirectory(components: readonly string[]): void {
    const path = this.resolvedParent(components);
    this.forgetDirectories();
    onHost(this.guestPath(components), () => this.host.rmdir(path));
  }

  rename(from: readonly string[], to: readonly string[]): void {
    const source = this.resolvedParent(from);
    const target = this.resolvedParent(to);
    this.forgetDirectories();
    onHost(this.guestPath(from), () => this.host.rename(source, target));
  }

  /** The host path of `components` with every link resolved, refused when it leads out of the mount. */
  private resolved(components: readonly string[], guestPath = this.guestPath(components)): string {
    const known = this.knownDirectories.get(guestPath);
    if (known !== undefined) return known;
    const path = onHost(guestPath, () => this.host.realpath(this.joined(this.root, components)));
    this.checkInside(path, guestPath);
    return path;
  }

  /** The parent resolved and checked, the last name appended as it is (the call acts on the entry itself). */
  private resolvedParent(components: readonly string[]): string {
    if (components.length === 0) throw new NotPermittedError(`${this.guestRoot} is a mount point`);
    return this.joined(this.resolved(components.slice(0, -1)), components.slice(-1));
  }

  /** An existing entry resolved as for open; a new one as its parent plus its name. */
  private resolvedForCreate(components: readonly string[]): string {
    try {
      return this.resolved(components);
    } catch (error) {
      if ((error as { errorCode?: number }).errorCode !== ErrorCode.notFound) throw error;
      const path = this.resolvedParent(components);
      // A dangling link would be followed by the create to wherever it points.
      const status = (() => { try { return this.host.lstat(path); } catch { return undefined; } })();
      if (status?.type === "symbolicLink") throw new NotPermittedError(`${this.guestPath(components)}: a link to nothing is not created through`);
      return path;
    }
  }

  private checkInside(path: string, guestPath: string): void {
    if (path !== this.root && !(path.startsWith(this.root) && path[this.root.length] === "/") && !(this.root === "/" && path.startsWith("/"))) {
      throw new NotPermittedError(`${guestPath}: resolves outside its mount`);
    }
  }

  private joined(base: string, components: readonly string[]): string {
    if (components.length === 0) return base;
    return (base.endsWith("/") ? base : base + "/") + components.join("/");
  }

  /** The guest path of `components` in this mount, for messages. */
  guestPath(components: readonly string[]): string {
    return this.joined(this.guestRoot, components);
  }

  /** Closes a descriptor an open took, and gives it back to the kernel's budget. */
  private closeDescriptor(descriptor: number, guestPath: string): void {
    this.descriptors.give();
    onHost(guestPath, () => this.host.close(descriptor));
  }

  private openedFile(descriptor: number, guestPath: string): OpenedNode {
    let closed = false;
    return {
      type: FileType.file,
      size: () => onHost(guestPath, () => this.host.fstat(descriptor)).size,
      read: (into, offset, length, position) => onHost(guestPath, () => this.host.read(descriptor, into, offset, length, position)),
      write: (data, position) => {
        if (position + data.byteLength > MAX_HOST_FILE_BYTES) {
          throw new FileTooBigError(`${guestPath}: a write to byte ${position + data.byteLength} (limit ${MAX_HOST_FILE_BYTES} on a host mount)`);
        }
        return onHost(guestPath, () => this.host.write(descriptor, data, position));
      },
      list: () => {
        throw new NotDirectoryError(`${guestPath} is not a directory`);
      },
      close: () => {
        if (closed) return;
        closed = true;
        this.closeDescriptor(descriptor, guestPath);
      },
    };
  }

  /**
   * A directory listed before, named by exactly its normalized guest path, opened and listed
   * without resolving it again (the namespace asks before it splits the path); undefined for any
   * other path, which takes the long way.
   */
  openKnownDirectory(guestPath: string): OpenedNode | undefined {
    if (this.lister) return undefined;
    const path = this.knownDirectories.get(guestPath);
    return path === undefined ? undefined : new HostDirectory(this, path, guestPath, this.listed(path, guestPath));
  }

  /**
   * The listing of the resolved directory `path` (`guestPath` in the guest); its directories
   * become known. Taken afresh at every open: nothing caches a listing.
   */
  listed(path: string, guestPath: string): DirectoryListing {
    let entries: readonly HostDirectoryEntry[];
    try {
      entries = this.host.readDirectory(path);
    } catch (error) {
      throw kernelErrorOf(error, guestPath);
    }
    const count = entries.length;
    // With a lister, walks list through it and nothing else trusts a listing: every other path is resolved afresh.
    if (this.lister) return new HostListing(entries);
    if (this.knownDirectories.size + count > MAX_KNOWN_DIRECTORIES) this.forgetDirectories();
    const prefix = guestPath.endsWith("/") ? guestPath : guestPath + "/";
    const base = path.endsWith("/") ? path : path + "/";
    for (let index = 0; index < count; index++) {
      const entry = entries[index]!;
      if (entry.isDirectory()) {
        const key = prefix + entry.name;
        if (!this.knownDirectories.has(key)) this.knownDirectories.set(key, base + entry.name);
      }
    }
    return new HostListing(entries);
  }
}

/** A host listing read where the host put it: a name and a type are looked at only when asked for. */
class HostListing implements DirectoryListing {
  readonly count: number;

  constructor(private readonly entries: readonly HostDirectoryEntry[]) {
    this.count = entries.length;
  }

  name(index: number): string {
    return this.entries[index]!.name;
  }

  type(index: number): number {
    const entry = this.entries[index]!;
    return entry.isDirectory() ? FileType.directory : entry.isFile() ? FileType.file : entry.isSymbolicLink() ? FileType.symbolicLink : FileType.other;
  }
}

/** What every open host directory answers to the calls for files. */
abstract class HostDirectoryNode {
  readonly type = FileType.directory;

  protected abstract get guestPath(): string;

  size(): number {
    return 0;
  }

  read(): number {
    throw new IsDirectoryError(`${this.guestPath} is a directory`);
  }

  write(): number {
    throw new IsDirectoryError(`${this.guestPath} is a directory`);
  }
}

/**
 * A host directory read through the host's lister, a block of entries at a time, in the host's
 * order. Its guest path is built only for a message.
 */
class HostDirectoryReading extends HostDirectoryNode implements OpenedNode {
  private closed = false;

  constructor(private readonly reader: HostDirectoryReader, private readonly tree: HostTree, private readonly components: readonly string[], private readonly descriptors: HostDescriptorBudget) {
    super();
  }

  get entriesEnded(): boolean {
    return this.reader.ended;
  }

  protected get guestPath(): string {
    return this.tree.guestPath(this.components);
  }

  readEntries(into: Uint8Array): number {
    try {
      return this.reader.read(into);
    } catch (error) {
      throw kernelErrorOf(error, this.guestPath);
    }
  }

  list(): DirectoryListing {
    throw new InvalidArgumentError(`${this.guestPath}: read through readEntries`);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.descriptors.give();
    this.reader.close();
  }
}

/**
 * An open host directory, its listing taken once, at open or at the first read-directory. A class
 * rather than a literal of closures, since a walk opens thousands.
 */
class HostDirectory extends HostDirectoryNode implements OpenedNode {
  constructor(private readonly tree: HostTree, private readonly path: string, protected readonly guestPath: string, private listing: DirectoryListing | undefined) {
    super();
  }

  list(): DirectoryListing {
    return (this.listing ??= this.tree.listed(this.path, this.guestPath));
  }

  close(): void {}
}
