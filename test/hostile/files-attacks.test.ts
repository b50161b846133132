// Hostile file calls beside a bystander: handles used after close or after the files capability
// went, offsets and lengths at and past 2^31, 2^32 and 2^53, blocks of size 0 or dropped mid-use,
// names with NUL or lone surrogates, names and paths at their limits and one past, renames of a
// directory into itself. Each gets its code, only the caller's call fails, the caller ends with
// nothing held, and the kernel-domain ticker beside it keeps ticking on the virtual clock.
import { expect } from "chai";
import { openFileCount, type Kernel, type ModuleImage } from "../../kernel/index.js";
import { MAX_NAME_BYTES, MAX_PATH_BYTES } from "../../kernel/params.js";
import { ErrorCode } from "../../runtime/abi/index.js";
import { startBystander, type Bystander } from "../helpers/bystander.js";
import { FILE_IMPORTS, exitCodeOf, fileFixture, probeManifest, withStrings, type FileFixture } from "../helpers/file-probe.js";
import { runCaptured } from "../helpers/kernel.js";
import { assembleWat, conformantModule } from "../helpers/wat.js";

const READ = 1, WRITE = 2, CREATE = 4, DIRECTORY = 64;
const READ_RIGHT = 1;
/** The files capability's place among the probe's initial capabilities (console is 0). */
const FILES_CAPABILITY = 1;

const CAPABILITY_IMPORTS = `
  (import "singlet:kernel/capabilities@0.1.0" "initial-get" (func $initialGet (param i32) (result i32)))
  (import "singlet:kernel/capabilities@0.1.0" "restrict" (func $restrict (param i32 i32) (result i32)))`;

/** The probe with `body` as main (locals $h $g $b $n, i32), with the capability calls beside the file calls. */
async function loadAttack(kernel: Kernel, body: string): Promise<ModuleImage> {
  const { body: main, data } = withStrings(body);
  const bytes = await assembleWat(conformantModule(FILE_IMPORTS + CAPABILITY_IMPORTS, `(local $h i32) (local $g i32) (local $b i32) (local $n i32) ${main}`, data));
  return kernel.load(bytes, { manifest: probeManifest(["read", "write"]) });
}

const opened = (path: string, flags: number) => `(local.set $h (call $open {${path}} (i32.const ${flags})))`;
const block = (size: number) => `(local.set $b (call $blockCreate (i32.const ${size})))`;
const readInto = (offset: number, length: number) => `(call $read (local.get $h) (local.get $b) (i32.const ${offset | 0}) (i32.const ${length | 0}))`;
const seekTo = (position: bigint) => `(drop (call $seek (local.get $h) (i64.const ${position}) (i32.const 0)))`;
const statSize = (path: string) => `(i32.wrap_i64 (i64.and (call $stat {${path}}) (i64.const 0xffffffffffff)))`;

/** A path of exactly `bytes` UTF-8 bytes: names of 255 bytes, the last two shorter so the total comes out exact. */
function pathOfBytes(bytes: number): string {
  const full = `/${"p".repeat(MAX_NAME_BYTES)}`.repeat(Math.floor(bytes / (MAX_NAME_BYTES + 1)) - 1);
  const left = bytes - full.length;
  return `${full}/${"q".repeat(left - 3)}/r`;
}

interface Attack {
  readonly what: string;
  readonly body: string;
  /** What main returns: a negated code, or the result a call that is allowed gives. */
  readonly expected: number;
}

