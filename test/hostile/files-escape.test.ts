// Hostile paths against host mounts: `..`, absolute paths, symbolic links out and in loops, and
// writes to a read-only mount. Each is refused (or stays inside the guest namespace), in both
// domains, and the host outside the mount is never read or changed.
import { expect } from "chai";
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ErrorCode } from "../../runtime/abi/index.js";
import { NodeHostFiles } from "../../hal/node/index.js";
import { MAX_PATH_BYTES } from "../../kernel/params.js";
import { exitCodeOf, fileFixture, runProbe, type FileFixture } from "../helpers/file-probe.js";

const READ = 1, WRITE = 2, CREATE = 4, TRUNCATE = 8, APPEND = 16, DIRECTORY = 64;
/** main = the size `stat` reports, or the negated error. */
const statSize = (path: string) => `(local.set $b (i32.wrap_i64 (call $stat {${path}}))) (if (result i32) (i32.lt_s (local.get $b) (i32.const 0)) (then (local.get $b)) (else (i32.wrap_i64 (i64.and (call $stat {${path}}) (i64.const 0xffffffffffff)))))`;

/** main = list-directory's byte count, or the negated error (the listing in a fresh 4 KiB block). */
const listing = (path: string) => `(i32.wrap_i64 (call $listDirectory {${path}} (call $blockCreate (i32.const 4096))))`;

const ESCAPES: readonly { what: string; body: string; code: number }[] = [
  { what: "a link to the mount's parent", body: `(call $open {/ro/up/outside/secret.txt} (i32.const ${READ}))`, code: ErrorCode.notPermitted },
  { what: "a link out by a relative path", body: `(call $open {/ro/out/secret.txt} (i32.const ${READ}))`, code: ErrorCode.notPermitted },
  { what: "a link out by an absolute path", body: `(call $open {/ro/abs/passwd} (i32.const ${READ}))`, code: ErrorCode.notPermitted },
  { what: "a link out, listed as a directory", body: `(call $open {/ro/out} (i32.const ${DIRECTORY}))`, code: ErrorCode.notPermitted },
  { what: "a link out, asked about", body: `(i32.wrap_i64 (call $stat {/ro/up}))`, code: ErrorCode.notPermitted },
  { what: "a link out, its entry below asked about without following the last name", body: `(i32.wrap_i64 (call $statLink {/ro/up/outside/secret.txt}))`, code: ErrorCode.notPermitted },
  { what: "a link out by an absolute path, an entry below asked about itself", body: `(i32.wrap_i64 (call $statLink {/ro/abs/passwd}))`, code: ErrorCode.notPermitted },
  { what: "a link to itself", body: `(call $open {/ro/loop} (i32.const ${READ}))`, code: ErrorCode.tooManyLinks },
  { what: "two links to each other", body: `(i32.wrap_i64 (call $stat {/ro/ring1/x}))`, code: ErrorCode.tooManyLinks },
  { what: "a link out by a relative path, listed", body: listing("/ro/out"), code: ErrorCode.notPermitted },
  { what: "a link to the mount's parent, listed", body: listing("/ro/up"), code: ErrorCode.notPermitted },
  { what: "a directory below a link out, listed", body: listing("/ro/up/outside"), code: ErrorCode.notPermitted },
  { what: "a link out by an absolute path, listed", body: listing("/ro/abs"), code: ErrorCode.notPermitted },
  { what: "a link to itself, listed", body: listing("/ro/loop"), code: ErrorCode.tooManyLinks },
  { what: "`..` past the mount into a host path the guest lacks", body: `(call $open {/ro/../../../outside/secret.txt} (i32.const ${READ}))`, code: ErrorCode.notFound },
  { what: "`..` past the mount, spelled long", body: `(call $open {/ro/sub/../../../../../etc/passwd} (i32.const ${READ}))`, code: ErrorCode.notFound },
  { what: "a path over the length limit", body: `(call $open {/${"a/".repeat(MAX_PATH_BYTES / 2 + 1)}} (i32.const ${READ}))`, code: ErrorCode.nameTooLong },
  { what: "a length past the caller's memory", body: `(call $open (i32.const 0) (i32.const 40000) (i32.const ${READ}))`, code: ErrorCode.badAddress },
];

const READ_ONLY_WRITES: readonly { what: string; body: string }[] = [
  { what: "open for writing", body: `(call $open {/ro/a.txt} (i32.const ${WRITE}))` },
  { what: "open to truncate", body: `(call $open {/ro/a.txt} (i32.const ${WRITE | TRUNCATE}))` },
  { what: "open to append", body: `(call $open {/ro/a.txt} (i32.const ${WRITE | APPEND}))` },
  { what: "create", body: `(call $open {/ro/new.txt} (i32.const ${WRITE | CREATE}))` },
  { what: "mkdir", body: `(call $mkdir {/ro/new})` },
  { what: "unlink", body: `(call $unlink {/ro/a.txt})` },
  { what: "remove-directory", body: `(call $removeDirectory {/ro/sub})` },
  { what: "rename", body: `(call $rename {/ro/a.txt} {/ro/sub/a.txt})` },
];

