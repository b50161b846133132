// Conformance: the user-mode half of a linked app runs in a real HAL user domain (a worker
// isolate), and whatever it does wrong — spin, trap, pass a bad pointer, end in the middle of a
// crossing — ends only its own process, with a report, and leaves no thread behind.
import { expect } from "chai";
import type { NodeCpu } from "../../hal/node/index.js";
import { LinkError, linkAppForProcess, loadApp, principalHolding, runApp, type AppImage, type Kernel } from "../../kernel/index.js";
import type { Manifest } from "../../runtime/abi/index.js";
import { assembleWat } from "../helpers/wat.js";
import { MODE_IMPORT, quietKernel } from "./app-fixtures.js";

const byPage = () => principalHolding("user", ["kernelModeByPage"]);

const ABI_EXPORTS = `(memory (export "memory") 1 1) (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32) (i32.const 1024))`;
const EXIT_IMPORT = `(import "singlet:kernel/process@0.1.0" "exit" (func $exit (param i32)))`;

interface ModuleText {
  readonly name: string;
  readonly body: string;
  readonly manifest: Omit<Manifest, "name">;
}

async function app(kernel: Kernel, main: string, modules: readonly ModuleText[]): Promise<AppImage> {
  return loadApp(kernel.loader, "app", main, await Promise.all(modules.map(async (module) => ({
    name: module.name,
    bytes: await assembleWat(`(module ${module.body} ${module.body.includes("(memory") ? "" : ABI_EXPORTS})`),
    manifest: { name: module.name, ...module.manifest },
  }))));
}

function liveDomains(kernel: Kernel): number {
  return (kernel.devices.cpu as NodeCpu).liveDomains;
}

/** A kernel-mode main that upcalls `callee.name` and returns its result. */
function kernelMainCalling(name: string, limits?: Manifest["limits"]): ModuleText {
  return {
    name: "main",
    body: `(import "callee" "${name}" (func $callee (result i32))) (func (export "main") (result i32) (call $callee))`,
    manifest: { entryPoints: { main: { mode: "kernel" } }, links: ["callee"], ...(limits ? { limits } : {}) },
  };
}

