// Conformance: fallback processes — the kernel runs what it will not trust in user domains.
import { expect } from "chai";
import { bootKernel } from "../../kernel/index.js";
import { createNodeHal } from "../../hal/node/index.js";
import { appBytes, runCaptured, spawnCaptured, testKernel } from "../helpers/kernel.js";
import { assembleWat, conformantModule } from "../helpers/wat.js";
import { threadExitsInKernelCall } from "../hal/fixtures/index.js";

describe("kernel/user-domains", function () {
  this.timeout(30000);

  it("prints exactly the same for hello in a user domain as in the kernel domain", async () => {
    const kernel = testKernel();
    const image = kernel.load(appBytes("hello"));
    const inKernel = await runCaptured(kernel, image, { args: ["x", "y"] });
    const inUser = await runCaptured(kernel, image, { args: ["x", "y"], domain: "user" });
    expect(inUser.process.domain).to.equal("user");
    expect(inUser.stdout).to.equal(inKernel.stdout);
    expect(inUser.status).to.deep.equal(inKernel.status);
    const stats = inUser.process.userDomain!.stats();
    expect(stats.ringSwitches).to.be.greaterThan(0);
    expect(stats.trapsByCall["console.write"]).to.equal(2);
    await kernel.shutdown();
  });

  it("runs a module the verifier refuses in a user domain, where mode.current says user", async () => {
    const kernel = testKernel();
    const bytes = await assembleWat(conformantModule(`(import "singlet:kernel/mode@0.1.0" "current" (func $current (result i32)))`, "(call $current)"));
    // No entry points declared: a policy violation, so not KERNELTRUST.
    const image = kernel.load(bytes, { manifest: { name: "unverified" } });
    expect(image.verified).to.equal(false);
    expect(image.verification.verdict).to.equal("PolicyViolation");
    const run = await runCaptured(kernel, image);
    expect(run.process.domain).to.equal("user");
    expect(run.status).to.deep.equal({ kind: "exited", code: 0 });
    expect(() => kernel.spawn(image, { domain: "kernel" })).to.throw(/not verified/);
    await kernel.shutdown();
  });

  it("stops spin in a user domain at its CPU budget and keeps serving other processes", async () => {
    const kernel = testKernel();
    const spinning = spawnCaptured(kernel, kernel.load(appBytes("spin")), { domain: "user" });
    const hello = await runCaptured(kernel, kernel.load(appBytes("hello")), { args: ["meanwhile"] });
    expect(hello.stdout).to.contain("args: meanwhile");
    const spun = await spinning.done;
    expect(spun.status.kind).to.equal("faulted");
    if (spun.status.kind === "faulted") expect(spun.status.fault.kind).to.equal("cpu-budget");
    expect(spun.process.capabilities.size).to.equal(0);
    expect(kernel.processes.count).to.equal(0);
    await kernel.shutdown();
  });

  it("releases the handles of a user process killed in the middle of its run", async () => {
    const kernel = testKernel();
    const { process, done } = spawnCaptured(kernel, kernel.load(appBytes("spin")), { domain: "user" });
    while (!process.userDomain) await new Promise((resolve) => setImmediate(resolve));
    expect(process.capabilities.size).to.equal(1);
    kernel.kill(process, "killed by the test");
    const run = await done;
    expect(run.status.kind).to.equal("faulted");
    expect(process.capabilities.size).to.equal(0);
    expect(process.userDomain.stats().kernelWaitersPending).to.equal(0);
    expect(kernel.processes.count).to.equal(0);
    await kernel.shutdown();
  });

  it("kills a user process in the middle of a kernel call: handles released, out of the process table, no waiter", async () => {
    const kernel = testKernel();
    const image = kernel.load(appBytes("hello"));
    let printed = "";
    // The kernel is inside hello's first console.write when the kill comes.
    const process = kernel.spawn(image, { domain: "user", output: (_stream, text) => { printed += text; kernel.kill(process, "killed inside console.write"); } });
    const status = await process.completion;
    expect(status.kind).to.equal("faulted");
    if (status.kind === "faulted") expect(status.fault).to.include({ kind: "killed", message: "killed inside console.write" });
    expect(printed).to.equal("Hello from Singlet!\n");
    expect(process.capabilities.size).to.equal(0);
    expect(kernel.processes.count).to.equal(0);
    const stats = process.userDomain!.stats();
    expect(stats.kernelWaitersPending).to.equal(0);
    expect(stats.ringSwitchesByCall["console.write"], "the write was entered and never answered").to.equal(1);
    await kernel.shutdown();
  });

  it("turns a user domain's thread dying in a kernel call into a worker-crash fault and keeps running others", async () => {
    const kernel = bootKernel({
      hal: createNodeHal({ domainThreadScript: threadExitsInKernelCall }),
      devices: { console: { write: () => undefined } },
    });
    const image = kernel.load(appBytes("hello"));
    const crashed = await runCaptured(kernel, image, { domain: "user" });
    expect(crashed.status.kind).to.equal("faulted");
    if (crashed.status.kind === "faulted") expect(crashed.status.fault.kind).to.equal("worker-crash");
    expect(crashed.process.capabilities.size).to.equal(0);
    expect(crashed.process.userDomain!.stats().kernelWaitersPending).to.equal(0);
    expect(kernel.processes.count).to.equal(0);
    const healthy = await runCaptured(kernel, image, { args: ["still", "up"] });
    expect(healthy.stdout).to.equal("Hello from Singlet!\nargs: still up\n");
    await kernel.shutdown();
  });

  it("reports a trap in a user domain with the function named, like in the kernel domain", async () => {
    const kernel = testKernel();
    const run = await runCaptured(kernel, kernel.load(appBytes("fault")), { domain: "user" });
    expect(run.stdout).to.equal("fault: about to touch memory that does not exist\n");
    expect(run.status.kind).to.equal("faulted");
    if (run.status.kind === "faulted") {
      expect(run.status.fault.kind).to.equal("trap");
      expect(run.status.fault.functionName).to.match(/main/);
    }
    await kernel.shutdown();
  });

  it("runs fifty user processes at once, each with its own correct output", async () => {
    const kernel = testKernel();
    const image = kernel.load(appBytes("hello"));
    const runs = await Promise.all(Array.from({ length: 50 }, (_, index) => runCaptured(kernel, image, { args: [`n${index}`], domain: "user" })));
    runs.forEach((run, index) => {
      expect(run.status).to.deep.equal({ kind: "exited", code: 0 });
      expect(run.stdout).to.equal(`Hello from Singlet!\nargs: n${index}\n`);
      expect(run.process.userDomain!.stats().kernelWaitersPending).to.equal(0);
    });
    expect(kernel.processes.count).to.equal(0);
    await kernel.shutdown();
  });
});