describe("hostile/files: mount escapes", function () {
  this.timeout(60_000);
  let fixture: FileFixture;
  before(() => {
    fixture = fileFixture();
    // A writable mount with links out: creating, making or renaming through them must not reach the outside.
    symlinkSync(fixture.outside, join(fixture.writable, "out"));
    symlinkSync(join(fixture.outside, "new.txt"), join(fixture.writable, "dangling"));
    // An absolute link that stays inside: the host's lister refuses every absolute link, the long way follows this one.
    mkdirSync(join(fixture.writable, "inner"));
    writeFileSync(join(fixture.writable, "inner", "c.txt"), "c");
    symlinkSync(join(fixture.writable, "inner"), join(fixture.writable, "inner-by-absolute-link"));
  });
  after(() => fixture.remove());

  for (const domain of ["kernel", "user"] as const) {
    for (const escape of ESCAPES) {
      it(`refuses ${escape.what} with ${escape.code} (${domain} domain)`, async () => {
        expect(exitCodeOf(await runProbe(fixture.kernel, escape.body, domain))).to.equal(-escape.code);
      });
    }

    for (const write of READ_ONLY_WRITES) {
      it(`a read-only mount refuses ${write.what} with readOnly (${domain} domain)`, async () => {
        expect(exitCodeOf(await runProbe(fixture.kernel, write.body, domain))).to.equal(-ErrorCode.readOnly);
        expect(readFileSync(join(fixture.readOnly, "a.txt"), "utf8")).to.equal("host");
        expect(readdirSync(fixture.readOnly).sort()).to.deep.equal(["a.txt", "abs", "in", "loop", "out", "ring1", "ring2", "sub", "up"]);
      });
    }

    it(`follows a link that stays inside the mount (${domain} domain)`, async () => {
      expect(exitCodeOf(await runProbe(fixture.kernel, statSize("/ro/in"), domain))).to.equal(4);
    });

    it(`lists a directory through an absolute link that stays inside the mount (${domain} domain)`, async () => {
      // One entry: type 1, a name of 5 bytes, "c.txt": 3 + 5 bytes.
      expect(exitCodeOf(await runProbe(fixture.kernel, listing("/rw/inner-by-absolute-link"), domain))).to.equal(8);
    });

    it(`a directory swapped for a link out from outside the kernel, after its parent was listed, is not listed through (${domain} domain)`, async function () {
      // Only a host with a lister promises this; without one a mount trusts the host between its own changes (host-tree.ts).
      if (!new NodeHostFiles().lister) this.skip();
      const victim = join(fixture.writable, `swapped-${domain}`);
      mkdirSync(victim);
      try {
        // The mount remembers across processes what it remembers at all: one process lists, the host swaps, another lists.
        const listed = await runProbe(fixture.kernel, `(drop (call $listDirectory {/rw} (call $blockCreate (i32.const 4096)))) ${listing(`/rw/swapped-${domain}`)}`, domain);
        expect(exitCodeOf(listed)).to.equal(0);
        rmSync(victim, { recursive: true });
        symlinkSync(fixture.outside, victim);
        const run = await runProbe(fixture.kernel, listing(`/rw/swapped-${domain}`), domain);
        expect(exitCodeOf(run)).to.equal(-ErrorCode.notPermitted);
      } finally {
        rmSync(victim, { recursive: true, force: true });
      }
    });

    it(`a link renamed into the place of a directory already listed is checked again, not taken for the directory (${domain} domain)`, async () => {
      // Listing /rw makes its directories known (no realpath when opened); the renames must make the kernel forget them.
      const run = await runProbe(fixture.kernel, `
        (drop (call $mkdir {/rw/victim-${domain}}))
        (local.set $h (call $open {/rw} (i32.const ${DIRECTORY})))
        (local.set $b (call $blockCreate (i32.const 4096)))
        (drop (call $readDirectory (local.get $h) (local.get $b)))
        (drop (call $rename {/rw/victim-${domain}} {/rw/gone-${domain}}))
        (drop (call $rename {/rw/out} {/rw/victim-${domain}}))
        (local.set $g (call $open {/rw/victim-${domain}} (i32.const ${DIRECTORY})))
        (drop (call $rename {/rw/victim-${domain}} {/rw/out}))
        (local.get $g)`, domain);
      expect(exitCodeOf(run)).to.equal(-ErrorCode.notPermitted);
    });

    it(`creates, makes and renames nothing outside through links in a writable mount (${domain} domain)`, async () => {
      const attempts = [
        `(call $open {/rw/out/new.txt} (i32.const ${WRITE | CREATE}))`,
        `(call $open {/rw/dangling} (i32.const ${WRITE | CREATE}))`,
        `(call $mkdir {/rw/out/made})`,
        `(call $rename {/rw/out/secret.txt} {/rw/taken.txt})`,
        `(call $unlink {/rw/out/secret.txt})`,
      ];
      for (const body of attempts) {
        expect(exitCodeOf(await runProbe(fixture.kernel, body, domain)), body).to.equal(-ErrorCode.notPermitted);
      }
      expect(readdirSync(fixture.outside)).to.deep.equal(["secret.txt"]);
      expect(existsSync(join(fixture.writable, "taken.txt"))).to.equal(false);
    });
  }
});
