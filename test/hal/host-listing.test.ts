// The host-mount directory lister (hal/node/native/host-listing.c): built by `npm install` on
// Linux, it lists a directory beneath an open root straight into read-directory's bytes, agrees
// with node:fs on every entry and type, and lets the host kernel refuse every step out of the root.
import { expect } from "chai";
import { closeSync, constants, mkdirSync, mkdtempSync, openSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { HostFileError, LISTING_DOES_NOT_FIT, type HostDirectoryLister } from "../../hal/hil/index.js";
import { NodeHostFiles } from "../../hal/node/index.js";
import { FileType } from "../../runtime/abi/index.js";

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

  it("lists every entry with the type node:fs gives it, names as UTF-8, no . or ..", () => {
    const bytes = new Uint8Array(4096);
    const written = lister.listBeneath(root, "", bytes);
    const expected = files.readDirectory(rootPath).map((entry): [number, string] => [
      entry.isDirectory() ? FileType.directory : entry.isFile() ? FileType.file : entry.isSymbolicLink() ? FileType.symbolicLink : FileType.other, entry.name,
    ]).sort((left, right) => (left[1] < right[1] ? -1 : left[1] > right[1] ? 1 : 0));
    expect(entriesOf(bytes, written)).to.deep.equal(expected);
    expect(expected.map(([, name]) => name)).to.include.members(["résumé", "with space", "link-in", "sub"]);
  });

  it("lists a directory below the root, and one through a link that stays beneath it", () => {
    const bytes = new Uint8Array(4096);
    expect(entriesOf(bytes, lister.listBeneath(root, "sub", bytes))).to.deep.equal([[FileType.directory, "deeper"]]);
    expect(entriesOf(bytes, lister.listBeneath(root, "link-in", bytes))).to.deep.equal([[FileType.directory, "deeper"]]);
    expect(lister.listBeneath(root, "sub/deeper", bytes)).to.equal(0);
  });

  it("lets the host refuse every step out of the root with EXDEV", () => {
    const bytes = new Uint8Array(4096);
    for (const path of ["..", "sub/../..", "link-up", "link-absolute-out", "link-absolute-in", "/", base]) {
      expect(failureOf(() => lister.listBeneath(root, path, bytes)), path).to.equal("EXDEV");
    }
  });

  it("names each other failure by its errno", () => {
    const bytes = new Uint8Array(4096);
    expect(failureOf(() => lister.listBeneath(root, "missing", bytes))).to.equal("ENOENT");
    expect(failureOf(() => lister.listBeneath(root, "a.txt", bytes))).to.equal("ENOTDIR");
    expect(failureOf(() => lister.listBeneath(root, "loop", bytes))).to.equal("ELOOP");
    expect(failureOf(() => lister.listBeneath(root, "x/".repeat(3000), bytes))).to.equal("ENAMETOOLONG");
    expect(failureOf(() => lister.listBeneath(-1, "", bytes))).to.equal("EBADF");
  });

  it("answers LISTING_DOES_NOT_FIT for a listing longer than the bytes given, writing nowhere past them", () => {
    const bytes = new Uint8Array(24).fill(0xee);
    const view = bytes.subarray(0, 16);
    expect(lister.listBeneath(root, "", view)).to.equal(LISTING_DOES_NOT_FIT);
    expect([...bytes.subarray(16)]).to.deep.equal(new Array(8).fill(0xee));
    expect(lister.listBeneath(root, "sub/deeper", new Uint8Array(0))).to.equal(0);
  });

  it("refuses arguments of the wrong kind with a TypeError, not a crash", () => {
    const native = lister as unknown as { listBeneath(...values: unknown[]): number };
    expect(() => native.listBeneath(root, "", new Uint16Array(4))).to.throw(TypeError);
    expect(() => native.listBeneath(root, 7, new Uint8Array(4))).to.throw(TypeError);
    expect(() => native.listBeneath("root", "", new Uint8Array(4))).to.throw(TypeError);
    expect(() => native.listBeneath(root, "")).to.throw(TypeError);
    expect(failureOf(() => native.listBeneath(root, "a\0b", new Uint8Array(4)))).to.equal("EINVAL");
  });
});
