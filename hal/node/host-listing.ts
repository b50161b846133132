// The host-mount directory lister (hal/node/native/host-listing.c, Linux): loaded from
// dist/native once, at the first host files made; absent on hosts where it was not built, which
// list through node:fs instead. Its negated errno results become HostFileErrors by name here.
import { createRequire } from "node:module";
import { constants } from "node:os";
import { fileURLToPath } from "node:url";
import { HostFileError, LISTING_DOES_NOT_FIT, type HostDirectoryLister } from "../hil/index.js";

/** What the addon answers for a listing longer than the bytes given, below every negated errno. */
const NATIVE_DOES_NOT_FIT = -65536;
/** What the addon answers where the host kernel has no openat2 (Linux before 5.6). */
const NATIVE_UNSUPPORTED = -65537;

interface NativeListing {
  listBeneath(root: number, relativePath: string, into: Uint8Array): number;
}

const errnoNames = new Map<number, string>(Object.entries(constants.errno).map(([name, number]) => [number, name]));

class NativeDirectoryLister implements HostDirectoryLister {
  constructor(private readonly native: NativeListing) {}

  listBeneath(root: number, relativePath: string, into: Uint8Array): number {
    const result = this.native.listBeneath(root, relativePath, into);
    if (result >= 0) return result;
    if (result === NATIVE_DOES_NOT_FIT) return LISTING_DOES_NOT_FIT;
    // Reported as a path that leaves the root: the caller then takes the way that works everywhere.
    if (result === NATIVE_UNSUPPORTED) throw new HostFileError("EXDEV", "listBeneath: the host has no openat2");
    const name = errnoNames.get(-result) ?? "EIO";
    throw new HostFileError(name, `listBeneath ${relativePath || "."}: ${name}`);
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
