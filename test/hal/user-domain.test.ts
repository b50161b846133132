// Conformance of user domains: apps run behind the trap boundary and report how they ended.
import { expect } from "chai";
import { NodeCpu, NodeTimer, runModule } from "../../hal/node/index.js";
import { Syscall } from "../../runtime/abi/index.js";
import { FakeKernel, appBinary, assembleWat, domainSpec } from "./helpers.js";

describe("hal user domains", () => {
  const cpu = new NodeCpu(new NodeTimer());

  it("runs hello behind the trap boundary and its console text is exactly the greeting and its arguments", async () => {
    const kernel = new FakeKernel(["one", "two"]);
    const domain = runModule(cpu, domainSpec(appBinary("hello"), { name: "hello" }), kernel);
    const outcome = await domain.completion;
    expect(outcome).to.deep.equal({ kind: "returned", value: 0 });
    expect(kernel.output).to.equal("Hello from Singlet!\nargs: one two\n");
  });

  it("counts ring switches per call kind and page-table and TLB activity for hello", async () => {
    const kernel = new FakeKernel(["x"]);
    const domain = runModule(cpu, domainSpec(appBinary("hello")), kernel);
    await domain.completion;
    const stats = domain.stats();
    expect(stats.trapsByCall).to.deep.equal({ "console.write": 2, "process.arg-count": 1, "process.arg-get": 1 });
    // The instantiation and the entry, there and back, and four kernel calls.
    expect(stats.ringSwitches).to.equal(2 + 2 + 2 * 4);
    expect(stats.ringSwitchesByCall).to.deep.equal({ "console.write": 4, "process.arg-count": 2, "process.arg-get": 2 });
    expect(stats.tlb.hits + stats.tlb.misses).to.be.greaterThan(0);
    expect(stats.tlb.misses).to.be.greaterThan(0);
    expect(stats.pagesMapped).to.be.greaterThan(0);
    expect(stats.pageFaults).to.equal(0);
    expect(stats.memoryPages).to.equal(1);
    expect(stats.kernelWaitersPending).to.equal(0);
  });

  it("accepts a compiled module as well as bytes", async () => {
    const kernel = new FakeKernel();
    const domain = runModule(cpu, domainSpec(new WebAssembly.Module(appBinary("hello"))), kernel);
    expect(await domain.completion).to.deep.equal({ kind: "returned", value: 0 });
    expect(kernel.output).to.equal("Hello from Singlet!\nargs: (none)\n");
  });

  it("derives the layout of a compiled module from the bytes given beside it", async () => {
    const binary = appBinary("hello");
    const withBytes = runModule(cpu, domainSpec(new WebAssembly.Module(binary), { binary }), new FakeKernel());
    const without = runModule(cpu, domainSpec(new WebAssembly.Module(binary)), new FakeKernel());
    await Promise.all([withBytes.completion, without.completion]);
    expect(withBytes.addressSpace()!.regions().map((region) => region.kind)).to.deep.equal(["code", "data", "guard", "stack", "heap"]);
    expect(without.addressSpace()!.regions().map((region) => region.kind)).to.deep.equal(["code"]);
    expect(without.stats().pagesMapped).to.equal(16);
  });

  it("completes as exited when the kernel answers process.exit, and the process runs no further", async () => {
    const kernel = new FakeKernel();
    kernel.intercept = (_domain, syscallNumber) => syscallNumber === Syscall.consoleWrite ? { kind: "exit", code: 3 } : undefined;
    const domain = runModule(cpu, domainSpec(appBinary("hello")), kernel);
    expect(await domain.completion).to.deep.equal({ kind: "exited", code: 3 });
    expect(kernel.calls).to.deep.equal([Syscall.consoleWrite]);
  });

  it("reports a Wasm trap as a fault with function index, name and byte offset", async () => {
    const kernel = new FakeKernel();
    const outcome = await runModule(cpu, domainSpec(appBinary("fault")), kernel).completion;
    expect(outcome.kind).to.equal("faulted");
    if (outcome.kind !== "faulted") return;
    expect(outcome.fault.kind).to.equal("trap");
    expect(outcome.fault.message).to.match(/out of bounds/);
    expect(outcome.fault.functionIndex).to.be.a("number");
    expect(outcome.fault.byteOffset).to.be.a("number");
    expect(outcome.fault.functionName).to.equal("apps/fault/main/main");
    expect(kernel.output).to.equal("fault: about to touch memory that does not exist\n");
  });

  it("reports an abort the kernel turns into a fault as a kernel fault with its message", async () => {
    const kernel = new FakeKernel(["abort"]);
    const outcome = await runModule(cpu, domainSpec(appBinary("fault")), kernel).completion;
    expect(outcome.kind).to.equal("faulted");
    if (outcome.kind !== "faulted") return;
    expect(outcome.fault.kind).to.equal("kernel");
    expect(outcome.fault.message).to.match(/^abort: fault asked to abort at apps\/fault\/main\.ts:\d+:\d+/);
  });

  it("turns a kernel handler that throws into a kernel fault rather than a kernel crash", async () => {
    const kernel = new FakeKernel();
    kernel.intercept = () => { throw new Error("handler bug"); };
    const outcome = await runModule(cpu, domainSpec(appBinary("hello")), kernel).completion;
    expect(outcome).to.deep.equal({ kind: "faulted", fault: { kind: "kernel", message: "kernel failed serving console.write: handler bug" } });
  });

  it("faults with out-of-memory before starting a module whose initial memory exceeds the limit", async () => {
    const outcome = await runModule(cpu, domainSpec(appBinary("hello"), { memoryLimitPages: 0 }), new FakeKernel()).completion;
    expect(outcome.kind).to.equal("faulted");
    if (outcome.kind === "faulted") expect(outcome.fault.kind).to.equal("out-of-memory");
  });

  it("lowers a u64 result as a 64-bit integer", async () => {
    const binary = await assembleWat("clock", `(module
      (import "singlet:kernel/clock@0.1.0" "now" (func $now (result i64)))
      (func (export "main") (result i32) (i32.wrap_i64 (i64.shr_u (call $now) (i64.const 8)))))`);
    const outcome = await runModule(cpu, domainSpec(binary), new FakeKernel()).completion;
    expect(outcome).to.deep.equal({ kind: "returned", value: Number(123456789n >> 8n) });
  });

  it("reports a module importing outside the kernel ABI as a trap that names the link error", async () => {
    const binary = await assembleWat("bad-import", `(module
      (import "singlet:kernel/console@0.1.0" "no-such-call" (func $missing))
      (func (export "main") (result i32) (i32.const 0)))`);
    const outcome = await runModule(cpu, domainSpec(binary), new FakeKernel()).completion;
    expect(outcome.kind).to.equal("faulted");
    if (outcome.kind === "faulted") expect(outcome.fault.message).to.match(/^module cannot run: /);
  });

  it("reports a missing entry export as a trap", async () => {
    const binary = await assembleWat("no-entry", `(module (func (export "start") (result i32) (i32.const 0)))`);
    const outcome = await runModule(cpu, domainSpec(binary), new FakeKernel()).completion;
    expect(outcome).to.deep.equal({ kind: "faulted", fault: { kind: "trap", message: "module exports no function 'main'" } });
  });

  it("charges a start function that never returns against the CPU budget", async () => {
    const binary = await assembleWat("endless-start", `(module
      (func $forever (loop $again (br $again)))
      (start $forever)
      (func (export "main") (result i32) (i32.const 0)))`);
    const outcome = await runModule(cpu, domainSpec(binary, { cpuBudgetMilliseconds: 100 }), new FakeKernel()).completion;
    expect(outcome.kind).to.equal("faulted");
    if (outcome.kind === "faulted") expect(outcome.fault.kind).to.equal("cpu-budget");
  });
});
