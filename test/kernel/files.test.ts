// The file namespace through the ABI: bytes written come back through a block, positions move
// as POSIX's do, listings come in the documented entry format, changes land in the tree or on
// the host; the `files` capability gates every path call; open files are capabilities that end
// with their owner and are bounded per process.
import { expect } from "chai";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { ErrorCode } from "../../runtime/abi/index.js";
import { openFileCount, parseMountSpec } from "../../kernel/index.js";
import { MAX_OPEN_FILES_PER_PROCESS } from "../../kernel/params.js";
import { RETURN_AREA, exitCodeOf, fileFixture, runProbe, type FileFixture } from "../helpers/file-probe.js";

const READ = 1, WRITE = 2, CREATE = 4, TRUNCATE = 8, APPEND = 16, DIRECTORY = 64;

/** main: writes "hello world" to `path`, seeks back 5, reads into a block; returns bytes read * 1000 + the first byte read. */
const writeSeekRead = (path: string, flags: number) => `
  (local.set $h (call $open {${path}} (i32.const ${flags})))
  (drop (call $write (local.get $h) [hello world]))
  (drop (call $seek (local.get $h) (i64.const -5) (i32.const 1)))
  (local.set $b (call $blockCreate (i32.const 16)))
  (local.set $g (call $read (local.get $h) (local.get $b) (i32.const 0) (i32.const 16)))
  (call $blockRead (local.get $b) (i32.const 0) (i32.const 1) (i32.const ${RETURN_AREA}))
  (i32.add (i32.mul (local.get $g) (i32.const 1000)) (i32.load8_u (i32.load (i32.const ${RETURN_AREA}))))`;

