// The host-mount directory lister (hal/node/native/host-listing.c): built by `npm install` on
// Linux, it lists a directory beneath an open root straight into read-directory's bytes, agrees
// with node:fs on every entry and type, and lets the host kernel refuse every step out of the root.
import { expect } from "chai";
import { closeSync, constants, mkdirSync, mkdtempSync, openSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { HostFileError, LISTING_DOES_NOT_FIT, type HostDirectoryLister } from "../../hal/hil/index.js";
import { NodeHostFiles } from "../../hal/node/index.js";
import { FileType } from "../../runtime/abi/index.js";

/** The addon as npm install builds it: its raw calls are checked for their argument types below. */
const NATIVE_PATH = fileURLToPath(new URL("../../native/host-listing.node", import.meta.url));

/** The entries of a read-directory block as [type, name] pairs, sorted by name. */
function entriesOf(bytes: Uint8Array, count: number): [number, string][] {
  const entries: [number, string][] = [];
  for (let at = 0; at < count;) {
    const length = bytes[at + 1]! | (bytes[at + 2]! << 8);
    entries.push([bytes[at]!, new TextDecoder().decode(bytes.subarray(at + 3, at + 3 + length))]);
    at += 3 + length;
  }
  return entries.sort((left, right) => (left[1] < right[1] ? -1 : left[1] > right[1] ? 1 : 0));
}

function failureOf(call: () => unknown): string {
  try {
    call();
  } catch (error) {
    if (error instanceof HostFileError) return error.code;
    throw error;
  }
  return "no failure";
}

describe("hal/node: the host-mount directory lister", () => {
  const files = new NodeHostFiles();
  let base: string;
  let rootPath: string;
  let root: number;
  let lister: HostDirectoryLister;

  before(function () {
    // Built for Linux only; elsewhere host mounts list through node:fs and there is nothing to check.
    if (process.platform !== "linux") this.skip();
    base = mkdtempSync(join(tmpdir(), "singlet-lister-"));
    rootPath = join(base, "root");
    mkdirSync(rootPath);
    writeFileSync(join(base, "outside.txt"), "outside");
    mkdirSync(join(rootPath, "sub"));
    mkdirSync(join(rootPath, "sub", "deeper"));
    writeFileSync(join(rootPath, "a.txt"), "a");
    writeFileSync(join(rootPath, "résumé"), "r");
    writeFileSync(join(rootPath, "with space"), "s");
    symlinkSync("sub", join(rootPath, "link-in"));
    symlinkSync("..", join(rootPath, "link-up"));
    symlinkSync(base, join(rootPath, "link-absolute-out"));
    symlinkSync(join(rootPath, "sub"), join(rootPath, "link-absolute-in"));
    symlinkSync("loop", join(rootPath, "loop"));
    root = openSync(rootPath, constants.O_RDONLY);
    lister = files.lister!;
  });

  after(() => {
    if (root !== undefined) closeSync(root);
    if (base) rmSync(base, { recursive: true, force: true });
  });

  it("is built on Linux: npm install compiled it and the HAL found it", () => {
    expect(files.lister, "dist/native/host-listing.node (npm run build:native)").to.not.equal(undefined);
  });

  /** Every entry of `path` beneath the root, read in blocks of `blockBytes`, sorted by name; and how many reads gave entries. */
  function readAll(path: string, blockBytes = 4096): { entries: [number, string][]; reads: number } {
    const reader = lister.openBeneath(root, path);
    const bytes = new Uint8Array(blockBytes);
    const entries: [number, string][] = [];
    let reads = 0;
    try {
      for (let written = reader.read(bytes); written !== 0; written = reader.read(bytes)) {
        expect(written, `an entry of ${path} fits in ${blockBytes} bytes`).to.not.equal(LISTING_DOES_NOT_FIT);
        reads++;
        entries.push(...entriesOf(bytes, written));
      }
      expect(reader.ended).to.equal(true);
    } finally {
      reader.close();
    }
    return { entries: entries.sort((left, right) => (left[1] < right[1] ? -1 : left[1] > right[1] ? 1 : 0)), reads };
  }

  it("lists every entry with the type node:fs gives it, names as UTF-8, no . or ..", () => {
    const expected = files.readDirectory(rootPath).map((entry): [number, string] => [
      entry.isDirectory() ? FileType.directory : entry.isFile() ? FileType.file : entry.isSymbolicLink() ? FileType.symbolicLink : FileType.other, entry.name,
    ]).sort((left, right) => (left[1] < right[1] ? -1 : left[1] > right[1] ? 1 : 0));
    expect(readAll("").entries).to.deep.equal(expected);
    expect(expected.map(([, name]) => name)).to.include.members(["résumé", "with space", "link-in", "sub"]);
  });

  it("hands a listing out a block at a time, an entry that does not fit kept for the next read: none lost or repeated", () => {
    const whole = readAll("");
    // 16 bytes hold one of the root's entries at a time (the longest, link-absolute-out, takes 20: see below).
    const longest = Math.max(...whole.entries.map(([, name]) => 3 + new TextEncoder().encode(name).byteLength));
    const piecewise = readAll("", longest);
    expect(piecewise.entries).to.deep.equal(whole.entries);
    expect(piecewise.reads).to.be.greaterThan(whole.reads);
    const reader = lister.openBeneath(root, "");
    try {
      expect(reader.read(new Uint8Array(longest - 1 < 4 ? 1 : 4))).to.equal(LISTING_DOES_NOT_FIT);
      expect(reader.ended).to.equal(false);
    } finally {
      reader.close();
    }
  });

  it("reads a directory of 3000 entries through 64-byte blocks, each read handing out only what fits", () => {
    const large = join(rootPath, "sub", "deeper");
    const names = Array.from({ length: 3000 }, (_, index) => `entry-${index}`);
    for (const name of names) writeFileSync(join(large, name), "");
    try {
      const { entries, reads } = readAll("sub/deeper", 64);
      expect(entries.map(([, name]) => name)).to.deep.equal([...names].sort());
      // Each read hands out at most 64 bytes of entries: the reads are at least the listing's bytes over 64.
      const listingBytes = names.reduce((sum, name) => sum + 3 + name.length, 0);
      expect(reads).to.be.at.least(Math.ceil(listingBytes / 64));
    } finally {
      for (const name of names) rmSync(join(large, name));
    }
  });

  it("lists a directory below the root, and one through a link that stays beneath it", () => {
    expect(readAll("sub").entries).to.deep.equal([[FileType.directory, "deeper"]]);
    expect(readAll("link-in").entries).to.deep.equal([[FileType.directory, "deeper"]]);
    expect(readAll("sub/deeper")).to.deep.equal({ entries: [], reads: 0 });
  });

  it("lets the host refuse every step out of the root with EXDEV", () => {
    for (const path of ["..", "sub/../..", "link-up", "link-absolute-out", "link-absolute-in", "/", base]) {
      expect(failureOf(() => lister.openBeneath(root, path)), path).to.equal("EXDEV");
    }
  });

  it("names each other failure by its errno, and a read after close fails with EBADF", () => {
    expect(failureOf(() => lister.openBeneath(root, "missing"))).to.equal("ENOENT");
    expect(failureOf(() => lister.openBeneath(root, "a.txt"))).to.equal("ENOTDIR");
    expect(failureOf(() => lister.openBeneath(root, "loop"))).to.equal("ELOOP");
    expect(failureOf(() => lister.openBeneath(root, "x/".repeat(3000)))).to.equal("ENAMETOOLONG");
    expect(failureOf(() => lister.openBeneath(-1, ""))).to.equal("EBADF");
    const reader = lister.openBeneath(root, "sub");
    reader.close();
    expect(failureOf(() => reader.read(new Uint8Array(64)))).to.equal("EBADF");
    reader.close();
  });

  it("writes nowhere past the bytes it was given", () => {
    const bytes = new Uint8Array(24).fill(0xee);
    const reader = lister.openBeneath(root, "");
    try {
      for (let written = reader.read(bytes.subarray(0, 16)); written > 0; written = reader.read(bytes.subarray(0, 16))) {
        expect([...bytes.subarray(16)]).to.deep.equal(new Array(8).fill(0xee));
      }
    } finally {
      reader.close();
    }
  });

  it("never lets a closed reader's number reach the reader that takes its slot", () => {
    const native = createRequire(import.meta.url)(NATIVE_PATH) as { openBeneath(root: number, path: string): number; readEntries(reader: number, into: Uint8Array): number; closeReader(reader: number): void };
    const first = native.openBeneath(root, "sub");
    native.closeReader(first);
    const second = native.openBeneath(root, "");
    try {
      expect(second & 0xffff, "the freed slot is taken again").to.equal(first & 0xffff);
      expect(second).to.not.equal(first);
      expect(native.readEntries(first, new Uint8Array(4096))).to.equal(-9);
      expect(native.readEntries(second, new Uint8Array(4096))).to.be.greaterThan(0);
    } finally {
      native.closeReader(second);
    }
  });

  it("refuses arguments of the wrong kind with a TypeError, not a crash", () => {
    const native = createRequire(import.meta.url)(NATIVE_PATH) as Record<string, (...values: unknown[]) => unknown>;
    const reader = native.openBeneath!(root, "");
    try {
      expect(() => native.openBeneath!(root, 7)).to.throw(TypeError);
      expect(() => native.openBeneath!("root", "")).to.throw(TypeError);
      expect(() => native.openBeneath!(root)).to.throw(TypeError);
      expect(native.openBeneath!(root, "a\0b")).to.equal(-22);
      expect(() => native.readEntries!(reader, new Uint16Array(4))).to.throw(TypeError);
      expect(native.readEntries!({}, new Uint8Array(4)), "a reader that is not a number names none").to.equal(-9);
      expect(() => native.readEntries!(reader)).to.throw(TypeError);
      expect(() => native.closeReader!("7")).to.throw(TypeError);
      // Numbers that name no open reader: a forged one, one of another generation, a negative one.
      const EBADF = -9;
      expect(native.readEntries!((reader as number) + 1, new Uint8Array(64))).to.equal(EBADF);
      expect(native.readEntries!((reader as number) + (1 << 16), new Uint8Array(64))).to.equal(EBADF);
      expect(native.readEntries!(-5, new Uint8Array(64))).to.equal(EBADF);
      expect(native.closeReader!(-5)).to.equal(undefined);
    } finally {
      native.closeReader!(reader);
    }
  });
});
