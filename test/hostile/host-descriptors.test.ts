// Processes that hoard host descriptors: every open file and directory on a host mount draws on
// one kernel-wide budget (MAX_OPEN_HOST_FILES), so processes each within their own 256 cannot
// take every descriptor of the kernel's host process. Past the budget an open answers noMemory;
// a hoarder's end gives its descriptors back, and the others go on.
import { expect } from "chai";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { NodeHostFiles } from "../../hal/node/index.js";
import { bootKernel, FileNamespace, MemoryTree, openFileCount } from "../../kernel/index.js";
import { MAX_OPEN_HOST_FILES, MAX_OPEN_FILES_PER_PROCESS } from "../../kernel/params.js";
import { ErrorCode } from "../../runtime/abi/index.js";
import { codeOf, exitCodeOf, loadProbe, runProbe } from "../helpers/file-probe.js";
import { eventually } from "../helpers/event-kernel.js";
import { descriptorsUnder } from "../helpers/host-descriptors.js";

const READ = 1, DIRECTORY = 64;
/** A small budget, so the test hoards a few descriptors rather than thousands. */
const BUDGET = 4;

describe("hostile: processes hoarding host descriptors", function () {
  this.timeout(60_000);
  let directory: string;
  beforeEach(() => {
    directory = mkdtempSync(join(tmpdir(), "singlet-hoard-"));
    writeFileSync(join(directory, "a.txt"), "host");
    mkdirSync(join(directory, "sub"));
    execFileSync("mkfifo", [join(directory, "pipe")]);
  });
  afterEach(() => rmSync(directory, { recursive: true, force: true }));

  it("keeps the kernel-wide budget below the host's descriptors and above one process's share", () => {
    expect(MAX_OPEN_HOST_FILES).to.be.greaterThan(MAX_OPEN_FILES_PER_PROCESS);
    expect(MAX_OPEN_HOST_FILES).to.be.at.most(4096 / 2);
  });

  for (const domain of ["kernel", "user"] as const) {
    it(`refuses another process's open with noMemory while a ${domain}-domain hoarder holds the budget, and gives it back when the hoarder is killed`, async function () {
      // Without the host's lister a directory is listed whole at its first read and holds no descriptor.
      if (!new NodeHostFiles().lister) this.skip();
      const files = new FileNamespace(new MemoryTree(), BUDGET);
      files.mount(new NodeHostFiles(), { hostDirectory: directory, guestPath: "/data", writable: false });
      const kernel = bootKernel({ devices: { files } });
      try {
        // Files and a directory alike: each holds a host descriptor.
        const hoard = `(drop (call $open {/data/a.txt} (i32.const ${READ}))) (drop (call $open {/data/a.txt} (i32.const ${READ})))
          (drop (call $open {/data/sub} (i32.const ${DIRECTORY}))) (drop (call $open {/data/a.txt} (i32.const ${READ})))
          (loop $forever (br $forever)) (i32.const 0)`;
        const hoarder = kernel.spawn(await loadProbe(kernel, hoard), { domain: "user", output: () => undefined });
        await eventually(() => openFileCount(hoarder.capabilities) === BUDGET, "the hoarder took the whole budget");
        expect(files.hostDescriptors.inUse).to.equal(BUDGET);
        const baseline = descriptorsUnder(directory);
        // Another process, within its own 256, finds the kernel's budget spent: noMemory, no descriptor taken.
        for (const body of [`(call $open {/data/a.txt} (i32.const ${READ}))`, `(i32.wrap_i64 (call $listDirectory {/data/sub} (call $blockCreate (i32.const 64))))`]) {
          expect(exitCodeOf(await runProbe(kernel, body, domain)), body).to.equal(-ErrorCode.noMemory);
        }
        expect(descriptorsUnder(directory)).to.equal(baseline);
        // The in-memory tree holds no host descriptor: it is not refused.
        expect(exitCodeOf(await runProbe(kernel, `(call $open {/} (i32.const ${DIRECTORY}))`, domain))).to.be.greaterThan(0);
        kernel.kill(hoarder, "hoarding");
        await hoarder.completion;
        expect(files.hostDescriptors.inUse).to.equal(0);
        expect(exitCodeOf(await runProbe(kernel, `(call $open {/data/a.txt} (i32.const ${READ}))`, domain))).to.be.greaterThan(0);
        expect(files.hostDescriptors.inUse, "closed with its process").to.equal(0);
      } finally {
        await kernel.shutdown();
      }
    });
  }

  it("gives the budget back whatever way an open fails or a handle closes: a missing file, a FIFO refused, a directory opened as a file, close twice", () => {
    const files = new FileNamespace(new MemoryTree(), BUDGET);
    files.mount(new NodeHostFiles(), { hostDirectory: directory, guestPath: "/data", writable: false });
    try {
      const read = { read: true, write: false, create: false, truncate: false, append: false, exclusive: false, directory: false };
      expect(codeOf(() => files.open("/data/missing", read))).to.equal(ErrorCode.notFound);
      expect(codeOf(() => files.open("/data/sub/missing", { ...read, directory: true }))).to.equal(ErrorCode.notFound);
      expect(codeOf(() => files.open("/data/pipe", read))).to.equal(ErrorCode.notPermitted);
      expect(files.hostDescriptors.inUse).to.equal(0);
      const opened = files.open("/data/sub", read).node;
      expect(files.hostDescriptors.inUse).to.equal(1);
      opened.close();
      opened.close();
      expect(files.hostDescriptors.inUse).to.equal(0);
      const nodes = Array.from({ length: BUDGET }, () => files.open("/data/a.txt", read).node);
      expect(codeOf(() => files.open("/data/a.txt", read))).to.equal(ErrorCode.noMemory);
      expect(codeOf(() => files.open("/data/sub", { ...read, directory: true }))).to.equal(ErrorCode.noMemory);
      nodes[0]!.close();
      files.open("/data/sub", { ...read, directory: true }).node.close();
      for (const node of nodes) node.close();
      expect(files.hostDescriptors.inUse).to.equal(0);
    } finally {
      files.close();
    }
  });
});