describe("kernel/files", function () {
  this.timeout(60_000);
  let fixture: FileFixture;
  beforeEach(() => {
    fixture = fileFixture();
  });
  afterEach(() => fixture.remove());

  for (const domain of ["kernel", "user"] as const) {
    it(`writes, seeks and reads back through a block, in memory and on a writable mount (${domain} domain)`, async () => {
      // 11 bytes written: 5 back from the end is "world".
      for (const path of ["/new.txt", "/rw/new.txt"]) {
        const run = await runProbe(fixture.kernel, writeSeekRead(path, READ | WRITE | CREATE), domain);
        expect(exitCodeOf(run), path).to.equal(5 * 1000 + "w".charCodeAt(0));
      }
      expect(readFileSync(join(fixture.writable, "new.txt"), "utf8")).to.equal("hello world");
      expect(fixture.kernel.services.files!.stat("/new.txt")).to.deep.equal({ type: 1, size: 11 });
    });

    it(`stat packs the type above the size (${domain} domain)`, async () => {
      const statOf = (path: string) => `(i32.add (i32.mul (i32.wrap_i64 (i64.shr_u (call $stat {${path}}) (i64.const 48))) (i32.const 1000)) (i32.wrap_i64 (i64.and (call $stat {${path}}) (i64.const 0xffff))))`;
      expect(exitCodeOf(await runProbe(fixture.kernel, statOf("/f"), domain))).to.equal(1000 + 5);
      expect(exitCodeOf(await runProbe(fixture.kernel, statOf("/d"), domain))).to.equal(2000);
      expect(exitCodeOf(await runProbe(fixture.kernel, statOf("/ro/a.txt"), domain))).to.equal(1000 + 4);
      expect(exitCodeOf(await runProbe(fixture.kernel, statOf("/ro/sub"), domain))).to.equal(2000);
    });

    it(`stat-link reports a last link itself, wherever it points, and follows the links before it (${domain} domain)`, async () => {
      // main = type * 1000 + size (a link's size: the length of what it points to), or the negated error.
      const statLinkOf = (path: string) => `(local.set $r (call $statLink {${path}}))
        (if (result i32) (i64.lt_s (local.get $r) (i64.const 0)) (then (i32.wrap_i64 (local.get $r)))
          (else (i32.add (i32.mul (i32.wrap_i64 (i64.shr_u (local.get $r) (i64.const 48))) (i32.const 1000)) (i32.wrap_i64 (i64.and (local.get $r) (i64.const 0xffff))))))`;
      const run = async (path: string) => exitCodeOf(await runProbe(fixture.kernel, `(local $r i64) ${statLinkOf(path)}`, domain));
      expect(await run("/ro/in")).to.equal(3000 + "a.txt".length);
      expect(await run("/ro/out")).to.equal(3000 + "../outside".length);
      expect(await run("/ro/abs")).to.equal(3000 + "/etc".length);
      expect(await run("/ro/loop")).to.equal(3000 + "loop".length);
      expect(await run("/ro/a.txt")).to.equal(1000 + 4);
      expect(await run("/ro/sub")).to.equal(2000);
      expect(await run("/ro")).to.equal(2000);
      expect(await run("/f")).to.equal(1000 + 5);
      expect(await run("/d")).to.equal(2000);
      // Links before the last are followed and checked as for every path.
      expect(await run("/ro/up/outside")).to.equal(-ErrorCode.notPermitted);
      expect(await run("/ro/loop/x")).to.equal(-ErrorCode.tooManyLinks);
    });

    it(`lists a directory as [type][length u16][name] entries, then 0 (${domain} domain)`, async () => {
      // /full holds one file, y: the entry is 01 01 00 'y'; main = bytes * 1000 + the entry's checksum + the second call's result.
      const run = await runProbe(fixture.kernel, `
        (local.set $h (call $open {/full} (i32.const ${DIRECTORY})))
        (local.set $b (call $blockCreate (i32.const 64)))
        (local.set $g (call $readDirectory (local.get $h) (local.get $b)))
        (call $blockRead (local.get $b) (i32.const 0) (i32.const 4) (i32.const ${RETURN_AREA}))
        (i32.add (i32.mul (local.get $g) (i32.const 1000))
          (i32.add (i32.load (i32.load (i32.const ${RETURN_AREA}))) (i32.mul (call $readDirectory (local.get $h) (local.get $b)) (i32.const 7))))`, domain);
      expect(exitCodeOf(run)).to.equal(4 * 1000 + (0x01 | (0x01 << 8) | ("y".charCodeAt(0) << 24)));
    });

    it(`list-directory opens and lists in one call; a listing that fits holds no handle, an empty one gives 0 (${domain} domain)`, async () => {
      // main = bytes * 1000 + the handle part * 100 + the first entry's first four bytes' checksum (01 01 00 'y' for /full, 01 05 00 'b' for /ro/sub).
      const listed = (path: string) => `
        (local $r i64)
        (local.set $b (call $blockCreate (i32.const 64)))
        (local.set $r (call $listDirectory {${path}} (local.get $b)))
        (call $blockRead (local.get $b) (i32.const 0) (i32.const 4) (i32.const ${RETURN_AREA}))
        (i32.add (i32.add (i32.mul (i32.wrap_i64 (local.get $r)) (i32.const 1000)) (i32.mul (i32.wrap_i64 (i64.shr_u (local.get $r) (i64.const 32))) (i32.const 100)))
          (i32.load (i32.load (i32.const ${RETURN_AREA}))))`;
      expect(exitCodeOf(await runProbe(fixture.kernel, listed("/full"), domain))).to.equal(4 * 1000 + (0x01 | (0x01 << 8) | ("y".charCodeAt(0) << 24)));
      expect(exitCodeOf(await runProbe(fixture.kernel, listed("/ro/sub"), domain))).to.equal(8 * 1000 + (0x01 | (0x05 << 8) | ("b".charCodeAt(0) << 24)));
      expect(exitCodeOf(await runProbe(fixture.kernel, `(local.set $b (call $blockCreate (i32.const 64))) (i32.wrap_i64 (call $listDirectory {/rw} (local.get $b)))`, domain))).to.equal(0);
    });

    it(`list-directory leaves a listing larger than the block open as a handle that read-directory goes on with (${domain} domain)`, async () => {
      // /ro's nine entries take 59 bytes: a 16-byte block holds a few; main = all bytes * 10 + whether a handle came back.
      const run = await runProbe(fixture.kernel, `
        (local $r i64)
        (local.set $b (call $blockCreate (i32.const 16)))
        (local.set $r (call $listDirectory {/ro} (local.get $b)))
        (local.set $h (i32.wrap_i64 (i64.shr_u (local.get $r) (i64.const 32))))
        (local.set $g (i32.wrap_i64 (local.get $r)))
        (block $done (loop $more
          (local.set $r (i64.extend_i32_s (call $readDirectory (local.get $h) (local.get $b))))
          (br_if $done (i64.le_s (local.get $r) (i64.const 0)))
          (local.set $g (i32.add (local.get $g) (i32.wrap_i64 (local.get $r))))
          (br $more)))
        (i32.add (i32.mul (local.get $g) (i32.const 10)) (i32.ne (local.get $h) (i32.const 0)))`, domain);
      expect(exitCodeOf(run)).to.equal(59 * 10 + 1);
    });

    it(`appends at the end, truncates on open, renames, unlinks, makes and removes directories (${domain} domain)`, async () => {
      const run = await runProbe(fixture.kernel, `
        (local.set $h (call $open {/rw/log} (i32.const ${WRITE | CREATE})))
        (drop (call $write (local.get $h) [ab]))
        (drop (call $close (local.get $h)))
        (local.set $h (call $open {/rw/log} (i32.const ${WRITE | APPEND})))
        (drop (call $seek (local.get $h) (i64.const 0) (i32.const 0)))
        (drop (call $write (local.get $h) [cd]))
        (drop (call $close (local.get $h)))
        (local.set $g (i32.const 0))
        (local.set $g (i32.or (local.get $g) (call $mkdir {/rw/dir})))
        (local.set $g (i32.or (local.get $g) (call $rename {/rw/log} {/rw/dir/log})))
        (local.set $g (i32.or (local.get $g) (call $mkdir {/m})))
        (local.set $g (i32.or (local.get $g) (call $removeDirectory {/m})))
        (local.set $h (call $open {/f} (i32.const ${WRITE | TRUNCATE})))
        (local.set $g (i32.or (local.get $g) (call $rename {/d/x} {/d/y})))
        (local.set $g (i32.or (local.get $g) (call $unlink {/d/y})))
        (local.get $g)`, domain);
      expect(exitCodeOf(run)).to.equal(0);
      expect(readFileSync(join(fixture.writable, "dir", "log"), "utf8")).to.equal("abcd");
      const files = fixture.kernel.services.files!;
      expect(files.stat("/f")).to.deep.equal({ type: 1, size: 0 });
      expect(() => files.stat("/m")).to.throw(/does not exist/);
      expect(() => files.stat("/d/y")).to.throw(/does not exist/);
    });

    it(`a process without the files capability gets notPermitted from every path call (${domain} domain)`, async () => {
      for (const body of [`(call $open {/f} (i32.const ${READ}))`, `(i32.wrap_i64 (call $stat {/f}))`, `(local.set $b (call $blockCreate (i32.const 16))) (i32.wrap_i64 (call $listDirectory {/d} (local.get $b)))`, `(call $mkdir {/x})`, `(call $unlink {/f})`, `(call $removeDirectory {/d})`, `(call $rename {/f} {/g})`]) {
        expect(exitCodeOf(await runProbe(fixture.kernel, body, domain, null)), body).to.equal(-ErrorCode.notPermitted);
      }
    });

    it(`files with read rights only may look but not change (${domain} domain)`, async () => {
      expect(exitCodeOf(await runProbe(fixture.kernel, `(i32.wrap_i64 (call $stat {/f}))`, domain, ["read"]))).to.equal(5);
      for (const body of [`(call $open {/f} (i32.const ${WRITE}))`, `(call $mkdir {/x})`, `(call $unlink {/f})`, `(call $rename {/f} {/g})`, `(call $removeDirectory {/d})`]) {
        expect(exitCodeOf(await runProbe(fixture.kernel, body, domain, ["read"])), body).to.equal(-ErrorCode.notPermitted);
      }
    });

    it(`closes the files a process leaves open when it ends, by exit or by fault (${domain} domain)`, async () => {
      const descriptorsBefore = readdirSync("/proc/self/fd").length;
      const openThree = `(drop (call $open {/f} (i32.const ${READ}))) (drop (call $open {/ro/a.txt} (i32.const ${READ}))) (drop (call $open {/ro/sub} (i32.const ${READ})))`;
      const exited = await runProbe(fixture.kernel, `${openThree} (i32.const 0)`, domain);
      expect(openFileCount(exited.process.capabilities)).to.equal(0);
      const faulted = await runProbe(fixture.kernel, `${openThree} unreachable`, domain);
      expect(faulted.status.kind).to.equal("faulted");
      expect(openFileCount(faulted.process.capabilities)).to.equal(0);
      expect(readdirSync("/proc/self/fd").length).to.equal(descriptorsBefore);
    });

    it(`refuses the open past ${MAX_OPEN_FILES_PER_PROCESS} files with noMemory, and a close makes room (${domain} domain)`, async () => {
      // main = the first failing open's result * 10 + whether an open after a close works.
      const run = await runProbe(fixture.kernel, `
        (block $full (loop $more
          (local.set $h (call $open {/f} (i32.const ${READ})))
          (br_if $full (i32.lt_s (local.get $h) (i32.const 0)))
          (local.set $g (local.get $h))
          (local.set $b (i32.add (local.get $b) (i32.const 1)))
          (br $more)))
        (drop (call $close (local.get $g)))
        (i32.add (i32.mul (local.get $h) (i32.const 10)) (i32.add (i32.gt_s (call $open {/f} (i32.const ${READ})) (i32.const 0)) (i32.mul (local.get $b) (i32.const 0))))`, domain);
      expect(exitCodeOf(run)).to.equal(-ErrorCode.noMemory * 10 + 1);
    });

    it(`a dropped file handle is stale: later calls answer badHandle (${domain} domain)`, async () => {
      const run = await runProbe(fixture.kernel, `
        (local.set $h (call $open {/f} (i32.const ${READ})))
        (drop (call $drop (local.get $h)))
        (local.set $b (call $blockCreate (i32.const 16)))
        (call $read (local.get $h) (local.get $b) (i32.const 0) (i32.const 4))`, domain);
      expect(exitCodeOf(run)).to.equal(-ErrorCode.badHandle);
    });
  }
});

