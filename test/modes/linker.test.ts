// Conformance: the linker's refusals and guarantees beyond the truth table — entry points only,
// links named, attributes agreeing, strings copied, kernel jumps re-checked on every call.
import { expect } from "chai";
import {
  bootKernel, CapabilityKind, LinkError, LoadError, MAX_UPCALL_DEPTH, linkAppForProcess, linkedModulesOf, loadApp, principalHolding, runApp, HalUserDomainHost, planLink,
  type AppImage, type Kernel,
} from "../../kernel/index.js";
import { createSimHal } from "../../hal/sim/index.js";
import { MODES_SECTION_NAME } from "../../runtime/abi/index.js";
import { appendCustomSection } from "../../runtime/toolchain/custom-section.js";
import { assembleWat } from "../helpers/wat.js";
import { callerModule, manifest, MODE_IMPORT, probeModule, quietKernel, twoModuleApp } from "./app-fixtures.js";

const byPage = () => principalHolding("user", ["kernelModeByPage"]);

async function linkFailure(kernel: Kernel, app: AppImage): Promise<LinkError> {
  const error = await runApp(kernel, app, { principal: byPage() }).then(() => undefined, (caught: unknown) => caught);
  expect(error).to.be.instanceOf(LinkError);
  return error as LinkError;
}

/** What the verifier requires of every kernel-mode module besides its own exports. */
const ABI_EXPORTS = `(memory (export "memory") 1 1) (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32) (i32.const 1024))`;

/** Adds the ABI exports at the end of a module that has none. */
function withAbiExports(wat: string): string {
  return wat.includes("(memory") ? wat : `${wat.slice(0, wat.lastIndexOf(")"))} ${ABI_EXPORTS})`;
}

