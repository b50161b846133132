// Conformance: pre-made kernel-domain instances (kernel/linker/instance-pool.ts) — each one fresh
// and given to exactly one process, bound to that process's kernel calls, run under that
// process's bounds, dropped at shutdown; trust and principal checked at every spawn.
import { expect } from "chai";
import { CapabilityKind, MAX_POOLED_INSTANCE_MEMORY_BYTES, MAX_POOLED_MODULES, POOLED_INSTANCES_PER_MODULE, principalHolding, singleModuleApp, spawnApp, type Kernel, type ModuleImage } from "../../kernel/index.js";
import { boundedModule } from "../../kernel/linker/bounded-module.js";
import { moduleLimits } from "../../kernel/policy/index.js";
import { runCaptured, testKernel } from "../helpers/kernel.js";
import { assembleWat, conformantModule, fixtureManifest } from "../helpers/wat.js";

const PROCESS_ID = `(import "singlet:kernel/process@0.1.0" "id" (func $id (result i32)))`;

/** A start function and main that each add one to the word at address 0: main returns 2 in a fresh instance. */
const COUNTS_ITS_STARTS = `(module
  (memory (export "memory") 1 1)
  (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32) (i32.const 1024))
  (func $bump (i32.store (i32.const 0) (i32.add (i32.load (i32.const 0)) (i32.const 1))))
  (start $bump)
  (func (export "main") (result i32) (call $bump) (i32.load (i32.const 0))))`;

async function load(kernel: Kernel, text: string, name: string): Promise<ModuleImage> {
  const image = kernel.load(await assembleWat(text), { manifest: fixtureManifest(name) });
  expect(image.verified, `${name} must be verified to run in the kernel domain`).to.equal(true);
  return image;
}

/** A kernel that has spawned COUNTS_ITS_STARTS once and had the idle turns to pre-make its instances. */
async function kernelWithFullPool(): Promise<{ kernel: Kernel; image: ModuleImage }> {
  const kernel = testKernel();
  const image = await load(kernel, COUNTS_ITS_STARTS, "counts-its-starts");
  await runCaptured(kernel, image);
  await kernel.instancePool.settled();
  expect(kernel.instancePool.size).to.equal(POOLED_INSTANCES_PER_MODULE);
  return { kernel, image };
}