describe("kernel/files mount specs", () => {
  it("reads HOST::GUEST as read-only and HOST::GUEST::rw as writable, normalizing the guest path", () => {
    expect(parseMountSpec("/tmp/x::/data")).to.deep.equal({ hostDirectory: "/tmp/x", guestPath: "/data", writable: false });
    expect(parseMountSpec("rel::/data//sub/::rw")).to.deep.equal({ hostDirectory: "rel", guestPath: "/data/sub", writable: true });
  });

  const MALFORMED: readonly [string, RegExp][] = [
    ["/tmp/x", /expected HOST::GUEST/],
    ["/tmp/x:/data", /expected HOST::GUEST/],
    ["::/data", /host directory is empty/],
    ["/tmp/x::data", /must be absolute/],
    ["/tmp/x::/data::ro", /unknown mode 'ro'/],
    ["/tmp/x::/data::rw::more", /expected HOST::GUEST/],
    ["/tmp/x::/", /the root is the in-memory tree/],
    ["/tmp/x::/data/../etc", /may not contain \. or \.\./],
  ];
  for (const [spec, message] of MALFORMED) {
    it(`refuses '${spec}' with a message naming the usage`, () => {
      expect(() => parseMountSpec(spec)).to.throw(message);
      expect(() => parseMountSpec(spec)).to.throw(/usage: --dir HOST::GUEST\[::rw\]/);
    });
  }
});
