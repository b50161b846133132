// The namespace's own rules, below the ABI: mounts neither nest nor overlap and show in listings,
// a directory holding a mount point stays, the in-memory tree's bounds hold, and the limits the
// guide's table states are the kernel's.
import { expect } from "chai";
import { mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { NodeHostFiles } from "../../hal/node/index.js";
import { FileNamespace, MemoryTree } from "../../kernel/index.js";
import * as params from "../../kernel/params.js";
import { ErrorCode } from "../../runtime/abi/index.js";
import { codeOf } from "../helpers/file-probe.js";
import { readProjectFile } from "../helpers/kernel.js";

const LIST = { read: false, write: false, create: false, truncate: false, append: false, exclusive: false, directory: true };

/** Host files that count the realpath calls: a directory opened without one was taken as known. */
/** Host files that count realpath calls; with no lister, as on a host where none was built. */
class CountingHostFiles extends NodeHostFiles {
  realpaths = 0;

  override get lister(): undefined {
    return undefined;
  }

  override realpath(path: string): string {
    this.realpaths++;
    return super.realpath(path);
  }
}

const WRITE_CREATE = { read: false, write: true, create: true, truncate: false, append: false, exclusive: false, directory: false };

describe("kernel/files namespace", () => {
  let host: string;
  before(() => {
    host = mkdtempSync(join(tmpdir(), "singlet-namespace-"));
  });
  after(() => rmSync(host, { recursive: true, force: true }));

  it("refuses mounts that nest in or overlap another", () => {
    const namespace = new FileNamespace();
    namespace.mount(new NodeHostFiles(), { hostDirectory: host, guestPath: "/mnt/data", writable: false });
    for (const guestPath of ["/mnt/data", "/mnt/data/inner", "/mnt"]) {
      expect(() => namespace.mount(new NodeHostFiles(), { hostDirectory: host, guestPath, writable: false }), guestPath).to.throw(/overlaps the mount at \/mnt\/data/);
    }
    expect(namespace.mountPoints).to.deep.equal(["/mnt/data"]);
  });

  it("makes the mount point in the in-memory tree, and a directory holding it cannot be removed or renamed", () => {
    const namespace = new FileNamespace();
    namespace.mount(new NodeHostFiles(), { hostDirectory: host, guestPath: "/mnt/data", writable: true });
    expect(namespace.stat("/mnt")).to.deep.equal({ type: 2, size: 0 });
    expect(namespace.stat("/mnt/data")).to.deep.equal({ type: 2, size: 0 });
    expect(codeOf(() => namespace.rename("/mnt", "/elsewhere"))).to.equal(ErrorCode.notPermitted);
    expect(codeOf(() => namespace.removeDirectory("/mnt"))).to.equal(ErrorCode.notPermitted);
    expect(codeOf(() => namespace.removeDirectory("/mnt/data"))).to.equal(ErrorCode.notPermitted);
  });

  it("lists the in-memory tree in the order entries were made", () => {
    const namespace = new FileNamespace();
    for (const name of ["/zeta", "/alpha", "/mid"]) namespace.mkdir(name);
    const { node } = namespace.open("/", { ...WRITE_CREATE, write: false, create: false, read: true, directory: true });
    const listing = node.list();
    expect(Array.from({ length: listing.count }, (_, index) => listing.name(index))).to.deep.equal(["zeta", "alpha", "mid"]);
  });

  it("bounds the in-memory tree's bytes (fileTooBig) and entries (noMemory), and gives bytes back when an unlinked file's last handle closes", () => {
    const tree = new MemoryTree(100, 3);
    const namespace = new FileNamespace(tree);
    const { node } = namespace.open("/a", WRITE_CREATE);
    node.write(new Uint8Array(60), 0);
    const second = namespace.open("/b", WRITE_CREATE).node;
    expect(codeOf(() => second.write(new Uint8Array(50), 0))).to.equal(ErrorCode.fileTooBig);
    expect(codeOf(() => namespace.mkdir("/c"))).to.equal(undefined);
    expect(codeOf(() => namespace.mkdir("/d"))).to.equal(ErrorCode.noMemory);
    namespace.unlink("/a");
    // Still open, so still the tree's: growing it past the bound is refused even with no name left.
    expect(tree.bytes).to.equal(60);
    expect(codeOf(() => node.write(new Uint8Array(50), 60))).to.equal(ErrorCode.fileTooBig);
    node.close();
    expect(tree.bytes).to.equal(0);
    expect(second.write(new Uint8Array(50), 0)).to.equal(50);
  });

  it("on a host with no lister, opens a listed directory by its exact path without resolving it again, and any other spelling the long way to the same place", () => {
    const root = mkdtempSync(join(host, "known-"));
    mkdirSync(join(root, "sub"));
    writeFileSync(join(root, "sub", "file"), "");
    const namespace = new FileNamespace();
    const files = new CountingHostFiles();
    namespace.mount(files, { hostDirectory: root, guestPath: "/mnt/data", writable: false });
    const names = (path: string) => {
      const listing = namespace.open(path, LIST).node.list();
      return Array.from({ length: listing.count }, (_, index) => listing.name(index));
    };
    expect(names("/mnt/data")).to.deep.equal(["sub"]);
    const resolvedBefore = files.realpaths;
    expect(names("/mnt/data/sub")).to.deep.equal(["file"]);
    expect(files.realpaths).to.equal(resolvedBefore);
    for (const spelling of ["/mnt/data/sub/", "/mnt//data/sub", "/mnt/data/sub/../sub", "mnt/data/sub"]) expect(names(spelling), spelling).to.deep.equal(["file"]);
    expect(codeOf(() => namespace.open("/mnt/data/sub/file", LIST))).to.equal(ErrorCode.notDirectory);
    // Only where a directory is is remembered, never what it holds: each open lists it afresh.
    writeFileSync(join(root, "sub", "later"), "");
    expect(names("/mnt/data/sub")).to.deep.equal(readdirSync(join(root, "sub")));
    expect(names("/mnt/data/sub")).to.include("later");
  });

  it("on a host with a lister, reads through it a block at a time with no realpath and afresh each time, and an absolute link inside by realpath", function () {
    const counting = new (class extends NodeHostFiles {
      realpaths = 0;

      override realpath(path: string): string {
        this.realpaths++;
        return super.realpath(path);
      }
    })();
    if (!counting.lister) this.skip();
    const root = mkdtempSync(join(host, "lister-"));
    mkdirSync(join(root, "sub"));
    writeFileSync(join(root, "sub", "file"), "");
    symlinkSync(join(root, "sub"), join(root, "absolute"));
    const namespace = new FileNamespace();
    namespace.mount(counting, { hostDirectory: root, guestPath: "/mnt/data", writable: false });
    /** Every name of the directory, read through the lister in blocks of `blockBytes`, and how many reads that took. */
    const names = (path: string, blockBytes = 1024) => {
      const { node } = namespace.open(path, LIST);
      expect(node.readEntries, `${path} is read through the lister`).to.be.a("function");
      const bytes = new Uint8Array(blockBytes);
      const found: string[] = [];
      let reads = 0;
      try {
        for (let written = node.readEntries!(bytes); written > 0; written = node.readEntries!(bytes)) {
          reads++;
          for (let at = 0; at < written;) {
            const length = bytes[at + 1]! | (bytes[at + 2]! << 8);
            found.push(new TextDecoder().decode(bytes.subarray(at + 3, at + 3 + length)));
            at += 3 + length;
          }
        }
      } finally {
        node.close();
      }
      return { reads, names: found.sort() };
    };
    const mounted = counting.realpaths;
    expect(names("/mnt/data").names).to.deep.equal(["absolute", "sub"]);
    expect(names("/mnt/data/sub").names).to.deep.equal(["file"]);
    writeFileSync(join(root, "sub", "later"), "");
    expect(names("/mnt/data/sub").names).to.deep.equal(["file", "later"]);
    expect(counting.realpaths).to.equal(mounted);
    // A block of 8 bytes holds one of these entries: each read hands out one, none lost or repeated.
    expect(names("/mnt/data/sub", 8)).to.deep.equal({ reads: 2, names: ["file", "later"] });
    // Every absolute link is refused beneath the root; realpath then resolves it, inside, and it is read from there.
    expect(names("/mnt/data/absolute").names).to.deep.equal(["file", "later"]);
    expect(counting.realpaths).to.equal(mounted + 1);
    expect(codeOf(() => namespace.open("/mnt/data/sub/file", LIST))).to.equal(ErrorCode.notDirectory);
    expect(codeOf(() => namespace.open("/mnt/data/missing", LIST))).to.equal(ErrorCode.notFound);
    // The in-memory tree is listed as it always was.
    expect(namespace.open("/", LIST).node.readEntries).to.equal(undefined);
    namespace.close();
  });

  it("states the kernel's file limits in the guide's table", () => {
    const page = readProjectFile("docs/files-and-sockets.md");
    const stated: [string, number, string][] = [
      ["MAX_PATH_BYTES", params.MAX_PATH_BYTES, "4096 bytes"],
      ["MAX_NAME_BYTES", params.MAX_NAME_BYTES, "255 bytes"],
      ["MAX_OPEN_FILES_PER_PROCESS", params.MAX_OPEN_FILES_PER_PROCESS, "256 files"],
      ["MAX_OPEN_HOST_FILES", params.MAX_OPEN_HOST_FILES, "2048 host descriptors"],
      ["MAX_MEMORY_FILE_BYTES", params.MAX_MEMORY_FILE_BYTES / (1024 * 1024), "16 MiB"],
      ["MAX_MEMORY_TREE_BYTES", params.MAX_MEMORY_TREE_BYTES / (1024 * 1024), "64 MiB"],
      ["MAX_MEMORY_TREE_ENTRIES", params.MAX_MEMORY_TREE_ENTRIES, "100,000"],
      ["MAX_HOST_FILE_BYTES", params.MAX_HOST_FILE_BYTES / (1024 * 1024 * 1024), "1 GiB"],
    ];
    for (const [name, value, text] of stated) {
      const row = page.split("\n").find((line) => line.startsWith(`| \`${name}\``));
      expect(row, name).to.be.a("string");
      expect(row, name).to.contain(text);
      expect(Number(text.replace(/,/g, "").split(" ")[0]), name).to.equal(value);
    }
  });
});