describe("kernel/instance-pool", () => {
  it("gives every process a fresh instance: its start function runs once, after the take, and no state carries over", async () => {
    const kernel = testKernel();
    const image = await load(kernel, COUNTS_ITS_STARTS, "counts-its-starts");
    for (let run = 0; run < 5; run++) {
      await kernel.instancePool.settled();
      const { status, process } = await runCaptured(kernel, image);
      expect(process.domain).to.equal("kernel");
      expect(status).to.deep.equal({ kind: "exited", code: 2 });
    }
    // The first spawn instantiated; every later one took an instance made in idle time.
    expect(kernel.instancePool.statistics).to.include({ missed: 1, taken: 4 });
    await kernel.shutdown();
  });

  it("never gives one pre-made instance to two processes: processes started together hold distinct instances and memories", async () => {
    const { kernel, image } = await kernelWithFullPool();
    // Every instance the pool hands out, seen from outside: three spawns, three takes.
    const handedOut: WebAssembly.Instance[] = [];
    const take = kernel.instancePool.take.bind(kernel.instancePool);
    kernel.instancePool.take = (module) => {
      const taken = take(module);
      handedOut.push(taken.instance);
      return taken;
    };
    const started = [0, 1, 2].map(() => spawnApp(kernel, singleModuleApp(image), { output: () => undefined }));
    const runs = await Promise.all(started.map((start) => start.run));
    expect(runs.map((run) => run.status)).to.deep.equal([0, 1, 2].map(() => ({ kind: "exited", code: 2 })));
    expect(handedOut).to.have.length(3);
    expect(new Set(handedOut).size).to.equal(3);
    expect(new Set(handedOut.map((instance) => instance.exports.memory)).size).to.equal(3);
    expect(kernel.instancePool.statistics.taken).to.equal(POOLED_INSTANCES_PER_MODULE);
    await kernel.shutdown();
  });

  it("hands out each instance once and refuses to bind its kernel calls to a second process", async () => {
    const kernel = testKernel();
    const image = await load(kernel, COUNTS_ITS_STARTS, "counts-its-starts");
    await runCaptured(kernel, image);
    const { module } = boundedModule(image, "kernel", moduleLimits(image.manifest, kernel.defaultPrincipal().limits));
    const instances = new Set<WebAssembly.Instance>();
    const [first, second] = [kernel.processes.create({ name: "a", args: [], domain: "kernel", output: () => undefined }), kernel.processes.create({ name: "b", args: [], domain: "kernel", output: () => undefined })];
    for (let take = 0; take < 3 * POOLED_INSTANCES_PER_MODULE; take++) {
      await kernel.instancePool.settled();
      const taken = kernel.instancePool.take(module);
      expect(instances.has(taken.instance)).to.equal(false);
      instances.add(taken.instance);
      taken.abi.bind(first!, () => 0);
      expect(() => taken.abi.bind(second!, () => 0)).to.throw(/already given to a process/);
    }
    expect(instances.size).to.equal(3 * POOLED_INSTANCES_PER_MODULE);
    kernel.processes.remove(first!);
    kernel.processes.remove(second!);
    await kernel.shutdown();
  });

  it("binds a pre-made instance's kernel calls to the process that took it", async () => {
    const kernel = testKernel();
    const image = await load(kernel, conformantModule(PROCESS_ID, "(call $id)"), "returns-its-id");
    for (let run = 0; run < 4; run++) {
      await kernel.instancePool.settled();
      const { status, process } = await runCaptured(kernel, image);
      expect(status).to.deep.equal({ kind: "exited", code: process.processId });
    }
    expect(kernel.instancePool.statistics.taken).to.equal(3);
    await kernel.shutdown();
  });

  it("drops every pre-made instance at shutdown and makes none after it", async () => {
    const { kernel, image } = await kernelWithFullPool();
    await kernel.shutdown();
    expect(kernel.instancePool.size).to.equal(0);
    const made = kernel.instancePool.statistics.made;
    // A spawn after shutdown still gets a fresh instance of its own, made then; nothing is kept.
    expect((await runCaptured(kernel, image)).status).to.deep.equal({ kind: "exited", code: 2 });
    await kernel.instancePool.settled();
    expect(kernel.instancePool.size).to.equal(0);
    expect(kernel.instancePool.statistics.made).to.equal(made);
  });

  it("sees a revoked trust at the next spawn: the module then runs in a user domain, not in a pre-made kernel instance", async () => {
    const kernel = testKernel();
    const principal = principalHolding("revocable", ["kernelModeByPage"]);
    const image = await load(kernel, COUNTS_ITS_STARTS, "counts-its-starts");
    expect((await runCaptured(kernel, image, { principal })).process.domain).to.equal("kernel");
    await kernel.instancePool.settled();
    const taken = kernel.instancePool.statistics.taken;
    principal.revoke(CapabilityKind.kernelModeByPage);
    const run = await runCaptured(kernel, image, { principal });
    expect(run.process.domain).to.equal("user");
    expect(run.status).to.deep.equal({ kind: "exited", code: 2 });
    expect(kernel.instancePool.statistics.taken).to.equal(taken);
    await kernel.shutdown();
  });

  it("sees a changed principal at the next spawn: a pre-made instance runs under the fuel ceiling of the principal that took it", async () => {
    const kernel = testKernel();
    const loops = conformantModule("", `(local $left i32)
      (local.set $left (i32.const 100000))
      (block $done (loop $again
        (br_if $done (i32.eqz (local.get $left)))
        (local.set $left (i32.sub (local.get $left) (i32.const 1)))
        (br $again)))
      (i32.const 0)`);
    const image = await load(kernel, loops, "loops");
    const generous = principalHolding("generous", ["kernelModeByPage"]);
    const frugal = principalHolding("frugal", ["kernelModeByPage"], { fuelPerEntry: 1000 });
    expect((await runCaptured(kernel, image, { principal: generous })).status).to.deep.equal({ kind: "exited", code: 0 });
    await kernel.instancePool.settled();
    const taken = kernel.instancePool.statistics.taken;
    const run = await runCaptured(kernel, image, { principal: frugal });
    expect(kernel.instancePool.statistics.taken).to.equal(taken + 1);
    expect(run.process.principal).to.equal("frugal");
    expect(run.status).to.deep.include({ kind: "faulted" });
    expect(run.status.kind === "faulted" && run.status.fault).to.include({ kind: "fuel-exhausted", message: "entry used its fuel budget of 1000" });
    await kernel.shutdown();
  });

  it(`keeps instances of at most ${MAX_POOLED_MODULES} modules, dropping the least recently spawned`, async () => {
    const kernel = testKernel();
    const images: ModuleImage[] = [];
    for (let index = 0; index <= MAX_POOLED_MODULES; index++) {
      images.push(await load(kernel, conformantModule("", `(i32.const ${index})`), `module-${index}`));
    }
    for (const [index, image] of images.entries()) {
      expect((await runCaptured(kernel, image)).status).to.deep.equal({ kind: "exited", code: index });
      await kernel.instancePool.settled();
    }
    expect(kernel.instancePool.size).to.equal(MAX_POOLED_MODULES * POOLED_INSTANCES_PER_MODULE);
    const taken = kernel.instancePool.statistics.taken;
    await runCaptured(kernel, images[0]!);
    expect(kernel.instancePool.statistics.taken, "the oldest module's instances were dropped").to.equal(taken);
    await runCaptured(kernel, images[MAX_POOLED_MODULES]!);
    expect(kernel.instancePool.statistics.taken).to.equal(taken + 1);
    await kernel.shutdown();
  });

  it(`does not pre-make a module whose memory starts above ${MAX_POOLED_INSTANCE_MEMORY_BYTES / 1024} KiB`, async () => {
    const kernel = testKernel();
    const pages = MAX_POOLED_INSTANCE_MEMORY_BYTES / 65536 + 1;
    const large = await load(kernel, conformantModule("", "(i32.const 0)").replace("(memory (export \"memory\") 1 4)", `(memory (export "memory") ${pages} ${pages})`), "large");
    for (let run = 0; run < 3; run++) {
      expect((await runCaptured(kernel, large)).status).to.deep.equal({ kind: "exited", code: 0 });
      await kernel.instancePool.settled();
      expect(kernel.instancePool.size).to.equal(0);
    }
    expect(kernel.instancePool.statistics.taken).to.equal(0);
    await kernel.shutdown();
  });
});
