// Kernel calls from a start function (AssemblyScript's top-level code): in either domain the
// start function runs once the instance's memory is bound, so its calls read their arguments;
// a start function that faults or runs away ends only its process.
import { expect } from "chai";
import { KERNEL_START_EXPORT, verifyModule } from "../../verifier/index.js";
import { appBytes, runCaptured, testKernel } from "../helpers/kernel.js";
import { assembleWat, conformantModule, fixtureManifest } from "../helpers/wat.js";

const CONSOLE = "singlet:kernel/console@0.1.0";

/** `$init` (the start function) writes "from start\n" and records the write's result; main writes "from main\n" and returns it. */
function startWriter(initBody = `(global.set $startResult (call $write (i32.const 64) (i32.const 11)))`): string {
  return conformantModule(`(import "${CONSOLE}" "write" (func $write (param i32 i32) (result i32)))`,
    `(drop (call $write (i32.const 128) (i32.const 10))) (global.get $startResult)`, `
    (global $startResult (mut i32) (i32.const -100))
    (data (i32.const 64) "f\\00r\\00o\\00m\\00 \\00s\\00t\\00a\\00r\\00t\\00\\n\\00")
    (data (i32.const 128) "f\\00r\\00o\\00m\\00 \\00m\\00a\\00i\\00n\\00\\n\\00")
    (func $init ${initBody})
    (start $init)`);
}

describe("hostile/start function", function () {
  this.timeout(30000);

  it("lets a kernel-domain start function call console.write before main runs", async () => {
    const kernel = testKernel();
    const image = kernel.load(await assembleWat(startWriter()), { manifest: fixtureManifest("starter", ["console"]) });
    expect(image.verified).to.equal(true);
    const run = await runCaptured(kernel, image);
    expect(run.process.domain).to.equal("kernel");
    expect(run.stdout).to.equal("from start\nfrom main\n");
    // main returns what console.write answered in the start function: 11 units written.
    expect(run.status).to.deep.equal({ kind: "exited", code: 11 });
    await kernel.shutdown();
  });

  it("lets a user-domain start function call console.write before main runs, as in the kernel domain", async () => {
    const kernel = testKernel();
    const image = kernel.load(await assembleWat(startWriter()), { manifest: fixtureManifest("starter", ["console"]) });
    const run = await runCaptured(kernel, image, { domain: "user" });
    expect(run.process.domain).to.equal("user");
    expect(run.stdout).to.equal("from start\nfrom main\n");
    expect(run.status).to.deep.equal({ kind: "exited", code: 11 });
    await kernel.shutdown();
  });

  it("runs an unverified module's start function after its memory is bound, in its user domain", async () => {
    const kernel = testKernel();
    // No entry points declared: the verifier refuses it for the kernel, so it runs in a user domain.
    const image = kernel.load(await assembleWat(startWriter()), { manifest: { name: "unverified-starter", capabilities: ["console"] } });
    expect(image.verified).to.equal(false);
    const run = await runCaptured(kernel, image);
    expect(run.process.domain).to.equal("user");
    expect(run.stdout).to.equal("from start\nfrom main\n");
    await kernel.shutdown();
  });

  it("runs the top-level code of an AssemblyScript app (hello) exactly once per process", async () => {
    const kernel = testKernel();
    const run = await runCaptured(kernel, kernel.load(appBytes("hello")), { args: ["once"] });
    expect(run.stdout).to.equal("Hello from Singlet!\nargs: once\n");
    await kernel.shutdown();
  });

  it("ends a kernel-domain process whose start function runs away with fuel-exhausted, and keeps serving others", async () => {
    const kernel = testKernel();
    const image = kernel.load(await assembleWat(startWriter("(loop $forever (br $forever))")), { manifest: fixtureManifest("runaway-start", ["console"]) });
    const bystander = kernel.load(await assembleWat(startWriter()), { manifest: fixtureManifest("bystander", ["console"]) });
    const [run, other] = await Promise.all([runCaptured(kernel, image), runCaptured(kernel, bystander)]);
    expect(run.status.kind === "faulted" && run.status.fault.kind).to.equal("fuel-exhausted");
    expect(run.stdout).to.equal("");
    expect(run.process.capabilities.size).to.equal(0);
    expect(other.status).to.deep.equal({ kind: "exited", code: 11 });
    expect(kernel.processes.count).to.equal(0);
    await kernel.shutdown();
  });

  it("ends a kernel-domain process whose start function traps with a trap naming it", async () => {
    const kernel = testKernel();
    const image = kernel.load(await assembleWat(startWriter("(unreachable)")), { manifest: fixtureManifest("trapping-start", ["console"]) });
    const run = await runCaptured(kernel, image);
    expect(run.status.kind).to.equal("faulted");
    if (run.status.kind === "faulted") expect(run.status.fault).to.include({ kind: "trap", functionName: "init" });
    await kernel.shutdown();
  });

  it(`refuses a module that exports '${KERNEL_START_EXPORT}' itself`, async () => {
    const bytes = await assembleWat(conformantModule("", "(i32.const 0)", `(func (export "${KERNEL_START_EXPORT}"))`));
    const result = verifyModule(bytes, { manifest: fixtureManifest("impostor") });
    expect(result.verdict).to.equal("PolicyViolation");
    expect(result.findings.map((item) => item.code)).to.include("export-name-reserved");
  });

  it("does not hold the kernel while a user-domain start function runs away: a process started after it finishes first", async () => {
    const kernel = testKernel();
    const runaway = kernel.load(await assembleWat(startWriter("(loop $forever (br $forever))")), { manifest: { ...fixtureManifest("runaway-start-user", ["console"]), limits: { cpuMilliseconds: 1500 } } });
    const order: string[] = [];
    const looping = runCaptured(kernel, runaway, { domain: "user" }).then((run) => { order.push("runaway"); return run; });
    // Let the runaway's thread come up and enter its start function first.
    while (order.length === 0 && kernel.processes.all().every((process) => process.state !== "running")) await new Promise((resolve) => setTimeout(resolve, 5));
    const hello = runCaptured(kernel, kernel.load(appBytes("hello")), { domain: "user", args: ["meanwhile"] }).then((run) => { order.push("hello"); return run; });
    const [stopped, healthy] = await Promise.all([looping, hello]);
    expect(healthy.stdout).to.equal("Hello from Singlet!\nargs: meanwhile\n");
    expect(stopped.status.kind === "faulted" && stopped.status.fault.kind).to.equal("cpu-budget");
    expect(order).to.deep.equal(["hello", "runaway"]);
    expect(kernel.processes.count).to.equal(0);
    await kernel.shutdown();
  });
});
