// Host directories through node:fs's synchronous calls; errors become HostFileErrors by errno name.
import * as fs from "node:fs";
import { nativeDirectoryLister } from "./host-listing.js";
import { HostFileError, type HostDirectoryEntry, type HostDirectoryLister, type HostFileStatus, type HostFileType, type HostFiles, type HostOpenFlags } from "../hil/index.js";

function typeOf(entry: { isFile(): boolean; isDirectory(): boolean; isSymbolicLink(): boolean }): HostFileType {
  if (entry.isFile()) return "file";
  if (entry.isDirectory()) return "directory";
  if (entry.isSymbolicLink()) return "symbolicLink";
  return "other";
}

/** Runs a host call, turning Node's errno errors into HostFileErrors. */
function host<Result>(call: () => Result): Result {
  try {
    return call();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new HostFileError(typeof code === "string" ? code : "EIO", error instanceof Error ? error.message : String(error));
  }
}

function openFlagsOf(flags: HostOpenFlags): number {
  const { constants } = fs;
  let bits = flags.read && flags.write ? constants.O_RDWR : flags.write ? constants.O_WRONLY : constants.O_RDONLY;
  if (flags.create) bits |= constants.O_CREAT;
  if (flags.truncate) bits |= constants.O_TRUNC;
  if (flags.exclusive) bits |= constants.O_EXCL;
  if (flags.noFollow) bits |= constants.O_NOFOLLOW;
  // Every open answers at once: a FIFO's would otherwise wait for its other end, and a synchronous
  // open that waits stops the whole kernel (the kernel then refuses what is not a file or directory).
  return bits | constants.O_NONBLOCK;
}

export class NodeHostFiles implements HostFiles {
  /** Loaded at the first mount that asks, not at boot: a run with no host mount never loads the addon. */
  get lister(): HostDirectoryLister | undefined {
    return nativeDirectoryLister();
  }

  lstat(path: string): HostFileStatus {
    return host(() => {
      const status = fs.lstatSync(path);
      return { type: typeOf(status), size: status.size };
    });
  }

  fstat(descriptor: number): HostFileStatus {
    return host(() => {
      const status = fs.fstatSync(descriptor);
      return { type: typeOf(status), size: status.size };
    });
  }

  readDirectory(path: string): readonly HostDirectoryEntry[] {
    return host(() => fs.readdirSync(path, { withFileTypes: true }));
  }

  open(path: string, flags: HostOpenFlags): number {
    return host(() => fs.openSync(path, openFlagsOf(flags), 0o666));
  }

  read(descriptor: number, buffer: Uint8Array, offset: number, length: number, position: number): number {
    return host(() => fs.readSync(descriptor, buffer, offset, length, position));
  }

  write(descriptor: number, data: Uint8Array, position: number): number {
    return host(() => fs.writeSync(descriptor, data, 0, data.byteLength, position));
  }

  close(descriptor: number): void {
    host(() => fs.closeSync(descriptor));
  }

  mkdir(path: string): void {
    host(() => fs.mkdirSync(path));
  }

  unlink(path: string): void {
    host(() => fs.unlinkSync(path));
  }

  rmdir(path: string): void {
    host(() => fs.rmdirSync(path));
  }

  rename(from: string, to: string): void {
    host(() => fs.renameSync(from, to));
  }

  realpath(path: string): string {
    return host(() => fs.realpathSync.native(path));
  }

  readlink(path: string): string {
    return host(() => fs.readlinkSync(path));
  }
}
