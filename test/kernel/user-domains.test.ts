// Conformance: fallback processes — the kernel runs what it will not trust in user domains.
import { expect } from "chai";
import { appBytes, runCaptured, spawnCaptured, testKernel } from "../helpers/kernel.js";
import { assembleWat, conformantModule } from "../helpers/wat.js";

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

  it("runs twenty user processes at once, each with its own correct output", async () => {
    const kernel = testKernel();
    const image = kernel.load(appBytes("hello"));
    const runs = await Promise.all(Array.from({ length: 20 }, (_, index) => runCaptured(kernel, image, { args: [`n${index}`], domain: "user" })));
    runs.forEach((run, index) => {
      expect(run.status).to.deep.equal({ kind: "exited", code: 0 });
      expect(run.stdout).to.equal(`Hello from Singlet!\nargs: n${index}\n`);
    });
    await kernel.shutdown();
  });
});