describe("modes/linker", () => {
  it("refuses an import of an export that is not a declared entry point, naming module, function and rule", async () => {
    const kernel = quietKernel();
    const app = await twoModuleApp(kernel, { callerMode: "callers", calleeMode: "callers", importedName: "hidden" });
    const error = await linkFailure(kernel, app);
    expect(error.rule).to.equal("not-an-entry-point");
    expect(error.message).to.match(/callee\.hidden/).and.to.match(/entry points/);
  });

  it("refuses an import of a function the callee does not export", async () => {
    const kernel = quietKernel();
    const app = await twoModuleApp(kernel, { callerMode: "callers", calleeMode: "callers", importedName: "absent" });
    expect((await linkFailure(kernel, app)).rule).to.equal("missing-export");
  });

  it("refuses a link to a module that is not part of the app", async () => {
    const kernel = quietKernel();
    const app = loadApp(kernel.loader, "lonely", "caller", [
      { name: "caller", bytes: await assembleWat(callerModule()), manifest: manifest("caller", { main: {} }, ["callee"]) },
    ]);
    const error = await linkFailure(kernel, app);
    expect(error.rule).to.equal("missing-module");
    expect(error.message).to.contain("callee.probe").and.to.contain("not part of app 'lonely'");
  });

  it("refuses an import from a sibling the manifest does not list in links", async () => {
    const kernel = quietKernel();
    const app = loadApp(kernel.loader, "pair", "caller", [
      { name: "caller", bytes: await assembleWat(callerModule()), manifest: manifest("caller", { main: {} }, []) },
      { name: "callee", bytes: await assembleWat(probeModule), manifest: manifest("callee", { probe: {} }) },
    ]);
    expect((await linkFailure(kernel, app)).rule).to.equal("not-in-links");
  });

  it("refuses a module with both AlwaysKernelMode and AlwaysUserMode entry points", async () => {
    const kernel = quietKernel();
    const app = await twoModuleApp(kernel, { callerMode: "callers", calleeMode: "callers", calleeEntries: { probe: { mode: "kernel" }, hidden: { mode: "user" } } });
    expect((await linkFailure(kernel, app)).rule).to.equal("mixed-fixed-modes");
  });

  it("refuses a manifest mode that disagrees with the module's singlet.modes section", async () => {
    const kernel = quietKernel();
    const section = new TextEncoder().encode(JSON.stringify({ probe: "user", hidden: "callers" }));
    const app = loadApp(kernel.loader, "pair", "caller", [
      { name: "caller", bytes: await assembleWat(callerModule()), manifest: manifest("caller", { main: {} }, ["callee"]) },
      { name: "callee", bytes: appendCustomSection(await assembleWat(probeModule), MODES_SECTION_NAME, section), manifest: manifest("callee", { probe: { mode: "kernel" } }) },
    ]);
    const error = await linkFailure(kernel, app);
    expect(error.rule).to.equal("attribute-mismatch");
    expect(error.message).to.contain("callee.probe");
  });

  it("takes the mode from the singlet.modes section when the manifest leaves it out", async () => {
    const kernel = quietKernel();
    const section = new TextEncoder().encode(JSON.stringify({ probe: "user", hidden: "callers" }));
    const app = loadApp(kernel.loader, "pair", "caller", [
      { name: "caller", bytes: await assembleWat(callerModule()), manifest: manifest("caller", { main: {} }, ["callee"]) },
      { name: "callee", bytes: appendCustomSection(await assembleWat(probeModule), MODES_SECTION_NAME, section), manifest: manifest("callee", { probe: {} }) },
    ]);
    expect(planLink(app, byPage()).edges[0]).to.include({ attribute: "user", kind: "upcall" });
  });

  it("refuses same-domain links that form a cycle", async () => {
    const kernel = quietKernel();
    const first = `(module (import "second" "g" (func $g (result i32))) (func (export "f") (result i32) (i32.const 1)) (func (export "main") (result i32) (call $g)))`;
    const second = `(module (import "first" "f" (func $f (result i32))) (func (export "g") (result i32) (call $f)))`;
    const app = loadApp(kernel.loader, "cycle", "first", [
      { name: "first", bytes: await assembleWat(first), manifest: manifest("first", { f: {} }, ["second"]) },
      { name: "second", bytes: await assembleWat(second), manifest: manifest("second", { g: {} }, ["first"]) },
    ]);
    expect((await linkFailure(kernel, app)).rule).to.equal("cyclic-direct-links");
  });

  it("refuses an import whose signature differs from the export's when instantiating", async () => {
    const kernel = quietKernel();
    const caller = `(module (import "callee" "probe" (func $probe (param i64) (result i32))) (func (export "main") (result i32) (call $probe (i64.const 1))))`;
    const app = loadApp(kernel.loader, "pair", "caller", [
      { name: "caller", bytes: await assembleWat(caller), manifest: manifest("caller", { main: {} }, ["callee"]) },
      { name: "callee", bytes: await assembleWat(probeModule), manifest: manifest("callee", { probe: {} }) },
    ]);
    const error = await linkFailure(kernel, app);
    expect(error.rule).to.equal("instantiation-failed");
    expect(kernel.processes.count).to.equal(0);
  });

  it("links a same-mode call by passing the callee's exported function itself, with no wrapper between", async () => {
    const kernel = quietKernel();
    // The caller re-exports its import: the JS API hands back the very function object it was given.
    const caller = callerModule().replace(`(func (export "main")`, `(export "probeAsImported" (func $probe)) (func (export "main")`);
    const app = loadApp(kernel.loader, "pair", "caller", [
      { name: "caller", bytes: await assembleWat(caller), manifest: manifest("caller", { main: {} }, ["callee"]) },
      { name: "callee", bytes: await assembleWat(probeModule), manifest: manifest("callee", { probe: { mode: "kernel" } }) },
    ]);
    const { linked } = linkAppForProcess(kernel, app, { principal: byPage() });
    expect(linked.plan.edges[0]).to.include({ kind: "direct" });
    const callerExports = linked.kernelExports({ module: "caller", domain: "kernel" })!;
    const calleeExports = linked.kernelExports({ module: "callee", domain: "kernel" })!;
    expect(callerExports.probeAsImported).to.equal(calleeExports.probe);
  });

  it("fails to link a plan that needs a user domain when the kernel has no user-domain host", async () => {
    // A kernel booted without a CPU can run only what goes in the kernel domain.
    const kernel = bootKernel({ hal: createSimHal(), devices: { console: { write: () => undefined }, cpu: undefined } });
    const app = await twoModuleApp(kernel, { callerMode: "callers", calleeMode: "user" });
    const error = await runApp(kernel, app, { principal: byPage() }).then(() => undefined, (caught: unknown) => caught);
    expect(error).to.be.instanceOf(LinkError).with.property("rule", "no-user-domains");
  });

  it("runs the same upcall on the simulated CPU, in-thread, as on worker domains", async () => {
    const simulated = bootKernel({ hal: createSimHal(), devices: { console: { write: () => undefined } } });
    const onWorkers = quietKernel();
    const options = { callerMode: "callers", calleeMode: "user" } as const;
    const inThread = await runApp(simulated, await twoModuleApp(simulated, options), { principal: byPage() });
    const behindWorker = await runApp(onWorkers, await twoModuleApp(onWorkers, options), { principal: byPage() });
    expect(inThread.status).to.deep.equal(behindWorker.status);
    expect(inThread.linked.counters.find((counter) => counter.kind === "upcall")).to.include({ calls: 1, modeSwitches: 2 });
    expect(inThread.linked.userDomain!.stats().upcalls).to.equal(behindWorker.linked.userDomain!.stats().upcalls);
    await onWorkers.shutdown();
  });

  it("re-checks the principal at every kernel jump, so revoking CAP_KRNLMODEBYPAGE stops the next one with EPERM", async () => {
    const kernel = quietKernel();
    const principal = byPage();
    const app = await twoModuleApp(kernel, { callerMode: "user", calleeMode: "kernel" });
    const { process, linked } = linkAppForProcess(kernel, app, { principal });
    expect(await linked.run()).to.deep.equal({ kind: "exited", code: 41 });
    principal.revoke(CapabilityKind.kernelModeByPage);
    const status = await linked.run();
    expect(status.kind).to.equal("faulted");
    expect(status.kind === "faulted" && status.fault.message).to.match(/syskerneljump callee\.probe: EPERM/);
    expect(linked.counters[0]).to.include({ calls: 1, modeSwitches: 2 });
    linked.dispose();
    kernel.endProcess(process, status);
  });

  it("copies a string argument into the callee's own memory on an upcall", async () => {
    const kernel = quietKernel();
    const caller = `(module
      (import "counter" "sum" (func $sum (param i32 i32) (result i32)))
      (memory (export "memory") 1 1)
      (data (i32.const 64) "h\\00i\\00!\\00")
      (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32) (i32.const 1024))
      (func (export "main") (result i32) (call $sum (i32.const 64) (i32.const 3))))`;
    // Sums the UTF-16 units it was given; its allocator hands out 4096, far from the caller's 64.
    const counter = `(module
      ${MODE_IMPORT}
      (memory (export "memory") 1 1)
      (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32) (i32.const 4096))
      (func (export "sum") (param $pointer i32) (param $units i32) (result i32) (local $total i32)
        (if (i32.ne (local.get $pointer) (i32.const 4096)) (then (return (i32.const -1))))
        (block $done (loop $next
          (br_if $done (i32.eqz (local.get $units)))
          (local.set $total (i32.add (local.get $total) (i32.load16_u (local.get $pointer))))
          (local.set $pointer (i32.add (local.get $pointer) (i32.const 2)))
          (local.set $units (i32.sub (local.get $units) (i32.const 1)))
          (br $next)))
        (i32.add (i32.mul (local.get $total) (i32.const 10)) (call $mode))))`;
    const app = loadApp(kernel.loader, "strings", "caller", [
      { name: "caller", bytes: await assembleWat(caller), manifest: manifest("caller", { main: {} }, ["counter"]) },
      { name: "counter", bytes: await assembleWat(counter), manifest: manifest("counter", { sum: { mode: "user", parameters: ["string"] } }) },
    ]);
    const { status, linked } = await runApp(kernel, app, { principal: byPage() });
    const units = "hi!".split("").reduce((total, character) => total + character.charCodeAt(0), 0);
    expect(status).to.deep.equal({ kind: "exited", code: units * 10 + 0 });
    expect(linked.plan.edges[0]).to.include({ kind: "upcall" });
  });

  it("instantiates a UseCallersMode module once per domain that calls it, with separate state", async () => {
    const kernel = quietKernel();
    // main (kernel) bumps the shared counter, then upcalls `worker` (user), which bumps it too.
    const shared = `(module (global $count (mut i32) (i32.const 0))
      (func (export "bump") (result i32) (global.set $count (i32.add (global.get $count) (i32.const 1))) (global.get $count)))`;
    const worker = `(module (import "shared" "bump" (func $bump (result i32)))
      (func (export "work") (result i32) (drop (call $bump)) (call $bump)))`;
    const main = `(module (import "shared" "bump" (func $bump (result i32))) (import "worker" "work" (func $work (result i32)))
      (func (export "main") (result i32) (i32.add (i32.mul (call $bump) (i32.const 10)) (call $work))))`;
    const app = loadApp(kernel.loader, "per-domain", "main", [
      { name: "main", bytes: await assembleWat(withAbiExports(main)), manifest: manifest("main", { main: {} }, ["shared", "worker"]) },
      { name: "worker", bytes: await assembleWat(withAbiExports(worker)), manifest: manifest("worker", { work: { mode: "user" } }, ["shared"]) },
      { name: "shared", bytes: await assembleWat(withAbiExports(shared)), manifest: manifest("shared", { bump: { mode: "callers" } }) },
    ]);
    const { status, linked } = await runApp(kernel, app, { principal: byPage() });
    // Kernel instance of shared counted 1; the user instance counted 1, 2: separate state.
    expect(status).to.deep.equal({ kind: "exited", code: 12 });
    expect(linked.plan.instances.map((instance) => `${instance.module}@${instance.domain}`).sort())
      .to.deep.equal(["main@kernel", "shared@kernel", "shared@user", "worker@user"]);
  });

  describe("re-entry between domains", () => {
    // main (user) → syskerneljump kernel.enter → upcall user.leaf: a user domain re-entered while it waits.
    async function reentrantApp(kernel: Kernel): Promise<AppImage> {
      const leaf = `(module ${MODE_IMPORT} (func (export "leaf") (result i32) (i32.add (i32.const 50) (call $mode))))`;
      const enter = `(module ${MODE_IMPORT} (import "leafy" "leaf" (func $leaf (result i32)))
        (func (export "enter") (result i32) (i32.add (call $leaf) (i32.mul (i32.const 10) (call $mode)))))`;
      const main = `(module (import "entry" "enter" (func $enter (result i32))) (func (export "main") (result i32) (call $enter)))`;
      return loadApp(kernel.loader, "reentrant", "main", [
        { name: "main", bytes: await assembleWat(withAbiExports(main)), manifest: manifest("main", { main: { mode: "user" } }, ["entry"]) },
        { name: "entry", bytes: await assembleWat(withAbiExports(enter)), manifest: manifest("entry", { enter: { mode: "kernel" } }, ["leafy"]) },
        { name: "leafy", bytes: await assembleWat(withAbiExports(leaf)), manifest: manifest("leafy", { leaf: { mode: "user" } }) },
      ]);
    }

    it("lets a kernel entry upcall into the user domain that jumped into it, when the host can take it", async () => {
      const kernel = quietKernel();
      const { status, linked } = await runApp(kernel, await reentrantApp(kernel), { principal: byPage() });
      expect(status).to.deep.equal({ kind: "exited", code: 60 });
      expect(linked.counters.map((counter) => `${counter.callee}:${counter.kind}:${counter.modeSwitches}`))
        .to.deep.equal(["entry.enter:kernel-jump:2", "leafy.leaf:upcall:2"]);
    });

    it("refuses that re-entry with a fault instead of deadlocking when the host cannot take it", async () => {
      const kernel = quietKernel();
      class NonReentrantHost extends HalUserDomainHost {
        override readonly acceptsUpcallDuringKernelJump = false;
      }
      const { status } = await runApp(kernel, await reentrantApp(kernel), { principal: byPage(), userDomains: new NonReentrantHost(kernel.devices.cpu!) });
      expect(status.kind).to.equal("faulted");
      expect(status.kind === "faulted" && status.fault).to.include({ kind: "killed" });
      expect(status.kind === "faulted" && status.fault.message).to.match(/upcall leafy\.leaf: the user domain is waiting in a kernel jump/);
    });

    it("stops a kernel/user ping-pong at the upcall depth limit", async () => {
      const kernel = quietKernel();
      const ping = `(module (import "pong" "pong" (func $pong (result i32))) (func (export "ping") (result i32) (call $pong)))`;
      const pong = `(module (import "ping" "ping" (func $ping (result i32))) (func (export "pong") (result i32) (call $ping)))`;
      const main = `(module (import "ping" "ping" (func $ping (result i32))) (func (export "main") (result i32) (call $ping)))`;
      const app = loadApp(kernel.loader, "ping-pong", "main", [
        { name: "main", bytes: await assembleWat(withAbiExports(main)), manifest: manifest("main", { main: {} }, ["ping"]) },
        { name: "ping", bytes: await assembleWat(withAbiExports(ping)), manifest: manifest("ping", { ping: { mode: "kernel" } }, ["pong"]) },
        { name: "pong", bytes: await assembleWat(withAbiExports(pong)), manifest: manifest("pong", { pong: { mode: "user" } }, ["ping"]) },
      ]);
      const { status, linked } = await runApp(kernel, app, { principal: byPage() });
      expect(status.kind === "faulted" && status.fault.message).to.match(new RegExp(`${MAX_UPCALL_DEPTH} upcalls nested \\(limit ${MAX_UPCALL_DEPTH}\\)`));
      expect(linked.counters.find((counter) => counter.callee === "pong.pong")!.calls).to.equal(MAX_UPCALL_DEPTH);
    });
  });

  it("verifies a module's imports from its linked siblings only when loaded as part of an app", async () => {
    const kernel = quietKernel();
    const bytes = await assembleWat(callerModule());
    const callerManifest = manifest("caller", { main: {} }, ["callee"]);
    expect(kernel.load(bytes, { manifest: callerManifest }).verified).to.equal(false);
    const app = loadApp(kernel.loader, "pair", "caller", [{ name: "caller", bytes, manifest: callerManifest }]);
    expect(app.modules.get("caller")!.verified).to.equal(true);
  });

  it("does not let a module skip the verifier's ABI checks by listing a kernel ABI interface in links", () => {
    expect(linkedModulesOf({ name: "sly", links: ["singlet:kernel/process@0.1.0", "helper"] })).to.deep.equal(["helper"]);
  });

  it("refuses a manifest that asks for a kernel-mode capability for itself", async () => {
    const kernel = quietKernel();
    const image = kernel.load(await assembleWat(probeModule), { manifest: { name: "greedy", capabilities: ["kernelMode"] } });
    expect(() => kernel.spawn(image)).to.throw(LoadError, /only the system policy grants/);
  });
});
