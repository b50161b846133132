// Conformance: kernel calls from in-kernel processes — argument checking, error codes, faults.
import { expect } from "chai";
import { ErrorCode } from "../../runtime/abi/index.js";
import { runCaptured, testKernel } from "../helpers/kernel.js";
import { assembleWat, conformantModule, fixtureManifest } from "../helpers/wat.js";

const CONSOLE_WRITE = `(import "singlet:kernel/console@0.1.0" "write" (func $write (param i32 i32) (result i32)))`;
const ARG_GET = `(import "singlet:kernel/process@0.1.0" "arg-get" (func $arg_get (param i32 i32)))`;

async function runModule(imports: string, mainBody: string, capabilities: string[] = ["console"], extra = "", args: string[] = []) {
  const kernel = testKernel();
  const bytes = await assembleWat(conformantModule(imports, mainBody, extra));
  return { kernel, run: await runCaptured(kernel, kernel.load(bytes, { manifest: fixtureManifest("fixture", capabilities) }), { args }) };
}

describe("kernel/syscalls", () => {
  it("returns bad-address when console.write points outside memory, and the process carries on", async () => {
    const { run } = await runModule(CONSOLE_WRITE, `(call $write (i32.const 65530) (i32.const 100))`);
    expect(run.status).to.deep.equal({ kind: "exited", code: -ErrorCode.badAddress });
    expect(run.stdout).to.equal("");
  });

  it("returns bad-address for a pointer near 4 GiB that would wrap around", async () => {
    const { run } = await runModule(CONSOLE_WRITE, `(call $write (i32.const -2) (i32.const 2))`);
    expect(run.status).to.deep.equal({ kind: "exited", code: -ErrorCode.badAddress });
  });

  it("returns not-permitted to a process without the console capability", async () => {
    const { run } = await runModule(CONSOLE_WRITE, `(call $write (i32.const 0) (i32.const 0))`, []);
    expect(run.status).to.deep.equal({ kind: "exited", code: -ErrorCode.notPermitted });
  });

  it("writes UTF-16 text from memory to the process's output", async () => {
    const { run } = await runModule(CONSOLE_WRITE, `(call $write (i32.const 16) (i32.const 3))`, ["console"],
      `(data (i32.const 16) "h\\00i\\00!\\00")`);
    expect(run.status).to.deep.equal({ kind: "exited", code: 3 });
    expect(run.stdout).to.equal("hi!");
  });

  it("decodes console.write text alike at every length, at an odd address and after memory grows", async () => {
    const text = "héllo → wörld ".repeat(24);
    const lengths = [1, 8, 9, 64, 65, text.length];
    const encoded = Array.from(text, (character) => {
      const unit = character.charCodeAt(0);
      return `\\${(unit & 0xff).toString(16).padStart(2, "0")}\\${(unit >> 8).toString(16).padStart(2, "0")}`;
    }).join("");
    const writes = (address: number) => lengths.map((length) => `(drop (call $write (i32.const ${address}) (i32.const ${length})))`).join(" ");
    const { run } = await runModule(CONSOLE_WRITE, `${writes(16)} (drop (memory.grow (i32.const 1))) ${writes(2049)} (i32.const 0)`, ["console"],
      `(data (i32.const 16) "${encoded}") (data (i32.const 2049) "${encoded}")`);
    expect(run.status).to.deep.equal({ kind: "exited", code: 0 });
    const once = lengths.map((length) => text.slice(0, length)).join("");
    expect(run.stdout).to.equal(once + once);
  });

  it("kills a process whose string result would land outside its memory", async () => {
    const { run } = await runModule(ARG_GET, `(call $arg_get (i32.const 0) (i32.const 70000)) (i32.const 0)`, ["console"], "", ["x"]);
    expect(run.status.kind).to.equal("faulted");
    if (run.status.kind === "faulted") {
      expect(run.status.fault.kind).to.equal("bad-address");
      expect(run.status.fault.message).to.contain("process.arg-get");
    }
  });

  it("allocates string results through the module's cabi_realloc", async () => {
    // main returns the length the kernel stored at the return area: "hello" is 5 units.
    const { run } = await runModule(ARG_GET, `(call $arg_get (i32.const 0) (i32.const 64)) (i32.load (i32.const 68))`, [], "", ["hello"]);
    expect(run.status).to.deep.equal({ kind: "exited", code: 5 });
  });

  it("returns bad-handle for a forged capability handle", async () => {
    const { run } = await runModule(
      `(import "singlet:kernel/capabilities@0.1.0" "kind" (func $kind (param i32) (result i32)))`,
      `(call $kind (i32.const 0x00050003))`);
    expect(run.status).to.deep.equal({ kind: "exited", code: -ErrorCode.badHandle });
  });

  it("says kernel mode from mode.current for an in-kernel process", async () => {
    const { run } = await runModule(`(import "singlet:kernel/mode@0.1.0" "current" (func $current (result i32)))`, `(call $current)`);
    expect(run.status).to.deep.equal({ kind: "exited", code: 1 });
  });

  it("hands out the manifest's capabilities as initial handles that restrict can only shrink", async () => {
    const imports = `
      (import "singlet:kernel/capabilities@0.1.0" "initial-get" (func $initial (param i32) (result i32)))
      (import "singlet:kernel/capabilities@0.1.0" "restrict" (func $restrict (param i32 i32) (result i32)))
      (import "singlet:kernel/capabilities@0.1.0" "rights" (func $rights (param i32) (result i32)))`;
    // Restrict console (write|grant) to write only, then try to widen back: not permitted.
    const { run } = await runModule(imports, `
      (local $handle i32) (local $narrow i32)
      (local.set $handle (call $initial (i32.const 0)))
      (local.set $narrow (call $restrict (local.get $handle) (i32.const 2)))
      (if (i32.ne (call $rights (local.get $narrow)) (i32.const 2)) (then (return (i32.const 100))))
      (call $restrict (local.get $narrow) (i32.const 6))`);
    expect(run.status).to.deep.equal({ kind: "exited", code: -ErrorCode.notPermitted });
  });

  it("refuses to start a process whose manifest asks for an unknown capability", async () => {
    const kernel = testKernel();
    const bytes = await assembleWat(conformantModule("", "(i32.const 0)"));
    const image = kernel.load(bytes, { manifest: fixtureManifest("greedy", ["root-shell"]) });
    expect(() => kernel.spawn(image)).to.throw(/unknown capability 'root-shell'/);
    expect(kernel.processes.count).to.equal(0);
  });
});
