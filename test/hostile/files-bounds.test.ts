// Hostile processes against the in-memory tree's bounds (on a tree made small so they are
// reached at once): writes past the tree's bytes, a file unlinked while open and grown past them,
// entries past the tree's count, a huge directory listed through blocks one entry wide, and
// processes racing mkdir, rename and remove-directory on one directory. Each refusal has its code,
// nothing half-made is left, and the tree's counts agree with what a walk of it finds.
import { expect } from "chai";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createSimHal } from "../../hal/sim/index.js";
import { bootKernel, openFileCount, type Kernel } from "../../kernel/index.js";
import { FileNamespace, MemoryTree } from "../../kernel/files/index.js";
import { ErrorCode } from "../../runtime/abi/index.js";
import { startBystander } from "../helpers/bystander.js";
import { exitCodeOf, loadProbe, runProbe } from "../helpers/file-probe.js";
import { descriptorsUnder } from "../helpers/host-descriptors.js";
import { runCaptured, spawnCaptured } from "../helpers/kernel.js";

const WRITE = 2, CREATE = 4;
const TREE_BYTES = 4096;
const TREE_ENTRIES = 50;
const CHUNK = "c".repeat(1000);

function smallTreeKernel(): { kernel: Kernel; tree: MemoryTree } {
  const tree = new MemoryTree(TREE_BYTES, TREE_ENTRIES);
  return { kernel: bootKernel({ hal: createSimHal(), devices: { files: new FileNamespace(tree) } }), tree };
}

/** Entries under `path`, counted by walking the namespace as a process would see it. */
function walkCount(files: FileNamespace, path: string): number {
  const { node } = files.open(path, { read: false, write: false, create: false, truncate: false, append: false, exclusive: false, directory: true });
  const listing = node.list();
  let count = listing.count;
  for (let index = 0; index < listing.count; index++) {
    if (listing.type(index) === 2) count += walkCount(files, `${path === "/" ? "" : path}/${listing.name(index)}`);
  }
  node.close();
  return count;
}

/**
 * main = the entries of /huge handed out, listed through a block of 13 bytes: each entry there is
 * 3 + 10 bytes ("entry-NNNN"), so a block takes exactly one, one a call.
 */
const READ_HUGE_ONE_ENTRY_A_CALL = `(local.set $b (call $blockCreate (i32.const 13)))
  (local.set $h (i32.wrap_i64 (i64.shr_u (call $listDirectory {/huge} (local.get $b)) (i64.const 32))))
  (local.set $g (i32.const 1))
  (block $done (loop $more
    (br_if $done (i32.eqz (call $readDirectory (local.get $h) (local.get $b))))
    (local.set $g (i32.add (local.get $g) (i32.const 1)))
    (br $more)))
  (drop (call $close (local.get $h)))
  (local.get $g)`;

