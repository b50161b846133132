// The clean-isolate guarantee of reused user-domain threads (docs/hal/README.md): a process that
// runs on the thread an earlier process ended on finds nothing of it — not its memory, globals,
// instances or exports, not a message it left on the thread's port — and a thread whose process
// faulted or was killed is never reused.
import { expect } from "chai";
import type { MessagePort } from "node:worker_threads";
import type { Kernel } from "../../kernel/index.js";
import type { UserDomain, UserDomainHandler } from "../../hal/hil/index.js";
import { NodeCpu, NodeTimer } from "../../hal/node/index.js";
import { syscallDescriptors } from "../../runtime/abi/index.js";
import { runCaptured, testKernel, type CapturedRun } from "../helpers/kernel.js";
import { assembleWat, conformantModule, fixtureManifest } from "../helpers/wat.js";
import { liveDomainsOf } from "./support/beside-hello.js";

const PROCESS = "singlet:kernel/process@0.1.0";
const SECRET = 0x5ec2e7;
/** Where the planting process leaves the secret: a page every process of the module has mapped. */
const SECRET_ADDRESS = 8192;

/**
 * One module, four behaviours by its first argument's length (no argument: look). Looking returns
 * what is at the secret's address plus the global plus the pages grown beyond the first: 0 in a
 * clean instance. Planting leaves the secret in memory and in a global and grows the memory, then
 * ends by returning (1), by process.exit (2), by a trap (3) or runs until killed (4).
 */
const keeper = conformantModule(`
  (import "${PROCESS}" "arg-count" (func $argCount (result i32)))
  (import "${PROCESS}" "arg-get" (func $argGet (param i32 i32)))
  (import "${PROCESS}" "exit" (func $exit (param i32)))`, `
    (local $how i32)
    (if (i32.eqz (call $argCount))
      (then (return (i32.add (i32.load (i32.const ${SECRET_ADDRESS}))
        (i32.add (global.get $secret) (i32.sub (memory.size) (i32.const 1)))))))
    (call $argGet (i32.const 0) (i32.const 1024))
    (local.set $how (i32.load (i32.const 1028)))
    (i32.store (i32.const ${SECRET_ADDRESS}) (i32.const ${SECRET}))
    (global.set $secret (i32.const ${SECRET}))
    (drop (memory.grow (i32.const 1)))
    (if (i32.eq (local.get $how) (i32.const 2)) (then (call $exit (i32.const 0))))
    (if (i32.eq (local.get $how) (i32.const 3)) (then unreachable))
    (if (i32.eq (local.get $how) (i32.const 4)) (then (loop $forever (br $forever))))
    (i32.const 0)`, `(global $secret (mut i32) (i32.const 0))`);

/** The argument that makes `keeper` plant and end in the given way: its length says which. */
const PLANT_AND = { return: "r", exit: "ex", trap: "tra", spin: "spin" } as const;

function threadOf(run: CapturedRun): { id: number; domainsBefore: number } {
  return run.process.userDomain!.stats().thread;
}

describe("hostile/thread reuse", function () {
  this.timeout(30000);
  let kernel: Kernel;
  beforeEach(() => { kernel = testKernel(); });
  afterEach(async () => { await kernel.shutdown(); });

  async function keeperImage() {
    return kernel.load(await assembleWat(keeper), { manifest: fixtureManifest("keeper", []) });
  }

  for (const ending of ["return", "exit"] as const) {
    it(`gives the thread of a process that ended by ${ending} to the next process, which finds neither its memory, its global nor its grown pages`, async () => {
      const image = await keeperImage();
      const planter = await runCaptured(kernel, image, { domain: "user", args: [PLANT_AND[ending]] });
      expect(planter.status).to.deep.equal({ kind: "exited", code: 0 });
      const looker = await runCaptured(kernel, image, { domain: "user" });
      expect(threadOf(looker).id, "the same thread").to.equal(threadOf(planter).id);
      expect(threadOf(looker).domainsBefore).to.equal(threadOf(planter).domainsBefore + 1);
      expect(looker.status, "nothing of the planter is visible").to.deep.equal({ kind: "exited", code: 0 });
      expect(liveDomainsOf(kernel)).to.equal(0);
    });
  }

  it("checks the looker itself: a process that plants and looks in one run sees its own secret", async () => {
    // Without this, a looker that always answered 0 would pass the test above.
    const bytes = await assembleWat(conformantModule("", `
      (i32.store (i32.const ${SECRET_ADDRESS}) (i32.const 7)) (global.set $secret (i32.const 5))
      (i32.add (i32.load (i32.const ${SECRET_ADDRESS})) (global.get $secret))`, `(global $secret (mut i32) (i32.const 0))`));
    const run = await runCaptured(kernel, kernel.load(bytes, { manifest: fixtureManifest("self-looker", []) }), { domain: "user" });
    expect(run.status).to.deep.equal({ kind: "exited", code: 12 });
  });

  it("never reuses the thread of a process that faulted", async () => {
    const image = await keeperImage();
    const faulted = await runCaptured(kernel, image, { domain: "user", args: [PLANT_AND.trap] });
    expect(faulted.status).to.deep.include({ kind: "faulted" });
    const next = await runCaptured(kernel, image, { domain: "user" });
    expect(threadOf(next).id).to.not.equal(threadOf(faulted).id);
    expect(threadOf(next).domainsBefore).to.equal(0);
    expect(next.status).to.deep.equal({ kind: "exited", code: 0 });
  });

  it("never reuses the thread of a process killed while it ran", async () => {
    const image = await keeperImage();
    const spawned = kernel.spawn(image, { domain: "user", args: [PLANT_AND.spin], output: () => undefined });
    while (!spawned.userDomain || spawned.userDomain.stats().trapsByCall["process.arg-get"] === undefined) await new Promise((resolve) => setTimeout(resolve, 5));
    kernel.kill(spawned, "killed by the test");
    expect(await spawned.completion).to.deep.include({ kind: "faulted" });
    const next = await runCaptured(kernel, image, { domain: "user" });
    expect(threadOf(next).id).to.not.equal(spawned.userDomain.stats().thread.id);
    expect(next.status).to.deep.equal({ kind: "exited", code: 0 });
  });
});