describe("modes/user domains (HAL worker isolates)", function () {
  this.timeout(20_000);

  it("runs an AlwaysUserMode callee on another thread, where mode.current answers user", async () => {
    const kernel = quietKernel();
    const callee: ModuleText = { name: "callee", body: `${MODE_IMPORT} (func (export "where") (result i32) (i32.add (i32.const 70) (call $mode)))`, manifest: { entryPoints: { where: { mode: "user" } } } };
    const { status, linked } = await runApp(kernel, await app(kernel, "main", [kernelMainCalling("where"), callee]), { principal: byPage() });
    expect(status).to.deep.equal({ kind: "exited", code: 70 });
    expect(linked.host?.isProtectionBoundary).to.equal(true);
    expect(linked.userDomain?.stats?.()).to.include({ upcalls: 1, kernelJumps: 0, instances: 1 });
    expect(liveDomains(kernel), "the domain's thread is gone").to.equal(0);
  });

  it("stops an upcall that never returns at the process's CPU budget, with the kernel thread blocked only that long", async () => {
    const kernel = quietKernel();
    const callee: ModuleText = { name: "callee", body: `(func (export "spin") (result i32) (loop $again (br $again)) (i32.const 0))`, manifest: { entryPoints: { spin: { mode: "user" } } } };
    const { status } = await runApp(kernel, await app(kernel, "main", [kernelMainCalling("spin", { cpuMilliseconds: 150 }), callee]), { principal: byPage() });
    expect(status.kind).to.equal("faulted");
    expect(status.kind === "faulted" && status.fault.kind).to.equal("cpu-budget");
    expect(status.kind === "faulted" && status.fault.message).to.match(/budget 150 ms/);
    expect(liveDomains(kernel)).to.equal(0);
    expect(kernel.processes.count).to.equal(0);
  });

  it("stops an upcall that never returns at the blocking-call limit even when the process's CPU budget is far larger", async () => {
    const kernel = quietKernel();
    const callee: ModuleText = { name: "callee", body: `(func (export "spin") (result i32) (loop $again (br $again)) (i32.const 0))`, manifest: { entryPoints: { spin: { mode: "user" } } } };
    const { status } = await runApp(kernel, await app(kernel, "main", [kernelMainCalling("spin", { cpuMilliseconds: 60_000 }), callee]), { principal: byPage() });
    expect(status.kind === "faulted" && status.fault.kind).to.equal("cpu-budget");
    expect(status.kind === "faulted" && status.fault.message).to.match(/a call into the domain ran \d+ ms \(limits 1000 ms running, 10000 ms held\)/);
    expect(liveDomains(kernel)).to.equal(0);
    expect(kernel.processes.count).to.equal(0);
  });

  it("stops a user-mode main that spins at its CPU budget while the kernel's event loop keeps running", async () => {
    const kernel = quietKernel();
    const main: ModuleText = { name: "main", body: `(func (export "main") (result i32) (loop $again (br $again)) (i32.const 0))`, manifest: { entryPoints: { main: { mode: "user" } }, limits: { cpuMilliseconds: 150 } } };
    let ticks = 0;
    const ticker = setInterval(() => { ticks++; }, 5);
    const { status } = await runApp(kernel, await app(kernel, "main", [main]), { principal: byPage() });
    clearInterval(ticker);
    expect(status.kind === "faulted" && status.fault.kind).to.equal("cpu-budget");
    expect(ticks, "timers fired while the domain spun").to.be.greaterThan(5);
    expect(liveDomains(kernel)).to.equal(0);
  });

  it("refuses a call into a domain while its entry runs, rather than corrupting the crossing", async () => {
    const kernel = quietKernel();
    const main: ModuleText = { name: "main", body: `(func (export "main") (result i32) (loop $again (br $again)) (i32.const 0)) (func (export "other") (result i32) (i32.const 1))`, manifest: { entryPoints: { main: { mode: "user" }, other: { mode: "user" } }, limits: { cpuMilliseconds: 150 } } };
    const { process, linked } = linkAppForProcess(kernel, await app(kernel, "main", [main]), { principal: byPage() });
    const running = linked.run();
    expect(() => linked.invoke(linked.plan.main, "other")).to.throw(RangeError, /is running/);
    const status = await running;
    expect(status.kind === "faulted" && status.fault.kind).to.equal("cpu-budget");
    linked.dispose();
    kernel.endProcess(process, status);
    expect(liveDomains(kernel)).to.equal(0);
  });

  it("reports a trap in a user-mode callee as the process's fault, with the function and offset", async () => {
    const kernel = quietKernel();
    const callee: ModuleText = { name: "callee", body: `(func (export "boom") (result i32) unreachable)`, manifest: { entryPoints: { boom: { mode: "user" } } } };
    const { status } = await runApp(kernel, await app(kernel, "main", [kernelMainCalling("boom"), callee]), { principal: byPage() });
    expect(status.kind).to.equal("faulted");
    if (status.kind !== "faulted") return;
    expect(status.fault.kind).to.equal("trap");
    expect(status.fault.message).to.match(/unreachable/);
    expect(status.fault.functionIndex).to.be.a("number");
    expect(status.fault.byteOffset).to.be.a("number");
    expect(liveDomains(kernel)).to.equal(0);
  });

  describe("syskerneljump with a string", () => {
    const entry: ModuleText = {
      name: "entry",
      // The string arrives in the kernel instance's own memory: its length plus its first unit.
      body: `${MODE_IMPORT} (func (export "measure") (param $pointer i32) (param $units i32) (result i32)
        (i32.add (i32.add (local.get $units) (i32.load16_u (local.get $pointer))) (i32.mul (i32.const 1000) (call $mode))))`,
      manifest: { entryPoints: { measure: { mode: "kernel", parameters: ["string"] } } },
    };
    const mainPassing = (pointer: number, units: number): ModuleText => ({
      name: "main",
      body: `(import "entry" "measure" (func $measure (param i32 i32) (result i32)))
        (memory (export "memory") 1 1) (data (i32.const 64) "A\\00B\\00C\\00")
        (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32) (i32.const 1024))
        (func (export "main") (result i32) (call $measure (i32.const ${pointer}) (i32.const ${units})))`,
      manifest: { entryPoints: { main: { mode: "user" } }, links: ["entry"] },
    });

    it("copies the string out of the user domain through its page table into kernel mode", async () => {
      const kernel = quietKernel();
      const { status, linked } = await runApp(kernel, await app(kernel, "main", [mainPassing(64, 3), entry]), { principal: byPage() });
      // 3 units + 'A' (65) + 1000 × kernel mode.
      expect(status).to.deep.equal({ kind: "exited", code: 1068 });
      expect(linked.userDomain?.stats?.()).to.include({ kernelJumps: 1 });
    });

    it("kills the process for a pointer outside its memory, before anything reaches the kernel entry", async () => {
      const kernel = quietKernel();
      const { status } = await runApp(kernel, await app(kernel, "main", [mainPassing(0x7fff0000, 8), entry]), { principal: byPage() });
      expect(status.kind === "faulted" && status.fault.kind).to.equal("bad-address");
      expect(status.kind === "faulted" && status.fault.message).to.match(/syskerneljump entry\.measure: read of 0x7fff0000 faulted/);
      expect(liveDomains(kernel)).to.equal(0);
    });
  });

  it("ends the process with the exit code a kernel entry passes to process.exit, in the middle of a kernel jump", async () => {
    const kernel = quietKernel();
    const entry: ModuleText = { name: "entry", body: `${EXIT_IMPORT} (func (export "leave") (result i32) (call $exit (i32.const 3)) (i32.const 0))`, manifest: { entryPoints: { leave: { mode: "kernel" } } } };
    const main: ModuleText = { name: "main", body: `(import "entry" "leave" (func $leave (result i32))) (func (export "main") (result i32) (drop (call $leave)) (i32.const 9))`, manifest: { entryPoints: { main: { mode: "user" } }, links: ["entry"] } };
    const { status } = await runApp(kernel, await app(kernel, "main", [main, entry]), { principal: byPage() });
    expect(status).to.deep.equal({ kind: "exited", code: 3 });
    expect(liveDomains(kernel)).to.equal(0);
  });

  it("stops a kernel entry that loops forever after a syskerneljump by its fuel, and ends only that process", async () => {
    const kernel = quietKernel();
    const entry: ModuleText = { name: "entry", body: `(func (export "forever") (result i32) (loop $again (br $again)) (i32.const 0))`, manifest: { entryPoints: { forever: { mode: "kernel", fuel: 100_000 } } } };
    const main: ModuleText = { name: "main", body: `(import "entry" "forever" (func $forever (result i32))) (func (export "main") (result i32) (call $forever))`, manifest: { entryPoints: { main: { mode: "user" } }, links: ["entry"] } };
    const { status } = await runApp(kernel, await app(kernel, "main", [main, entry]), { principal: byPage() });
    expect(status.kind === "faulted" && status.fault.kind).to.equal("fuel-exhausted");
    expect(status.kind === "faulted" && status.fault.message).to.match(/100000/);
    expect(liveDomains(kernel)).to.equal(0);
    const healthy = await runApp(kernel, await app(kernel, "main", [kernelMainCalling("where"), { name: "callee", body: `(func (export "where") (result i32) (i32.const 5))`, manifest: { entryPoints: { where: { mode: "user" } } } }]), { principal: byPage() });
    expect(healthy.status, "the next process runs").to.deep.equal({ kind: "exited", code: 5 });
  });

  it("refuses the link when a user-domain module's start function traps, leaving no process or thread", async () => {
    const kernel = quietKernel();
    const callee: ModuleText = { name: "callee", body: `(func $boot unreachable) (start $boot) (func (export "where") (result i32) (i32.const 5))`, manifest: { entryPoints: { where: { mode: "user" } } } };
    const error = await runApp(kernel, await app(kernel, "main", [kernelMainCalling("where"), callee]), { principal: byPage() }).then(() => undefined, (caught: unknown) => caught);
    expect(error).to.be.instanceOf(LinkError).with.property("rule", "instantiation-failed");
    expect((error as LinkError).message).to.match(/callee.*start function ended: trap: unreachable/);
    expect(kernel.processes.count).to.equal(0);
    expect(liveDomains(kernel)).to.equal(0);
  });

  it("kills a process whose syskerneljump carries more arguments than a crossing holds", async () => {
    const kernel = quietKernel();
    const count = 30;
    const params = Array.from({ length: count }, () => "i32").join(" ");
    const entry: ModuleText = { name: "entry", body: `(func (export "wide") (param ${params}) (result i32) (local.get 0))`, manifest: { entryPoints: { wide: { mode: "kernel" } } } };
    const args = Array.from({ length: count }, (_, index) => `(i32.const ${index})`).join(" ");
    const main: ModuleText = { name: "main", body: `(import "entry" "wide" (func $wide (param ${params}) (result i32))) (func (export "main") (result i32) (call $wide ${args}))`, manifest: { entryPoints: { main: { mode: "user" } }, links: ["entry"] } };
    const { status } = await runApp(kernel, await app(kernel, "main", [main, entry]), { principal: byPage() });
    expect(status.kind === "faulted" && status.fault.message).to.match(/syskerneljump entry\.wide: 30 arguments \(limit 24\)/);
    expect(liveDomains(kernel)).to.equal(0);
  });

  it("runs twelve linked apps at once, each domain with its own channel and its own answer", async () => {
    const kernel = quietKernel();
    const entry: ModuleText = { name: "entry", body: `(func (export "double") (param i32) (result i32) (i32.mul (local.get 0) (i32.const 2)))`, manifest: { entryPoints: { double: { mode: "kernel" } } } };
    const runs = Array.from({ length: 12 }, async (_, index) => {
      const main: ModuleText = {
        name: "main",
        body: `(import "entry" "double" (func $double (param i32) (result i32)))
          (func (export "main") (result i32) (local $i i32) (local $sum i32)
            (loop $again
              (local.set $sum (i32.add (local.get $sum) (call $double (i32.const ${index}))))
              (local.set $i (i32.add (local.get $i) (i32.const 1)))
              (br_if $again (i32.lt_u (local.get $i) (i32.const 100))))
            (local.get $sum))`,
        // Twelve polling threads on a small machine: the budget is generous, this test is about isolation.
        manifest: { entryPoints: { main: { mode: "user" } }, links: ["entry"], limits: { cpuMilliseconds: 20_000 } },
      };
      return runApp(kernel, await app(kernel, "main", [main, entry]), { principal: byPage() });
    });
    const results = await Promise.all(runs);
    results.forEach(({ status, linked }, index) => {
      expect(status, `app ${index}`).to.deep.equal({ kind: "exited", code: index * 2 * 100 });
      expect(linked.userDomain?.stats?.()).to.include({ kernelJumps: 100 });
    });
    expect(liveDomains(kernel)).to.equal(0);
    expect(kernel.processes.count).to.equal(0);
  });
});
