// Conformance of user-domain lifecycles: preemption by CPU budget, termination in the middle of
// a kernel call, many domains at once; completion always settles exactly once.
import { expect } from "chai";
import { NodeCpu, NodeTimer, runModule } from "../../hal/node/index.js";
import type { UserDomainOutcome } from "../../hal/hil/index.js";
import { Syscall } from "../../runtime/abi/index.js";
import { FakeKernel, appBinary, assembleWat, domainSpec } from "./helpers.js";
import { threadExitsInKernelCall, threadThrowsAtBoot } from "./fixtures/index.js";

/** Counts event-loop turns until stopped: proof the main thread was free meanwhile. */
function countTicks(): { stop(): number } {
  let ticks = 0;
  let running = true;
  const tick = () => { if (running) { ticks++; setTimeout(tick, 1); } };
  setTimeout(tick, 1);
  return { stop() { running = false; return ticks; } };
}

describe("hal user-domain lifecycle", () => {
  const cpu = new NodeCpu(new NodeTimer());

  it("terminates a spinning app at its CPU budget and reports a cpu-budget fault", async () => {
    const kernel = new FakeKernel();
    const domain = runModule(cpu, domainSpec(appBinary("spin"), { cpuBudgetMilliseconds: 200 }), kernel);
    const outcome = await domain.completion;
    expect(outcome.kind).to.equal("faulted");
    if (outcome.kind === "faulted") expect(outcome.fault.kind).to.equal("cpu-budget");
    expect(kernel.output).to.equal("spin: starting an endless loop\n");
    expect(domain.stats().userMilliseconds).to.be.at.least(200);
    expect(domain.stats().kernelWaitersPending).to.equal(0);
  });

  it("keeps the main thread responsive while a user domain spins", async () => {
    const ticker = countTicks();
    await runModule(cpu, domainSpec(appBinary("spin"), { cpuBudgetMilliseconds: 200 }), new FakeKernel()).completion;
    expect(ticker.stop()).to.be.greaterThan(20);
  });

  it("stops a process that traps without end at its budget and keeps the main thread responsive", async () => {
    const binary = await assembleWat("endless-calls", `(module
      (import "singlet:kernel/process@0.1.0" "id" (func $id (result i32)))
      (func (export "main") (result i32) (loop $again (drop (call $id)) (br $again)) (i32.const 0)))`);
    const ticker = countTicks();
    const domain = runModule(cpu, domainSpec(binary, { cpuBudgetMilliseconds: 200 }), new FakeKernel());
    const outcome = await domain.completion;
    expect(outcome.kind).to.equal("faulted");
    if (outcome.kind === "faulted") expect(outcome.fault.kind).to.equal("cpu-budget");
    // It kept trapping until stopped; how many calls fit in the budget depends on the machine's load.
    expect(domain.stats().trapsByCall["process.id"]).to.be.greaterThan(1);
    expect(ticker.stop()).to.be.greaterThan(10);
  });

  it("settles once with a kernel fault when terminated from outside while running", async () => {
    const domain = runModule(cpu, domainSpec(appBinary("spin")), new FakeKernel());
    setTimeout(() => { domain.terminate("operator stop"); domain.terminate("second stop is ignored"); }, 50);
    expect(await domain.completion).to.deep.equal({ kind: "faulted", fault: { kind: "kernel", message: "operator stop" } });
  });

  for (const [label, userSpinIterations] of [["spinning", 1_000_000_000], ["sleeping in Atomics.wait", 0]] as const) {
    it(`leaves no waiter behind when terminated in the middle of a kernel call (user side ${label})`, async () => {
      const waitingCpu = new NodeCpu(new NodeTimer(), { userSpinIterations });
      const kernel = new FakeKernel();
      kernel.intercept = (domain, syscallNumber) => {
        if (syscallNumber === Syscall.consoleWrite) domain.terminate("killed during console.write");
        return undefined;
      };
      const domain = runModule(waitingCpu, domainSpec(appBinary("hello")), kernel);
      const outcomes: UserDomainOutcome[] = [];
      void domain.completion.then((outcome) => outcomes.push(outcome));
      const outcome = await domain.completion;
      expect(outcome).to.deep.equal({ kind: "faulted", fault: { kind: "kernel", message: "killed during console.write" } });
      expect(domain.stats().kernelWaitersPending).to.equal(0);
      // The instantiation there and back, the entry in, the call in: the call was entered but never answered.
      expect(domain.stats().ringSwitches, "the call was entered but never answered").to.equal(4);
      expect(domain.stats().ringSwitchesByCall).to.deep.equal({ "console.write": 1 });
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(outcomes).to.have.length(1);
    });
  }

  it("reports a thread that exits in the middle of a kernel call as a worker-crash fault and leaves no waiter", async () => {
    const dyingCpu = new NodeCpu(new NodeTimer(), { domainThreadScript: threadExitsInKernelCall });
    const kernel = new FakeKernel();
    const domain = runModule(dyingCpu, domainSpec(appBinary("hello")), kernel);
    const outcome = await domain.completion;
    // hello's first kernel call is in its start function, which runModule's instantiation runs while
    // the kernel thread blocks: the kernel usually sees the thread gone from the blocked wait. On a
    // loaded machine the thread can die before the kernel thread starts blocking, and the worker's
    // exit event tells first; either way it is the same crash, reported as one.
    expect(outcome.kind).to.equal("faulted");
    if (outcome.kind !== "faulted") return;
    expect(outcome.fault.kind).to.equal("worker-crash");
    expect(outcome.fault.message).to.match(/^the domain's thread stopped (during a blocking call|without reporting \(exit code \d+\))$/);
    // The thread died just after posting its first trap; whether the kernel served that trap first is a race.
    expect(kernel.calls).to.have.length.at.most(1);
    expect(domain.stats().kernelWaitersPending).to.equal(0);
    // The CPU is unharmed: the next domain on it runs normally.
    const healthy = new FakeKernel(["after"]);
    expect(await runModule(cpu, domainSpec(appBinary("hello")), healthy).completion).to.deep.equal({ kind: "returned", value: 0 });
    expect(healthy.output).to.equal("Hello from Singlet!\nargs: after\n");
  });

  it("reports a thread that dies of an uncaught error as a worker-crash fault with the error", async () => {
    const dyingCpu = new NodeCpu(new NodeTimer(), { domainThreadScript: threadThrowsAtBoot });
    const kernel = new FakeKernel();
    const domain = runModule(dyingCpu, domainSpec(appBinary("hello")), kernel);
    const outcome = await domain.completion;
    expect(outcome.kind).to.equal("faulted");
    if (outcome.kind === "faulted") {
      expect(outcome.fault.kind).to.equal("worker-crash");
      expect(outcome.fault.message).to.contain("injected failure in the domain thread");
    }
    expect(kernel.calls).to.deep.equal([]);
    expect(domain.stats().kernelWaitersPending).to.equal(0);
  });

  it("runs 50 user domains at once and each prints its own arguments", async () => {
    const kernels = Array.from({ length: 50 }, (_, index) => new FakeKernel([`process-${index}`]));
    const domains = kernels.map((kernel, index) => runModule(cpu, domainSpec(appBinary("hello"), { processId: index }), kernel));
    const outcomes = await Promise.all(domains.map((domain) => domain.completion));
    for (let index = 0; index < 50; index++) {
      expect(outcomes[index]).to.deep.equal({ kind: "returned", value: 0 });
      expect(kernels[index]!.output).to.equal(`Hello from Singlet!\nargs: process-${index}\n`);
      expect(domains[index]!.stats().kernelWaitersPending).to.equal(0);
    }
  });

  it("runs domains on prewarmed threads with the same results, and stops idle ones at shutdown", async () => {
    const warmCpu = new NodeCpu(new NodeTimer(), { prewarmedDomains: 2 });
    for (let round = 0; round < 4; round++) {
      const kernel = new FakeKernel([`round-${round}`]);
      expect(await runModule(warmCpu, domainSpec(appBinary("hello")), kernel).completion).to.deep.equal({ kind: "returned", value: 0 });
      expect(kernel.output).to.equal(`Hello from Singlet!\nargs: round-${round}\n`);
    }
    await warmCpu.terminateAll("done");
  });

  it("terminates every live domain at shutdown", async () => {
    const domains = [0, 1, 2].map(() => runModule(cpu, domainSpec(appBinary("spin")), new FakeKernel()));
    await cpu.terminateAll("shutdown");
    for (const domain of domains) {
      expect(await domain.completion).to.deep.equal({ kind: "faulted", fault: { kind: "kernel", message: "shutdown" } });
    }
  });
});