const ATTACKS: readonly Attack[] = [
  // Handles that are no longer (or never were) the caller's.
  { what: "a read through a file handle after its close", body: `${opened("/f", READ)} (drop (call $close (local.get $h))) ${block(16)} ${readInto(0, 4)}`, expected: -ErrorCode.badHandle },
  { what: "a read-directory through a directory handle after its close", body: `${opened("/d", DIRECTORY)} (drop (call $close (local.get $h))) ${block(64)} (call $readDirectory (local.get $h) (local.get $b))`, expected: -ErrorCode.badHandle },
  { what: "a path call after the process dropped its files capability", body: `(drop (call $drop (call $initialGet (i32.const ${FILES_CAPABILITY})))) (i32.wrap_i64 (call $stat {/f}))`, expected: -ErrorCode.notPermitted },
  { what: "a change through a read-only restriction of files, the original dropped", body: `(local.set $g (call $restrict (call $initialGet (i32.const ${FILES_CAPABILITY})) (i32.const ${READ_RIGHT}))) (drop (call $drop (call $initialGet (i32.const ${FILES_CAPABILITY})))) (call $mkdir {/made-through-restriction})`, expected: -ErrorCode.notPermitted },
  // An open file is a capability of its own: what was opened stays readable, as a POSIX descriptor does.
  { what: "a read of a file opened before the files capability was dropped (allowed: the file is its own capability)", body: `${opened("/f", READ)} (drop (call $drop (call $initialGet (i32.const ${FILES_CAPABILITY})))) ${block(16)} ${readInto(0, 16)}`, expected: 5 },
  { what: "a file handle forged from a block handle's number", body: `${block(16)} (call $read (local.get $b) (local.get $b) (i32.const 0) (i32.const 1))`, expected: -ErrorCode.badHandle },
  // Offsets and lengths at and past 2^31, 2^32 and 2^53.
  { what: "a block offset of 2^31", body: `${opened("/f", READ)} ${block(16)} ${readInto(2 ** 31, 1)}`, expected: -ErrorCode.invalidArgument },
  { what: "a block offset of 2^32 − 1 (−1 as an i32)", body: `${opened("/f", READ)} ${block(16)} ${readInto(-1, 1)}`, expected: -ErrorCode.invalidArgument },
  { what: "a block offset and length whose sum wraps 2^32", body: `${opened("/f", READ)} ${block(16)} ${readInto(-16, 32)}`, expected: -ErrorCode.invalidArgument },
  { what: "a length of 2^31", body: `${opened("/f", READ)} ${block(16)} ${readInto(0, 2 ** 31)}`, expected: -ErrorCode.invalidArgument },
  { what: "a read of length 0 at the block's end (allowed: nothing to do)", body: `${opened("/f", READ)} ${block(16)} ${readInto(16, 0)}`, expected: 0 },
  { what: "a read at position 2^32 of an in-memory file (allowed: end of file)", body: `${opened("/f", READ)} ${seekTo(2n ** 32n)} ${block(16)} ${readInto(0, 16)}`, expected: 0 },
  { what: "a read at position 2^53 − 1 of a host file (allowed: end of file)", body: `${opened("/ro/a.txt", READ)} ${seekTo(2n ** 53n - 1n)} ${block(16)} ${readInto(0, 16)}`, expected: 0 },
  { what: "a seek to 2^53", body: `${opened("/f", READ)} (i32.wrap_i64 (call $seek (local.get $h) (i64.const ${2n ** 53n}) (i32.const 0)))`, expected: -ErrorCode.invalidArgument },
  { what: "a seek by the least i64 from the end", body: `${opened("/f", READ)} (i32.wrap_i64 (call $seek (local.get $h) (i64.const ${-(2n ** 63n)}) (i32.const 2)))`, expected: -ErrorCode.invalidArgument },
  { what: "a write at 2^32 in memory", body: `${opened("/f", WRITE)} ${seekTo(2n ** 32n)} (call $write (local.get $h) [x])`, expected: -ErrorCode.fileTooBig },
  { what: "a write at 2^32 in memory, then the file's size (unchanged)", body: `${opened("/f", WRITE)} ${seekTo(2n ** 32n)} (drop (call $write (local.get $h) [x])) ${statSize("/f")}`, expected: 5 },
  { what: "a write at 2^31 on a writable host mount", body: `${opened("/rw/far", WRITE | CREATE)} ${seekTo(2n ** 31n)} (call $write (local.get $h) [x])`, expected: -ErrorCode.fileTooBig },
  // Blocks of size 0, dropped, or dropped in the middle of a listing.
  { what: "a block of size 0", body: `(call $blockCreate (i32.const 0))`, expected: -ErrorCode.invalidArgument },
  { what: "a read into a block dropped before", body: `${opened("/f", READ)} ${block(16)} (drop (call $drop (local.get $b))) ${readInto(0, 4)}`, expected: -ErrorCode.badHandle },
  { what: "a list-directory into a block dropped before", body: `${block(64)} (drop (call $drop (local.get $b))) (i32.wrap_i64 (call $listDirectory {/d} (local.get $b)))`, expected: -ErrorCode.badHandle },
  { what: "a read-directory into the block dropped in the middle of a listing", body: `${block(8)} (local.set $h (i32.wrap_i64 (i64.shr_u (call $listDirectory {/ro} (local.get $b)) (i64.const 32)))) (drop (call $drop (local.get $b))) (call $readDirectory (local.get $h) (local.get $b))`, expected: -ErrorCode.badHandle },
  // Names and paths.
  { what: "a name with a NUL", body: `(call $open {/rw/a\u0000b} (i32.const ${WRITE | CREATE}))`, expected: -ErrorCode.invalidArgument },
  { what: "a name with a lone surrogate, in memory", body: `(call $mkdir {/\uD800})`, expected: -ErrorCode.invalidArgument },
  { what: "a name with a lone low surrogate, on a host mount", body: `(call $open {/rw/x\uDC00} (i32.const ${WRITE | CREATE}))`, expected: -ErrorCode.invalidArgument },
  { what: "a name of 255 bytes, made and removed in memory (allowed)", body: `(drop (call $mkdir {/${"m".repeat(MAX_NAME_BYTES)}})) (call $removeDirectory {/${"m".repeat(MAX_NAME_BYTES)}})`, expected: 0 },
  { what: "a name of 255 bytes, made on a host mount (allowed)", body: `(call $close (call $open {/rw/${"h".repeat(MAX_NAME_BYTES)}} (i32.const ${WRITE | CREATE})))`, expected: 0 },
  { what: "a name of 256 bytes in two-byte characters", body: `(call $mkdir {/${"é".repeat((MAX_NAME_BYTES + 1) / 2)}})`, expected: -ErrorCode.nameTooLong },
  { what: "a path of exactly MAX_PATH_BYTES (allowed: it names nothing)", body: `(i32.wrap_i64 (call $stat {${pathOfBytes(MAX_PATH_BYTES)}}))`, expected: -ErrorCode.notFound },
  { what: "a path one byte over MAX_PATH_BYTES", body: `(i32.wrap_i64 (call $stat {${pathOfBytes(MAX_PATH_BYTES + 1)}}))`, expected: -ErrorCode.nameTooLong },
  // Renames of a directory into itself, however spelled.
  { what: "a rename of a directory into its own subdirectory spelled with `..`", body: `(call $rename {/d} {/d/x/../inner})`, expected: -ErrorCode.invalidArgument },
  { what: "a rename of a directory onto itself spelled with `.` (allowed: nothing moves)", body: `(call $rename {/d} {/d/.})`, expected: 0 },
  { what: "a rename of a host directory into its own subdirectory", body: `(drop (call $mkdir {/rw/own})) (call $rename {/rw/own} {/rw/own/inside})`, expected: -ErrorCode.invalidArgument },
];

describe("hostile/files: attacks beside a bystander", function () {
  this.timeout(60_000);
  let fixture: FileFixture;
  let bystander: Bystander;
  before(async () => {
    fixture = fileFixture();
    bystander = await startBystander(fixture.kernel);
  });
  after(async () => {
    await bystander.stop();
    await fixture.remove();
  });

  it("the path helper makes paths of exactly the bytes asked for", () => {
    expect(Buffer.byteLength(pathOfBytes(MAX_PATH_BYTES))).to.equal(MAX_PATH_BYTES);
    expect(Buffer.byteLength(pathOfBytes(MAX_PATH_BYTES + 1))).to.equal(MAX_PATH_BYTES + 1);
  });

  for (const domain of ["kernel", "user"] as const) {
    for (const attack of ATTACKS) {
      it(`${attack.what} answers ${attack.expected} (${domain} domain)`, async () => {
        const run = await runCaptured(fixture.kernel, await loadAttack(fixture.kernel, attack.body), { domain });
        expect(exitCodeOf(run)).to.equal(attack.expected);
        expect(run.process.capabilities.size, "nothing left held").to.equal(0);
        expect(openFileCount(run.process.capabilities)).to.equal(0);
        await bystander.expectTicking();
      });
    }
  }
});
