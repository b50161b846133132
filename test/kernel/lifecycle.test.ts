// Conformance: process lifecycle of in-kernel SIPs — start, run, exit code, faults, release.
import { expect } from "chai";
import { appBytes, runCaptured, spawnCaptured, testKernel } from "../helpers/kernel.js";
import { assembleWat, conformantModule, fixtureManifest } from "../helpers/wat.js";

describe("kernel/lifecycle", () => {
  it("runs hello in the kernel domain with its arguments and exit code 0", async () => {
    const kernel = testKernel();
    const image = kernel.load(appBytes("hello"));
    expect(image.verified).to.equal(true);
    const run = await runCaptured(kernel, image, { args: ["a", "b"] });
    expect(run.status).to.deep.equal({ kind: "exited", code: 0 });
    expect(run.stdout).to.equal("Hello from Singlet!\nargs: a b\n");
    expect(run.process.domain).to.equal("kernel");
  });

  it("reports a trap as a fault naming the function and keeps a healthy neighbour running", async () => {
    const kernel = testKernel();
    const faulting = spawnCaptured(kernel, kernel.load(appBytes("fault")));
    const healthy = spawnCaptured(kernel, kernel.load(appBytes("hello")), { args: ["ok"] });
    const [faulted, finished] = await Promise.all([faulting.done, healthy.done]);
    expect(faulted.status.kind).to.equal("faulted");
    if (faulted.status.kind !== "faulted") return;
    expect(faulted.status.fault.kind).to.equal("trap");
    expect(faulted.status.fault.message).to.match(/out of bounds/);
    expect(faulted.status.fault.functionName).to.be.a("string").and.match(/main/);
    expect(faulted.status.fault.byteOffset).to.be.a("number");
    expect(finished.status).to.deep.equal({ kind: "exited", code: 0 });
    expect(finished.stdout).to.contain("args: ok");
  });

  it("reports an AssemblyScript abort with its message and source location", async () => {
    const kernel = testKernel();
    const run = await runCaptured(kernel, kernel.load(appBytes("fault")), { args: ["abort"] });
    expect(run.status).to.deep.include({ kind: "faulted" });
    if (run.status.kind !== "faulted") return;
    expect(run.status.fault).to.include({ kind: "abort", message: "fault asked to abort", file: "apps/fault/main.ts" });
    expect(run.status.fault.line).to.be.greaterThan(0);
  });

  it("releases a dead process's handles and forgets it in the process table", async () => {
    const kernel = testKernel();
    const { process, done } = spawnCaptured(kernel, kernel.load(appBytes("fault")));
    expect(kernel.processes.count).to.equal(1);
    expect(process.capabilities.size).to.equal(1);
    await done;
    expect(process.capabilities.size).to.equal(0);
    expect(kernel.processes.count).to.equal(0);
    expect(process.state).to.equal("exited");
  });

  it("takes the exit code from process.exit, unwinding the rest of main", async () => {
    const kernel = testKernel();
    const bytes = await assembleWat(conformantModule(
      `(import "singlet:kernel/process@0.1.0" "exit" (func $exit (param i32)))`,
      `(call $exit (i32.const 42)) (i32.const 7)`,
    ));
    const run = await runCaptured(kernel, kernel.load(bytes, { manifest: fixtureManifest("exiter") }));
    expect(run.status).to.deep.equal({ kind: "exited", code: 42 });
  });

  it("uses main's result as the exit code when exit is never called", async () => {
    const kernel = testKernel();
    const bytes = await assembleWat(conformantModule("", `(i32.const 3)`));
    const run = await runCaptured(kernel, kernel.load(bytes, { manifest: fixtureManifest("three") }));
    expect(run.status).to.deep.equal({ kind: "exited", code: 3 });
  });

  it("turns unbounded recursion into a stack-overflow fault", async () => {
    const kernel = testKernel();
    const bytes = await assembleWat(conformantModule("", `(call $recurse (i32.const 0))`,
      `(func $recurse (param i32) (result i32) (call $recurse (i32.add (local.get 0) (i32.const 1))))`));
    const run = await runCaptured(kernel, kernel.load(bytes, { manifest: fixtureManifest("recurse") }));
    expect(run.status.kind).to.equal("faulted");
    if (run.status.kind === "faulted") expect(run.status.fault.kind).to.equal("stack-overflow");
  });

  it("loads the same module twice from the image cache", () => {
    const kernel = testKernel();
    const first = kernel.load(appBytes("hello"));
    const second = kernel.load(appBytes("hello"));
    expect(second).to.equal(first);
    expect(kernel.loader.hits).to.equal(1);
  });

  it("refuses to load a malformed module and says it is malformed", () => {
    const kernel = testKernel();
    const garbage = new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 0x99, 0x01]);
    expect(() => kernel.load(garbage)).to.throw(/malformed module/);
    expect(kernel.processes.count).to.equal(0);
  });
});
