// Hostile cabi_realloc: the kernel allocates in a process's memory by calling the process's own
// allocator, so whatever that code does — trap, loop, overflow its stack, answer an address
// outside its memory — is the process's fault, reported as such, never a kernel error.
import { expect } from "chai";
import { formatFault, loadApp, principalHolding, runApp } from "../../kernel/index.js";
import { manifest, quietKernel } from "../modes/app-fixtures.js";
import { runCaptured, testKernel } from "../helpers/kernel.js";
import { assembleWat, fixtureManifest } from "../helpers/wat.js";

const PROCESS = "singlet:kernel/process@0.1.0";

/** A module whose `main` asks for argument 0 (which the kernel lowers through `cabi_realloc`). */
function argumentReader(reallocBody: string, extra = ""): string {
  return `(module
  (import "${PROCESS}" "arg-get" (func $argGet (param i32 i32)))
  (memory (export "memory") 1 4)
  ${extra}
  (func $realloc (export "cabi_realloc") (param i32 i32 i32 i32) (result i32)
    ${reallocBody})
  (func $main (export "main") (result i32)
    (call $argGet (i32.const 0) (i32.const 16))
    (i32.load offset=4 (i32.const 16))))`;
}

interface ReallocRow {
  readonly name: string;
  readonly reallocBody: string;
  readonly extra?: string;
  /** Fault kind per domain: a loop runs out of fuel in the kernel, of CPU time in a user domain. */
  readonly kinds: { readonly kernel: string; readonly user: string };
  readonly message: RegExp;
}

const rows: readonly ReallocRow[] = [
  { name: "traps", reallocBody: "(unreachable)", kinds: { kernel: "trap", user: "trap" }, message: /unreachable/ },
  { name: "divides by zero", reallocBody: "(i32.div_u (local.get 3) (i32.const 0))", kinds: { kernel: "trap", user: "trap" }, message: /divi/ },
  { name: "loops forever", reallocBody: "(loop $forever (br $forever)) (i32.const 0)", kinds: { kernel: "fuel-exhausted", user: "cpu-budget" }, message: /fuel|budget/ },
  { name: "recurses without end", reallocBody: "(call $realloc (local.get 0) (local.get 1) (local.get 2) (local.get 3))",
    kinds: { kernel: "stack-overflow", user: "stack-overflow" }, message: /stack|call stack/i },
  { name: "answers an address outside its memory", reallocBody: "(i32.const 0x7ffffff0)", kinds: { kernel: "bad-address", user: "bad-address" }, message: /0x7ffffff0/ },
];

describe("hostile/cabi_realloc", function () {
  this.timeout(30000);

  for (const domain of ["kernel", "user"] as const) {
    for (const row of rows) {
      it(`faults a ${domain}-domain process whose cabi_realloc ${row.name} while the kernel lowers an argument, as ${row.kinds[domain]}`, async () => {
        const kernel = testKernel();
        const image = kernel.load(await assembleWat(argumentReader(row.reallocBody, row.extra)),
          { manifest: { ...fixtureManifest("hostile-realloc"), limits: { fuelPerEntry: 1_000_000, cpuMilliseconds: 300 } } });
        expect(image.verified).to.equal(true);
        const bystander = kernel.load(await assembleWat(argumentReader("(i32.const 1024)")), { manifest: fixtureManifest("bystander") });
        const [run, other] = await Promise.all([
          runCaptured(kernel, image, { domain, args: ["an argument the kernel must lower"] }),
          runCaptured(kernel, bystander, { domain, args: ["fine"] }),
        ]);
        expect(other.status).to.deep.equal({ kind: "exited", code: 4 });
        expect(run.status.kind).to.equal("faulted");
        if (run.status.kind !== "faulted") return;
        const fault = run.status.fault;
        expect(fault.kind, formatFault(fault)).to.equal(row.kinds[domain]);
        expect(fault.message).to.match(row.message);
        expect(fault.message).to.not.contain("[object Object]");
        expect(formatFault(fault)).to.not.contain("kernel-error");
        expect(run.process.capabilities.size).to.equal(0);
        expect(kernel.processes.count).to.equal(0);
        await kernel.shutdown();
      });
    }
  }

  // A linked app: the kernel copies a string from one in-kernel module into another through the
  // callee's allocator, or lowers it into a kernel entry a user domain jumped to.
  for (const [callerMode, edge] of [["kernel", "copy between two in-kernel modules"], ["user", "kernel jump from a user domain"]] as const) {
    it(`faults the app when the callee's cabi_realloc traps on a ${edge}`, async () => {
      const kernel = quietKernel();
      const caller = `(module
        (import "callee" "take" (func $take (param i32 i32) (result i32)))
        (memory (export "memory") 1 1)
        (data (i32.const 64) "h\\00i\\00")
        (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32) (i32.const 1024))
        (func (export "main") (result i32) (call $take (i32.const 64) (i32.const 2))))`;
      const callee = `(module
        (memory (export "memory") 1 1)
        (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32) (unreachable))
        (func (export "take") (param i32 i32) (result i32) (local.get 1)))`;
      const app = loadApp(kernel.loader, "hostile-callee", "caller", [
        { name: "caller", bytes: await assembleWat(caller), manifest: manifest("caller", { main: { mode: callerMode } }, ["callee"]) },
        { name: "callee", bytes: await assembleWat(callee), manifest: manifest("callee", { take: { mode: "kernel", parameters: ["string"] } }) },
      ]);
      const { status, process } = await runApp(kernel, app, { principal: principalHolding("user", ["kernelModeByPage"]) });
      expect(status.kind).to.equal("faulted");
      if (status.kind !== "faulted") return;
      expect(status.fault.kind, formatFault(status.fault)).to.not.equal("kernel-error");
      expect(status.fault.message).to.match(/cabi_realloc: unreachable/);
      expect(process.capabilities.size).to.equal(0);
      expect(kernel.processes.count).to.equal(0);
      await kernel.shutdown();
    });
  }
});
