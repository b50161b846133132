// Every error code of every file call, as a table of {call, body, expected code}, run in both
// domains: the body is a probe's main (test/helpers/file-probe.ts) and returns the call's result.
import { expect } from "chai";
import { ErrorCode, SYSCALL_NAMES } from "../../runtime/abi/index.js";
import { exitCodeOf, fileFixture, runProbe, type FileFixture } from "../helpers/file-probe.js";

const READ = 1, WRITE = 2, CREATE = 4, DIRECTORY = 64;
const LONG_NAME = "n".repeat(256);
const opened = (path: string, flags: number) => `(local.set $h (call $open {${path}} (i32.const ${flags})))`;
const block = (size: number) => `(local.set $b (call $blockCreate (i32.const ${size})))`;

interface Row {
  readonly call: string;
  readonly what: string;
  readonly body: string;
  readonly code: number;
}

const ROWS: readonly Row[] = [
  { call: "open", what: "a missing file", body: `(call $open {/nothing} (i32.const ${READ}))`, code: ErrorCode.notFound },
  { call: "open", what: "create exclusive of an existing file", body: `(call $open {/f} (i32.const ${WRITE | CREATE | 32}))`, code: ErrorCode.alreadyExists },
  { call: "open", what: "a path through a file", body: `(call $open {/f/x} (i32.const ${READ}))`, code: ErrorCode.notDirectory },
  { call: "open", what: "a file as a directory", body: `(call $open {/f} (i32.const ${DIRECTORY}))`, code: ErrorCode.notDirectory },
  { call: "open", what: "a directory for writing", body: `(call $open {/d} (i32.const ${WRITE}))`, code: ErrorCode.isDirectory },
  { call: "open", what: "a file on a read-only mount for writing", body: `(call $open {/ro/a.txt} (i32.const ${WRITE}))`, code: ErrorCode.readOnly },
  { call: "open", what: "a name over 255 bytes", body: `(call $open {/${LONG_NAME}} (i32.const ${READ}))`, code: ErrorCode.nameTooLong },
  { call: "open", what: "no access flag", body: `(call $open {/f} (i32.const 0))`, code: ErrorCode.invalidArgument },
  { call: "open", what: "an unknown flag", body: `(call $open {/f} (i32.const 128))`, code: ErrorCode.invalidArgument },
  { call: "open", what: "create without write", body: `(call $open {/g} (i32.const ${READ | CREATE}))`, code: ErrorCode.invalidArgument },
  { call: "open", what: "a symbolic link loop", body: `(call $open {/ro/loop} (i32.const ${READ}))`, code: ErrorCode.tooManyLinks },
  { call: "open", what: "an empty path", body: `(call $open {} (i32.const ${READ}))`, code: ErrorCode.invalidArgument },
  { call: "close", what: "a forged handle", body: `(call $close (i32.const 0x10005))`, code: ErrorCode.badHandle },
  { call: "close", what: "a handle already closed", body: `${opened("/f", READ)} (drop (call $close (local.get $h))) (call $close (local.get $h))`, code: ErrorCode.badHandle },
  { call: "close", what: "a block handle", body: `${block(16)} (call $close (local.get $b))`, code: ErrorCode.badHandle },
  { call: "read", what: "a forged handle", body: `${block(16)} (call $read (i32.const 0x10009) (local.get $b) (i32.const 0) (i32.const 4))`, code: ErrorCode.badHandle },
  { call: "read", what: "a directory", body: `${opened("/d", DIRECTORY)} ${block(16)} (call $read (local.get $h) (local.get $b) (i32.const 0) (i32.const 4))`, code: ErrorCode.isDirectory },
  { call: "read", what: "a file opened write-only", body: `${opened("/rw/w", WRITE | CREATE)} ${block(16)} (call $read (local.get $h) (local.get $b) (i32.const 0) (i32.const 4))`, code: ErrorCode.notPermitted },
  { call: "read", what: "a range outside the block", body: `${opened("/f", READ)} ${block(16)} (call $read (local.get $h) (local.get $b) (i32.const 10) (i32.const 10))`, code: ErrorCode.invalidArgument },
  { call: "read", what: "a huge length", body: `${opened("/f", READ)} ${block(16)} (call $read (local.get $h) (local.get $b) (i32.const 0) (i32.const -1))`, code: ErrorCode.invalidArgument },
  { call: "read", what: "a file handle as the block", body: `${opened("/f", READ)} (call $read (local.get $h) (local.get $h) (i32.const 0) (i32.const 1))`, code: ErrorCode.badHandle },
  { call: "write", what: "a file opened read-only", body: `${opened("/f", READ)} (call $write (local.get $h) [data])`, code: ErrorCode.readOnly },
  { call: "write", what: "a forged handle", body: `(call $write (i32.const 0x10003) [data])`, code: ErrorCode.badHandle },
  { call: "write", what: "past the in-memory file limit", body: `${opened("/big", WRITE | CREATE)} (drop (call $seek (local.get $h) (i64.const 16777216) (i32.const 0))) (call $write (local.get $h) [d])`, code: ErrorCode.fileTooBig },
  { call: "write", what: "past the host-mount file limit", body: `${opened("/rw/big", WRITE | CREATE)} (drop (call $seek (local.get $h) (i64.const 1073741824) (i32.const 0))) (call $write (local.get $h) [d])`, code: ErrorCode.fileTooBig },
  { call: "write", what: "a directory", body: `${opened("/d", READ)} (call $write (local.get $h) [d])`, code: ErrorCode.isDirectory },
  { call: "seek", what: "an unknown whence", body: `${opened("/f", READ)} (i32.wrap_i64 (call $seek (local.get $h) (i64.const 0) (i32.const 3)))`, code: ErrorCode.invalidArgument },
  { call: "seek", what: "before the start", body: `${opened("/f", READ)} (i32.wrap_i64 (call $seek (local.get $h) (i64.const -1) (i32.const 0)))`, code: ErrorCode.invalidArgument },
  { call: "seek", what: "a directory", body: `${opened("/d", DIRECTORY)} (i32.wrap_i64 (call $seek (local.get $h) (i64.const 0) (i32.const 0)))`, code: ErrorCode.isDirectory },
  { call: "seek", what: "a forged handle", body: `(i32.wrap_i64 (call $seek (i32.const 0x20007) (i64.const 0) (i32.const 0)))`, code: ErrorCode.badHandle },
  { call: "read-directory", what: "a file", body: `${opened("/f", READ)} ${block(64)} (call $readDirectory (local.get $h) (local.get $b))`, code: ErrorCode.notDirectory },
  { call: "read-directory", what: "a forged handle", body: `${block(64)} (call $readDirectory (i32.const 0x10004) (local.get $b))`, code: ErrorCode.badHandle },
  { call: "read-directory", what: "a block too small for the next entry", body: `${opened("/d", DIRECTORY)} ${block(2)} (call $readDirectory (local.get $h) (local.get $b))`, code: ErrorCode.invalidArgument },
  { call: "list-directory", what: "a missing directory", body: `${block(64)} (i32.wrap_i64 (call $listDirectory {/nothing} (local.get $b)))`, code: ErrorCode.notFound },
  { call: "list-directory", what: "a file", body: `${block(64)} (i32.wrap_i64 (call $listDirectory {/f} (local.get $b)))`, code: ErrorCode.notDirectory },
  { call: "list-directory", what: "a host file", body: `${block(64)} (i32.wrap_i64 (call $listDirectory {/ro/a.txt} (local.get $b)))`, code: ErrorCode.notDirectory },
  { call: "list-directory", what: "a name over 255 bytes", body: `${block(64)} (i32.wrap_i64 (call $listDirectory {/${LONG_NAME}} (local.get $b)))`, code: ErrorCode.nameTooLong },
  { call: "list-directory", what: "a symbolic link loop", body: `${block(64)} (i32.wrap_i64 (call $listDirectory {/ro/loop} (local.get $b)))`, code: ErrorCode.tooManyLinks },
  { call: "list-directory", what: "a link out of its mount", body: `${block(64)} (i32.wrap_i64 (call $listDirectory {/ro/out} (local.get $b)))`, code: ErrorCode.notPermitted },
  { call: "list-directory", what: "an empty path", body: `${block(64)} (i32.wrap_i64 (call $listDirectory {} (local.get $b)))`, code: ErrorCode.invalidArgument },
  { call: "list-directory", what: "a forged block handle", body: `(i32.wrap_i64 (call $listDirectory {/d} (i32.const 0x10004)))`, code: ErrorCode.badHandle },
  { call: "list-directory", what: "a file handle as the block", body: `${opened("/f", READ)} (i32.wrap_i64 (call $listDirectory {/d} (local.get $h)))`, code: ErrorCode.badHandle },
  { call: "list-directory", what: "a block too small for the first entry", body: `${block(2)} (i32.wrap_i64 (call $listDirectory {/d} (local.get $b)))`, code: ErrorCode.invalidArgument },
  { call: "list-directory", what: "a host block too small for the first entry", body: `${block(2)} (i32.wrap_i64 (call $listDirectory {/ro/sub} (local.get $b)))`, code: ErrorCode.invalidArgument },
  { call: "stat", what: "a missing path", body: `(i32.wrap_i64 (call $stat {/ro/nothing}))`, code: ErrorCode.notFound },
  { call: "stat", what: "a path through a file", body: `(i32.wrap_i64 (call $stat {/f/g}))`, code: ErrorCode.notDirectory },
  { call: "stat-link", what: "a missing path", body: `(i32.wrap_i64 (call $statLink {/ro/nothing}))`, code: ErrorCode.notFound },
  { call: "stat-link", what: "a path through a file", body: `(i32.wrap_i64 (call $statLink {/f/g}))`, code: ErrorCode.notDirectory },
  { call: "stat-link", what: "a path through a link loop", body: `(i32.wrap_i64 (call $statLink {/ro/loop/x}))`, code: ErrorCode.tooManyLinks },
  { call: "stat-link", what: "a name over 255 bytes", body: `(i32.wrap_i64 (call $statLink {/${LONG_NAME}}))`, code: ErrorCode.nameTooLong },
  { call: "mkdir", what: "an existing name", body: `(call $mkdir {/d})`, code: ErrorCode.alreadyExists },
  { call: "mkdir", what: "a missing parent", body: `(call $mkdir {/nothing/d})`, code: ErrorCode.notFound },
  { call: "mkdir", what: "on a read-only mount", body: `(call $mkdir {/ro/new})`, code: ErrorCode.readOnly },
  { call: "unlink", what: "a directory", body: `(call $unlink {/d})`, code: ErrorCode.isDirectory },
  { call: "unlink", what: "a missing file", body: `(call $unlink {/rw/nothing})`, code: ErrorCode.notFound },
  { call: "unlink", what: "on a read-only mount", body: `(call $unlink {/ro/a.txt})`, code: ErrorCode.readOnly },
  { call: "unlink", what: "a mount point", body: `(call $unlink {/ro})`, code: ErrorCode.notPermitted },
  { call: "remove-directory", what: "a directory that is not empty", body: `(call $removeDirectory {/full})`, code: ErrorCode.notEmpty },
  { call: "remove-directory", what: "a file", body: `(call $removeDirectory {/f})`, code: ErrorCode.notDirectory },
  { call: "remove-directory", what: "a missing directory", body: `(call $removeDirectory {/nothing})`, code: ErrorCode.notFound },
  { call: "remove-directory", what: "on a read-only mount", body: `(call $removeDirectory {/ro/sub})`, code: ErrorCode.readOnly },
  { call: "remove-directory", what: "a mount point", body: `(call $removeDirectory {/rw})`, code: ErrorCode.notPermitted },
  { call: "rename", what: "between two mounts", body: `(call $rename {/f} {/rw/f})`, code: ErrorCode.crossDevice },
  { call: "rename", what: "a directory over one that is not empty", body: `(call $rename {/d} {/full})`, code: ErrorCode.notEmpty },
  { call: "rename", what: "a file over a directory", body: `(call $rename {/f} {/d})`, code: ErrorCode.isDirectory },
  { call: "rename", what: "a directory over a file", body: `(call $rename {/d} {/f})`, code: ErrorCode.notDirectory },
  { call: "rename", what: "a missing file", body: `(call $rename {/nothing} {/other})`, code: ErrorCode.notFound },
  { call: "rename", what: "on a read-only mount", body: `(call $rename {/ro/a.txt} {/ro/b.txt})`, code: ErrorCode.readOnly },
  { call: "rename", what: "a directory into itself", body: `(call $rename {/d} {/d/inner})`, code: ErrorCode.invalidArgument },
  { call: "rename", what: "a mount point", body: `(call $rename {/rw} {/elsewhere})`, code: ErrorCode.notPermitted },
];

describe("kernel/files error codes", function () {
  this.timeout(60_000);
  let fixture: FileFixture;
  before(() => {
    fixture = fileFixture();
  });
  after(() => fixture.remove());

  for (const domain of ["kernel", "user"] as const) {
    for (const row of ROWS) {
      it(`files.${row.call} answers ${row.code} for ${row.what} (${domain} domain)`, async () => {
        const run = await runProbe(fixture.kernel, row.body, domain);
        expect(exitCodeOf(run)).to.equal(-row.code);
      });
    }
  }

  it("every call of the files interface has a row", () => {
    const calls = new Set(ROWS.map((row) => row.call));
    const interfaceCalls = SYSCALL_NAMES.filter((name) => name.startsWith("files.")).map((name) => name.slice("files.".length));
    expect([...calls].sort()).to.deep.equal([...interfaceCalls].sort());
  });
});