describe("hostile/files: the in-memory tree's bounds", function () {
  this.timeout(60_000);

  for (const domain of ["kernel", "user"] as const) {
    it(`writes 1000 bytes at a time until the tree's ${TREE_BYTES} bytes are reached: fileTooBig, and the file holds only whole writes (${domain} domain)`, async () => {
      const { kernel, tree } = smallTreeKernel();
      const bystander = await startBystander(kernel);
      const run = await runProbe(kernel, `(local.set $h (call $open {/big} (i32.const ${WRITE | CREATE})))
        (block $full (loop $more
          (local.set $g (call $write (local.get $h) [${CHUNK}]))
          (br_if $full (i32.lt_s (local.get $g) (i32.const 0)))
          (br $more)))
        (local.get $g)`, domain);
      expect(exitCodeOf(run)).to.equal(-ErrorCode.fileTooBig);
      expect(kernel.services.files!.stat("/big").size).to.equal(4000);
      expect(tree.bytes).to.equal(4000);
      await bystander.expectTicking();
      await bystander.stop();
      await kernel.shutdown();
    });

    it(`a file unlinked while open still counts: growing it past the tree's bytes is refused, and its bytes leave the count when the process ends (${domain} domain)`, async () => {
      const { kernel, tree } = smallTreeKernel();
      const run = await runProbe(kernel, `(local.set $h (call $open {/hidden} (i32.const ${WRITE | CREATE})))
        (drop (call $unlink {/hidden}))
        (drop (call $write (local.get $h) [${CHUNK.repeat(3)}]))
        (local.set $g (call $open {/visible} (i32.const ${WRITE | CREATE})))
        (call $write (local.get $g) [${CHUNK.repeat(2)}])`, domain);
      expect(exitCodeOf(run)).to.equal(-ErrorCode.fileTooBig);
      expect(openFileCount(run.process.capabilities)).to.equal(0);
      expect(tree.bytes, "only /visible's bytes (none) once the unlinked file's handle closed").to.equal(0);
      expect(kernel.services.files!.stat("/visible").size).to.equal(0);
      await kernel.shutdown();
    });

    it(`makes entries up to the tree's ${TREE_ENTRIES} and is refused the next with noMemory, leaving exactly the limit (${domain} domain)`, async () => {
      const { kernel, tree } = smallTreeKernel();
      const files = kernel.services.files!;
      for (let index = tree.entries; index < TREE_ENTRIES - 1; index++) files.mkdir(`/filler-${index}`);
      const run = await runProbe(kernel, `(local.set $h (call $mkdir {/last-allowed})) (local.set $g (call $mkdir {/one-too-many}))
        (i32.add (i32.mul (local.get $h) (i32.const 1000)) (local.get $g))`, domain);
      expect(exitCodeOf(run)).to.equal(-ErrorCode.noMemory);
      expect(tree.entries).to.equal(TREE_ENTRIES);
      expect(walkCount(files, "/")).to.equal(TREE_ENTRIES);
      await kernel.shutdown();
    });
  }

  for (const domain of ["kernel", "user"] as const) {
    it(`lists a directory of 3000 entries through a block one entry wide, one entry a call, and holds no handle after (${domain} domain)`, async () => {
      const kernel = bootKernel({ hal: createSimHal() });
      const files = kernel.services.files!;
      files.mkdir("/huge");
      for (let index = 0; index < 3000; index++) files.mkdir(`/huge/entry-${String(index).padStart(4, "0")}`);
      const run = await runProbe(kernel, READ_HUGE_ONE_ENTRY_A_CALL, domain);
      expect(exitCodeOf(run)).to.equal(3000);
      expect(openFileCount(run.process.capabilities)).to.equal(0);
      await kernel.shutdown();
    });
  }

  for (const domain of ["kernel", "user"] as const) {
    it(`reads a host directory of 3000 entries through a block one entry wide, one entry a call (the names themselves: test/hal/host-listing.test.ts), its descriptor closed after (${domain} domain)`, async () => {
      const directory = mkdtempSync(join(tmpdir(), "singlet-huge-"));
      const names = Array.from({ length: 3000 }, (_, index) => `entry-${String(index).padStart(4, "0")}`);
      for (const name of names) writeFileSync(join(directory, name), "");
      const kernel = bootKernel({ hal: createSimHal(), mounts: [{ hostDirectory: directory, guestPath: "/huge", writable: false }] });
      try {
        const held = descriptorsUnder(directory);
        const run = await runProbe(kernel, READ_HUGE_ONE_ENTRY_A_CALL, domain);
        expect(exitCodeOf(run)).to.equal(3000);
        expect(openFileCount(run.process.capabilities)).to.equal(0);
        expect(descriptorsUnder(directory)).to.equal(held);
      } finally {
        await kernel.shutdown();
        rmSync(directory, { recursive: true, force: true });
      }
    });
  }

  it("four user-domain processes racing mkdir, rename and remove-directory on one directory get only the codes a race explains, and the tree's count agrees with a walk", async () => {
    const kernel = bootKernel();
    try {
      const files = kernel.services.files!;
      files.mkdir("/race");
      const before = files.memory.entries;
      // Each step's result must be 0 or a code a racing peer explains (notFound, alreadyExists,
      // notEmpty); $g keeps the first other result. 200 rounds of six calls.
      const allowed = (call: string) => `(local.set $h ${call})
        (if (i32.and (i32.ne (local.get $h) (i32.const 0)) (i32.and (i32.ne (local.get $h) (i32.const ${-ErrorCode.notFound}))
              (i32.and (i32.ne (local.get $h) (i32.const ${-ErrorCode.alreadyExists})) (i32.ne (local.get $h) (i32.const ${-ErrorCode.notEmpty})))))
          (then (if (i32.eqz (local.get $g)) (then (local.set $g (local.get $h))))))`;
      const image = await loadProbe(kernel, `(local.set $b (i32.const 200))
        (loop $round
          ${allowed("(call $mkdir {/race/a})")}
          ${allowed("(call $rename {/race/a} {/race/b})")}
          ${allowed("(call $mkdir {/race/b/c})")}
          ${allowed("(call $removeDirectory {/race/b/c})")}
          ${allowed("(call $rename {/race/b} {/race/a})")}
          ${allowed("(call $removeDirectory {/race/a})")}
          (local.set $b (i32.sub (local.get $b) (i32.const 1)))
          (br_if $round (i32.gt_s (local.get $b) (i32.const 0))))
        (local.get $g)`);
      const runs = await Promise.all([0, 1, 2, 3].map(() => spawnCaptured(kernel, image, { domain: "user" }).done));
      expect(runs.map(exitCodeOf)).to.deep.equal([0, 0, 0, 0]);
      expect(files.memory.entries - before).to.equal(walkCount(files, "/race"));
      // And the tree still works for a newcomer.
      expect(exitCodeOf(await runCaptured(kernel, await loadProbe(kernel, "(call $mkdir {/race/after})"), { domain: "kernel" }))).to.equal(0);
    } finally {
      await kernel.shutdown();
    }
  });
});
