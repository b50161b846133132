// Host mounts holding what is not a file, and changed by the host under the kernel: a FIFO, a
// socket file, a link to a device outside, a file that grows or is truncated while read, a
// directory removed while open, a mount whose root is removed. Each gets a code (never a wait:
// a FIFO's open once stopped the whole kernel), and a bystander keeps ticking.
import { expect } from "chai";
import { execFileSync } from "node:child_process";
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, truncateSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createSimHal } from "../../hal/sim/index.js";
import { bootKernel, type Kernel } from "../../kernel/index.js";
import type { FileNamespace, OpenFlags } from "../../kernel/files/index.js";
import { ErrorCode } from "../../runtime/abi/index.js";
import { startBystander, type Bystander } from "../helpers/bystander.js";
import { codeOf, exitCodeOf, listedEntries, runProbe } from "../helpers/file-probe.js";
import { descriptorsUnder } from "../helpers/host-descriptors.js";

const READ = 1, WRITE = 2, CREATE = 4;
const READING: OpenFlags = { read: true, write: false, create: false, truncate: false, append: false, exclusive: false, directory: false };
const LISTING: OpenFlags = { ...READING, read: false, directory: true };

describe("hostile/files: host mounts with odd entries and a host that changes them", function () {
  this.timeout(60_000);
  let root: string;
  let mounted: string;
  let kernel: Kernel;
  let files: FileNamespace;
  let bystander: Bystander;
  let socketServer: Server;

  before(async () => {
    root = mkdtempSync(join(tmpdir(), "singlet-host-changes-"));
    mounted = join(root, "mounted");
    mkdirSync(mounted);
    execFileSync("mkfifo", [join(mounted, "pipe")]);
    symlinkSync("/dev/null", join(mounted, "null"));
    socketServer = createServer();
    await new Promise<void>((resolve) => socketServer.listen(join(mounted, "socket"), resolve));
    kernel = bootKernel({ hal: createSimHal(), mounts: [{ hostDirectory: mounted, guestPath: "/m", writable: true }] });
    files = kernel.services.files!;
    bystander = await startBystander(kernel);
  });
  after(async () => {
    await bystander.stop();
    await kernel.shutdown();
    await new Promise((resolve) => socketServer.close(resolve));
    rmSync(root, { recursive: true, force: true });
  });
  afterEach(() => bystander.expectTicking());

  const REFUSALS = [
    { what: "a FIFO with no writer, opened to read", body: `(call $open {/m/pipe} (i32.const ${READ}))`, code: ErrorCode.notPermitted },
    { what: "a FIFO with no reader, opened to write", body: `(call $open {/m/pipe} (i32.const ${WRITE}))`, code: ErrorCode.notPermitted },
    { what: "a socket file", body: `(call $open {/m/socket} (i32.const ${READ}))`, code: ErrorCode.notPermitted },
    { what: "a link to /dev/null", body: `(call $open {/m/null} (i32.const ${READ}))`, code: ErrorCode.notPermitted },
    { what: "a link to /dev/null, opened to write", body: `(call $open {/m/null} (i32.const ${WRITE}))`, code: ErrorCode.notPermitted },
    { what: "a link to /dev/null, asked about", body: `(i32.wrap_i64 (call $stat {/m/null}))`, code: ErrorCode.notPermitted },
    { what: "a file created through a FIFO's name", body: `(call $open {/m/pipe} (i32.const ${WRITE | CREATE}))`, code: ErrorCode.notPermitted },
  ];
  for (const domain of ["kernel", "user"] as const) {
    for (const refusal of REFUSALS) {
      it(`refuses ${refusal.what} with ${refusal.code}, without waiting (${domain} domain)`, async () => {
        const held = descriptorsUnder(mounted);
        const run = await runProbe(kernel, refusal.body, domain);
        expect(exitCodeOf(run)).to.equal(-refusal.code);
        expect(run.process.capabilities.size).to.equal(0);
        expect(descriptorsUnder(mounted), "the refused open's host descriptor closed").to.equal(held);
      });
    }
  }

  it("lists the FIFO and the socket as `other` entries without opening them", () => {
    const types = new Map(listedEntries(files.open("/m", LISTING).node).map((entry) => [entry.name, entry.type]));
    expect(types.get("pipe")).to.equal(0);
    expect(types.get("socket")).to.equal(0);
    expect(types.get("null")).to.equal(3);
  });

  it("reads a host file that grows and is truncated under an open handle: what is there at each read, then 0", () => {
    const path = join(mounted, "changing.txt");
    writeFileSync(path, "abcd");
    const { node } = files.open("/m/changing.txt", READING);
    const buffer = new Uint8Array(16);
    expect(node.read(buffer, 0, 16, 0)).to.equal(4);
    appendFileSync(path, "efgh");
    expect(node.size()).to.equal(8);
    expect(node.read(buffer, 0, 16, 4)).to.equal(4);
    expect(Buffer.from(buffer.subarray(0, 4)).toString()).to.equal("efgh");
    truncateSync(path, 2);
    expect(node.read(buffer, 0, 16, 8)).to.equal(0);
    expect(node.read(buffer, 0, 16, 0)).to.equal(2);
    node.close();
  });

  it("a directory removed by the host while a handle is open: reading it answers a code, a new open answers notFound", () => {
    mkdirSync(join(mounted, "going"));
    writeFileSync(join(mounted, "going", "x"), "x");
    const { node } = files.open("/m/going", LISTING);
    rmSync(join(mounted, "going"), { recursive: true });
    // Through the host's lister the handle reads the directory as it is now, gone (the host says
    // ENOENT); without one it hands out the listing it took at open.
    expect(codeOf(() => (node.readEntries ? node.readEntries(new Uint8Array(256)) : node.list()))).to.equal(node.readEntries ? ErrorCode.notFound : undefined);
    node.close();
    expect(codeOf(() => files.open("/m/going", LISTING))).to.equal(ErrorCode.notFound);
  });

  it("a mount whose root the host removed answers codes, never a crash, to every call", async () => {
    const gone = join(root, "gone");
    mkdirSync(gone);
    writeFileSync(join(gone, "f"), "f");
    const other = bootKernel({ hal: createSimHal(), mounts: [{ hostDirectory: gone, guestPath: "/g", writable: true }] });
    try {
      rmSync(gone, { recursive: true });
      const calls = [
        `(i32.wrap_i64 (call $stat {/g/f}))`,
        `(call $open {/g/f} (i32.const ${READ}))`,
        `(call $open {/g/new} (i32.const ${WRITE | CREATE}))`,
        `(call $mkdir {/g/dir})`,
        `(call $unlink {/g/f})`,
      ];
      for (const body of calls) {
        for (const domain of ["kernel", "user"] as const) expect(exitCodeOf(await runProbe(other, body, domain)), `${body} (${domain})`).to.equal(-ErrorCode.notFound);
      }
      // The root itself: gone (the long way) or listed as the empty directory it now is (the lister's descriptor).
      const listed = exitCodeOf(await runProbe(other, `(i32.wrap_i64 (call $listDirectory {/g} (call $blockCreate (i32.const 64))))`, "kernel"));
      expect([0, -ErrorCode.notFound]).to.include(listed);
    } finally {
      await other.shutdown();
    }
  });
});
