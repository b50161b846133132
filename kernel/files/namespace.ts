// The guest file namespace: the in-memory tree at the root and host directories mounted on it.
// A path is normalized (guest-path.ts), then the longest mount that is a prefix of it takes the
// rest; a host mount checks that what the rest resolves to stays inside it (host-tree.ts).
import type { HostFiles } from "../../hal/hil/index.js";
import { CrossDeviceError, InvalidArgumentError, NotPermittedError, ReadOnlyError } from "../errors.js";
import type { FileStatus, FileTree, OpenedNode, OpenFlags } from "./file-tree.js";
import { guestComponents, guestPathText } from "./guest-path.js";
import { HostTree } from "./host-tree.js";
import { MemoryTree } from "./memory-tree.js";
import type { MountSpec } from "./mount-spec.js";
import { HostDescriptorBudget } from "./host-descriptors.js";
import { MAX_OPEN_HOST_FILES } from "../params.js";

interface Mount {
  readonly components: readonly string[];
  readonly tree: FileTree;
}

/**
 * A path's place: the tree that holds it and the components below that tree's root. A class, not
 * an object literal with a getter: a walk locates thousands of paths, and a literal's accessor is
 * made anew each time.
 */
class Located {
  constructor(readonly mount: Mount, readonly rest: readonly string[], private readonly components: readonly string[]) {}

  /** The normalized path, for messages: built only when asked for. */
  get guestPath(): string {
    return guestPathText(this.components);
  }
}

/** What open found, and the path it was opened by (for messages, built only when asked for). */
class Opened {
  constructor(readonly node: OpenedNode, private readonly named: Located | string) {}

  get guestPath(): string {
    return typeof this.named === "string" ? this.named : this.named.guestPath;
  }
}

export class FileNamespace {
  readonly memory: MemoryTree;
  private readonly mounts: Mount[] = [];
  private readonly rootMount: Mount;

  /** The host descriptors every mount's open files and directories draw on together. */
  readonly hostDescriptors: HostDescriptorBudget;

  constructor(memory = new MemoryTree(), maxOpenHostFiles = MAX_OPEN_HOST_FILES) {
    this.memory = memory;
    this.hostDescriptors = new HostDescriptorBudget(maxOpenHostFiles);
    this.rootMount = { components: [], tree: memory };
  }

  /** Mounts a host directory; its mount point is made in the in-memory tree so listings show it. Mounts may not nest. */
  mount(host: HostFiles, spec: MountSpec): void {
    const components = guestComponents(spec.guestPath, "mount");
    for (const mount of this.mounts) {
      const shorter = Math.min(mount.components.length, components.length);
      if (mount.components.slice(0, shorter).every((name, index) => components[index] === name)) {
        throw new InvalidArgumentError(`mount ${spec.guestPath} overlaps the mount at ${guestPathText(mount.components)}`);
      }
    }
    const tree = new HostTree(host, spec.hostDirectory, spec.writable, guestPathText(components), this.hostDescriptors);
    for (let depth = 1; depth <= components.length; depth++) {
      const prefix = components.slice(0, depth);
      if (this.memory.stat(prefix.slice(0, -1)) && !this.exists(prefix)) this.memory.mkdir(prefix);
    }
    this.mounts.push({ components, tree });
  }

  /** Guest paths of the host mounts, in mount order. */
  get mountPoints(): string[] {
    return this.mounts.map((mount) => guestPathText(mount.components));
  }

  stat(path: string): FileStatus {
    const { mount, rest } = this.locate(path, "files.stat");
    return mount.tree.stat(rest);
  }

  statLink(path: string): FileStatus {
    const { mount, rest } = this.locate(path, "files.stat-link");
    return mount.tree.statLink(rest);
  }

  open(path: string, flags: OpenFlags): { node: OpenedNode; guestPath: string } {
    // A directory to list that a mount knows by exactly this path: a walk's every step after the first.
    if (flags.directory && !flags.write && !flags.create) {
      for (const mount of this.mounts) {
        const known = mount.tree.openKnownDirectory?.(path);
        if (known) return new Opened(known, path);
      }
    }
    const located = this.locate(path, "files.open");
    if (flags.write || flags.create || flags.truncate || flags.append) this.requireWritable(located.mount, located.guestPath);
    return new Opened(located.mount.tree.open(located.rest, flags), located);
  }

  /** Releases what the mounts hold on the host (the kernel's shutdown); the namespace is not used after. */
  close(): void {
    for (const mount of this.mounts) mount.tree.close?.();
  }

  mkdir(path: string): void {
    const { mount, rest, guestPath } = this.locate(path, "files.mkdir");
    this.requireWritable(mount, guestPath);
    mount.tree.mkdir(rest);
  }

  unlink(path: string): void {
    const { mount, rest, guestPath } = this.changing(path, "files.unlink");
    this.requireWritable(mount, guestPath);
    mount.tree.unlink(rest);
  }

  removeDirectory(path: string): void {
    const { mount, rest, guestPath } = this.changing(path, "files.remove-directory");
    this.requireWritable(mount, guestPath);
    mount.tree.removeDirectory(rest);
  }

  rename(from: string, to: string): void {
    const source = this.changing(from, "files.rename");
    const target = this.changing(to, "files.rename");
    if (source.mount !== target.mount) throw new CrossDeviceError(`${source.guestPath} and ${target.guestPath} are on different mounts`);
    this.requireWritable(source.mount, source.guestPath);
    source.mount.tree.rename(source.rest, target.rest);
  }

  private locate(path: string, call: string): Located {
    const components = guestComponents(path, call);
    let found = this.rootMount;
    for (const mount of this.mounts) {
      if (mount.components.length <= components.length && mount.components.every((name, index) => components[index] === name)) found = mount;
    }
    return new Located(found, found.components.length === 0 ? components : components.slice(found.components.length), components);
  }

  /** A path a call removes or replaces: never a mount point, nor a directory holding one. */
  private changing(path: string, call: string): Located {
    const located = this.locate(path, call);
    const components = guestComponents(path, call);
    for (const mount of this.mounts) {
      if (components.length <= mount.components.length && components.every((name, index) => mount.components[index] === name)) {
        throw new NotPermittedError(`${call}: ${located.guestPath} is or holds a mount point`);
      }
    }
    return located;
  }

  private requireWritable(mount: Mount, guestPath: string): void {
    if (!mount.tree.writable) throw new ReadOnlyError(`${guestPath} is on a read-only mount`);
  }

  private exists(components: readonly string[]): boolean {
    try {
      this.memory.stat(components);
      return true;
    } catch {
      return false;
    }
  }
}
