// Conformance of the boundary's memory protection: bad pointers passed to kernel calls fault
// as the page table says, and become EFAULT or a kill as the process's policy says.
import { expect } from "chai";
import { NodeCpu, NodeTimer, runModule } from "../../hal/node/index.js";
import { PageFlag, type BadPointerPolicy, type RegionRequest } from "../../hal/hil/index.js";
import { ErrorCode } from "../../runtime/abi/index.js";
import { FakeKernel, assembleWat, consoleWriteModule, domainSpec } from "./helpers.js";

const READ_ONLY_PAGE: RegionRequest = { kind: "shared", address: 0x9000, length: 0x1000, flags: PageFlag.present | PageFlag.user };

/** Each row: a kernel call given a pointer the page table refuses. */
const badPointers: { name: string; main: string; regions?: RegionRequest[]; address: number }[] = [
  { name: "outside memory", main: consoleWriteModule(65530, 10), address: 65536 },
  { name: "into the stack guard page", main: consoleWriteModule(0x1010, 4), address: 0x1010 },
  { name: "wrapping past 4 GiB", main: consoleWriteModule(-16, 64), address: 0xfffffff0 },
  {
    name: "into a read-only page that the call writes (batch entries)",
    main: `(module
      (import "singlet:kernel/batch@0.1.0" "submit" (func $submit (param i32 i32) (result i32)))
      (memory (export "memory") 1)
      (func (export "main") (result i32) (call $submit (i32.const 0x9000) (i32.const 1))))`,
    regions: [READ_ONLY_PAGE],
    address: 0x9000,
  },
];

describe("hal protection of kernel-call pointers", () => {
  const cpu = new NodeCpu(new NodeTimer());

  for (const row of badPointers) {
    for (const policy of ["efault", "kill"] as BadPointerPolicy[]) {
      it(`answers a pointer ${row.name} with ${policy === "efault" ? "-14 (EFAULT)" : "a bad-address kill"} under the ${policy} policy`, async () => {
        const kernel = new FakeKernel();
        const binary = await assembleWat(row.name, row.main);
        const domain = runModule(cpu, domainSpec(binary, { badPointerPolicy: policy, regions: row.regions }), kernel);
        const outcome = await domain.completion;
        if (policy === "efault") {
          expect(outcome).to.deep.equal({ kind: "returned", value: -ErrorCode.badAddress });
        } else {
          expect(outcome.kind).to.equal("faulted");
          if (outcome.kind !== "faulted") return;
          expect(outcome.fault.kind).to.equal("bad-address");
          expect(outcome.fault.address).to.equal(row.address);
        }
        expect(kernel.calls, "the kernel never sees a call with a bad pointer").to.deep.equal([]);
        expect(domain.stats().pageFaults).to.equal(1);
      });
    }
  }

  it("lets a process read from a read-only page it was given", async () => {
    const kernel = new FakeKernel();
    const binary = await assembleWat("read-only-read", consoleWriteModule(0x9000, 0, `(data (i32.const 0x9000) "r\\00o\\00")`).replace("(i32.const 0))", "(i32.const 2))"));
    const outcome = await runModule(cpu, domainSpec(binary, { regions: [READ_ONLY_PAGE] }), kernel).completion;
    expect(outcome).to.deep.equal({ kind: "returned", value: 2 });
    expect(kernel.output).to.equal("ro");
  });

  it("kills a process whose string result cannot be written back, whatever the policy", async () => {
    const kernel = new FakeKernel(["argument"]);
    const binary = await assembleWat("bad-return-area", `(module
      (import "singlet:kernel/process@0.1.0" "arg-get" (func $argGet (param i32 i32)))
      (memory (export "memory") 1)
      (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32) (i32.const 256))
      (func (export "main") (result i32) (call $argGet (i32.const 0) (i32.const 0x9000)) (i32.const 0)))`);
    const outcome = await runModule(cpu, domainSpec(binary, { regions: [READ_ONLY_PAGE] }), kernel).completion;
    expect(outcome.kind).to.equal("faulted");
    if (outcome.kind === "faulted") expect(outcome.fault).to.include({ kind: "bad-address", address: 0x9000 });
  });

  it("writes a string result through cabi_realloc and the return area", async () => {
    const kernel = new FakeKernel(["héllo"]);
    const binary = await assembleWat("arg-echo", `(module
      (import "singlet:kernel/process@0.1.0" "arg-get" (func $argGet (param i32 i32)))
      (import "singlet:kernel/console@0.1.0" "write" (func $write (param i32 i32) (result i32)))
      (memory (export "memory") 1)
      (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32) (i32.const 256))
      (func (export "main") (result i32)
        (call $argGet (i32.const 0) (i32.const 64))
        (call $write (i32.load (i32.const 64)) (i32.load (i32.const 68)))))`);
    const outcome = await runModule(cpu, domainSpec(binary), kernel).completion;
    expect(outcome).to.deep.equal({ kind: "returned", value: 5 });
    expect(kernel.output).to.equal("héllo");
  });

  it("shoots down the TLB when the kernel protects a page while the process runs", async () => {
    const kernel = new FakeKernel();
    let writes = 0;
    kernel.intercept = (domain, syscallNumber) => {
      if (syscallNumber === 6 && ++writes === 1) domain.addressSpace(0).protect(0, 0x1000, PageFlag.user);
      return undefined;
    };
    const binary = await assembleWat("protect-midway", `(module
      (import "singlet:kernel/console@0.1.0" "write" (func $write (param i32 i32) (result i32)))
      (memory (export "memory") 1)
      (data (i32.const 16) "o\\00k\\00")
      (func (export "main") (result i32)
        (drop (call $write (i32.const 16) (i32.const 2)))
        (call $write (i32.const 16) (i32.const 2))))`);
    const domain = runModule(cpu, domainSpec(binary), kernel);
    expect(await domain.completion).to.deep.equal({ kind: "returned", value: -ErrorCode.badAddress });
    expect(kernel.output).to.equal("ok");
    expect(domain.stats().tlb.flushes).to.be.greaterThan(0);
  });

  it("faults with out-of-memory when linear memory grows past the limit, observed at the next trap", async () => {
    const binary = await assembleWat("grow", `(module
      (import "singlet:kernel/process@0.1.0" "id" (func $id (result i32)))
      (memory (export "memory") 1)
      (func (export "main") (result i32) (drop (memory.grow (i32.const 4))) (call $id)))`);
    const outcome = await runModule(cpu, domainSpec(binary, { memoryLimitPages: 2 }), new FakeKernel()).completion;
    expect(outcome.kind).to.equal("faulted");
    if (outcome.kind === "faulted") expect(outcome.fault).to.deep.equal({ kind: "out-of-memory", message: "linear memory grew to 5 pages (limit 2)" });
  });

  it("maps memory growth within the limit as heap and counts the pages", async () => {
    const binary = await assembleWat("grow-within", `(module
      (import "singlet:kernel/process@0.1.0" "id" (func $id (result i32)))
      (memory (export "memory") 1)
      (func (export "main") (result i32) (drop (memory.grow (i32.const 1))) (call $id)))`);
    const domain = runModule(cpu, domainSpec(binary, { memoryLimitPages: 2 }), new FakeKernel());
    expect(await domain.completion).to.deep.equal({ kind: "returned", value: 7 });
    expect(domain.stats().memoryPages).to.equal(2);
    expect(domain.stats().pagesMapped).to.equal(32);
  });
});