describe("hostile/thread reuse at the HAL", function () {
  this.timeout(30000);
  let cpu: NodeCpu;
  beforeEach(() => { cpu = new NodeCpu(new NodeTimer()); });
  afterEach(async () => { await cpu.terminateAll("test done"); });

  const handler: UserDomainHandler = {
    handleTrap: () => ({ kind: "return", value: 0 }),
    handleKernelJump: (_domain, jumpIndex) => ({ kind: "fault", reason: `no kernel jump ${jumpIndex}` }),
  };

  function createDomain(name: string): UserDomain {
    return cpu.createUserDomain({ processId: 1, name, calls: syscallDescriptors, cpuBudgetMilliseconds: 10_000, badPointerPolicy: "efault" }, handler);
  }

  /**
   * `main` returns `value`; `plant` leaves the secret in memory; `imports` are WAT import fields.
   * The bytes ride along for the MMU model.
   */
  async function module(value: number, imports = ""): Promise<{ module: WebAssembly.Module; binary: Uint8Array }> {
    const binary = await assembleWat(`(module ${imports} (memory (export "memory") 1)
      (func (export "plant") (i32.store (i32.const ${SECRET_ADDRESS}) (i32.const ${SECRET})))
      (func (export "main") (result i32) (i32.const ${value})))`);
    return { module: new WebAssembly.Module(binary), binary };
  }

  async function instantiated(domain: UserDomain, value: number, siblings: Parameters<UserDomain["instantiate"]>[0]["siblings"] = []) {
    await domain.ready();
    const imports = siblings.map((sibling) => `(import "${sibling.importModule}" "${sibling.importName}" (func))`).join(" ");
    return domain.instantiate({ name: `module-${value}`, ...await module(value, imports), memoryLimitPages: 4, siblings, kernelEntries: [] });
  }

  it("lets no export or import of the previous domain be reached: calls by instance and sibling links to it find nothing", async () => {
    const first = createDomain("first");
    const created = await instantiated(first, 1);
    expect(created).to.deep.equal({ ok: true, instance: 0 });
    expect(await first.start(0, "plant")).to.deep.equal({ kind: "returned", value: undefined });
    first.release("first is done");
    const second = createDomain("second");
    await second.ready();
    expect(second.stats().thread).to.deep.equal({ id: first.stats().thread.id, domainsBefore: 1 });
    // Instance 0 was the first domain's: for the second there is none yet.
    const linked = await instantiated(second, 2, [{ importModule: "previous", importName: "plant", target: 0, exportName: "plant" }]);
    expect(linked).to.include({ ok: false, reason: "link" });
    expect(await second.start(0, "plant")).to.deep.include({ kind: "faulted" });
  });

  it("throws away a message the previous domain left on the thread's port: the next domain instantiates its own module", async () => {
    const first = createDomain("first");
    expect(await instantiated(first, 1)).to.deep.equal({ ok: true, instance: 0 });
    expect(await first.start(0, "main")).to.deep.equal({ kind: "returned", value: 1 });
    // Fault injection: an instantiation request left unread, as a domain that ended mid-request would leave it.
    const { port } = first as unknown as { port: MessagePort };
    port.postMessage({ kind: "instantiate", name: "left-over", ...await module(666), trapBuffer: new SharedArrayBuffer(1 << 20), pageCount: 64, layoutMemoryPages: 1, memoryLimitPages: 4, siblings: [], kernelEntries: [] });
    first.release("first is done");
    const second = createDomain("second");
    expect(await instantiated(second, 2)).to.deep.equal({ ok: true, instance: 0 });
    expect(second.stats().thread).to.deep.equal({ id: first.stats().thread.id, domainsBefore: 1 });
    expect(await second.start(0, "main")).to.deep.equal({ kind: "returned", value: 2 });
  });

  it("starts each domain's counters afresh on a reused thread", async () => {
    const first = createDomain("first");
    await instantiated(first, 1);
    for (let call = 0; call < 3; call++) await first.start(0, "main");
    first.release("first is done");
    const second = createDomain("second");
    await instantiated(second, 2);
    await second.start(0, "main");
    const stats = second.stats();
    expect(stats.thread.domainsBefore).to.equal(1);
    expect(stats).to.include({ instances: 1, upcalls: 0, kernelJumps: 0 });
    // One instantiation and one call, each a pass and a return.
    expect(stats.ringSwitches).to.equal(4);
  });
});
