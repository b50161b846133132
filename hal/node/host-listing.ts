// The host-mount directory lister (hal/node/native/host-listing.c, Linux): loaded from
// dist/native once, at the first mount that asks; absent on hosts where it was not built, which
// list through node:fs instead. Its negated errno results become HostFileErrors by name here.
import { createRequire } from "node:module";
import { constants } from "node:os";
import { fileURLToPath } from "node:url";
import { HostFileError, LISTING_DOES_NOT_FIT, type HostDirectoryLister, type HostDirectoryReader } from "../hil/index.js";

/** What the addon answers when the next entry is longer than the bytes given, below every negated errno. */
const NATIVE_DOES_NOT_FIT = -65536;
/** What the addon answers where the host kernel has no openat2 (Linux before 5.6). */
const NATIVE_UNSUPPORTED = -65537;
/** Set in a read's byte count when the listing is done. */
const NATIVE_ENDED = 0x40000000;

/**
 * The addon's calls. An open directory is a number (0 or more) naming a slot of the addon's table,
 * with a generation, so a closed one's number never reaches the next directory in its slot;
 * negative results are negated errnos or the two codes above.
 */
interface NativeListing {
  openBeneath(root: number, relativePath: string): number;
  readEntries(reader: number, into: Uint8Array): number;
  closeReader(reader: number): void;
}

const errnoNames = new Map<number, string>(Object.entries(constants.errno).map(([name, number]) => [number, name]));

function failure(result: number, what: string): HostFileError {
  const name = errnoNames.get(-result) ?? "EIO";
  return new HostFileError(name, `${what}: ${name}`);
}

class NativeDirectoryReader implements HostDirectoryReader {
  ended = false;
  private closed = false;

  constructor(private readonly native: NativeListing, private readonly reader: number, private readonly relativePath: string) {}

  read(into: Uint8Array): number {
    if (this.closed) throw new HostFileError("EBADF", `readEntries ${this.relativePath || "."}: closed`);
    // The addon closed the directory when it reached the end: its number names nothing now.
    if (this.ended) return 0;
    const result = this.native.readEntries(this.reader, into);
    if (result === NATIVE_DOES_NOT_FIT) return LISTING_DOES_NOT_FIT;
    if (result < 0) throw failure(result, `readEntries ${this.relativePath || "."}`);
    this.ended = (result & NATIVE_ENDED) !== 0;
    return result & ~NATIVE_ENDED;
  }

  close(): void {
    if (!this.ended) this.native.closeReader(this.reader);
    this.closed = true;
  }
}

class NativeDirectoryLister implements HostDirectoryLister {
  constructor(private readonly native: NativeListing) {}

  openBeneath(root: number, relativePath: string): HostDirectoryReader {
    const opened = this.native.openBeneath(root, relativePath);
    if (opened >= 0) return new NativeDirectoryReader(this.native, opened, relativePath);
    // Reported as a path that leaves the root: the caller then takes the way that works everywhere.
    if (opened === NATIVE_UNSUPPORTED) throw new HostFileError("EXDEV", "openBeneath: the host has no openat2");
    throw failure(opened, `openBeneath ${relativePath || "."}`);
  }
}

let loaded: HostDirectoryLister | null | undefined;

/** The lister, or undefined where it was not built (another OS, no compiler at install). */
export function nativeDirectoryLister(): HostDirectoryLister | undefined {
  if (loaded === undefined) {
    try {
      const path = fileURLToPath(new URL("../../native/host-listing.node", import.meta.url));
      loaded = new NativeDirectoryLister(createRequire(import.meta.url)(path) as NativeListing);
    } catch {
      loaded = null;
    }
  }
  return loaded ?? undefined;
}
