// Hostile handle churn: a slot reused MAX_HANDLE_GENERATION times is retired rather than wrapped,
// so a dropped handle never names a live capability again, in the table and through the ABI.
import { expect } from "chai";
import { BadHandleError, CapabilityTable, type Capability } from "../../kernel/index.js";
import { HANDLE_INDEX_BITS, MAX_HANDLE_GENERATION, MAX_HANDLES_PER_PROCESS } from "../../kernel/params.js";
import { ErrorCode } from "../../runtime/abi/index.js";
import { runCaptured, testKernel } from "../helpers/kernel.js";
import { assembleWat, conformantModule, fixtureManifest } from "../helpers/wat.js";

const CAPABILITIES = "singlet:kernel/capabilities@0.1.0";
const CHURN_CPU_MILLISECONDS = 60_000;

function consoleCapability(): Capability {
  return { object: { kind: 1, target: undefined, revoked: false }, rights: 2 };
}

describe("hostile/handles", function () {
  this.timeout(60000);

  it("retires a slot dropped at its last generation, so the first handle it gave out stays stale", () => {
    const table = new CapabilityTable();
    const first = table.insert(consoleCapability());
    table.remove(first);
    const seen = new Set([first]);
    // Generations 2 .. MAX_HANDLE_GENERATION of the same slot, each handed out and dropped.
    for (let generation = 2; generation <= MAX_HANDLE_GENERATION; generation++) {
      const handle = table.insert(consoleCapability());
      expect(handle & ((1 << HANDLE_INDEX_BITS) - 1)).to.equal(first & ((1 << HANDLE_INDEX_BITS) - 1));
      expect(handle).to.be.greaterThan(0);
      expect(seen.has(handle), `handle ${handle} handed out twice`).to.equal(false);
      seen.add(handle);
      table.remove(handle);
    }
    expect(table.retired).to.equal(1);
    const next = table.insert(consoleCapability());
    expect(seen.has(next)).to.equal(false);
    expect(() => table.lookup(first)).to.throw(BadHandleError);
    expect(table.lookup(next).rights).to.equal(2);
    expect(table.size).to.equal(1);
  });

  it("counts retired slots against MAX_HANDLES_PER_PROCESS and says so when the table is full", () => {
    const table = new CapabilityTable();
    // Retire one slot, then fill the rest.
    for (let generation = 1; generation <= MAX_HANDLE_GENERATION; generation++) table.remove(table.insert(consoleCapability()));
    for (let index = 1; index < MAX_HANDLES_PER_PROCESS; index++) table.insert(consoleCapability());
    expect(table.size).to.equal(MAX_HANDLES_PER_PROCESS - 1);
    expect(() => table.insert(consoleCapability())).to.throw(/capability table full \(limit 1024, 1 retired after 32767 generations\)/);
  });

  it("releases every handle when the process dies, retiring slots at their last generation", () => {
    const table = new CapabilityTable();
    for (let generation = 1; generation < MAX_HANDLE_GENERATION; generation++) table.remove(table.insert(consoleCapability()));
    const last = table.insert(consoleCapability());
    table.insert(consoleCapability());
    expect(table.clear()).to.equal(2);
    expect(table.size).to.equal(0);
    expect(table.retired).to.equal(1);
    expect(() => table.lookup(last)).to.throw(BadHandleError);
  });

  for (const domain of ["kernel", "user"] as const) {
    it(`keeps a dropped handle stale through ${MAX_HANDLE_GENERATION} restrict/drop cycles of its slot in the ${domain} domain`, async () => {
      const kernel = testKernel();
      // Drops `first`, churns its slot through every later generation, takes one more handle and
      // asks for the kind behind `first`: a wrapped generation would answer 1 (console).
      const bytes = await assembleWat(conformantModule(`
        (import "${CAPABILITIES}" "initial-get" (func $initial (param i32) (result i32)))
        (import "${CAPABILITIES}" "restrict" (func $restrict (param i32 i32) (result i32)))
        (import "${CAPABILITIES}" "drop" (func $drop (param i32) (result i32)))
        (import "${CAPABILITIES}" "kind" (func $kind (param i32) (result i32)))`, `
        (local $console i32) (local $first i32) (local $cycles i32)
        (local.set $console (call $initial (i32.const 0)))
        (local.set $first (call $restrict (local.get $console) (i32.const 2)))
        (drop (call $drop (local.get $first)))
        (block $done (loop $churn
          (br_if $done (i32.ge_u (local.get $cycles) (i32.const ${MAX_HANDLE_GENERATION - 1})))
          (drop (call $drop (call $restrict (local.get $console) (i32.const 2))))
          (local.set $cycles (i32.add (local.get $cycles) (i32.const 1)))
          (br $churn)))
        (drop (call $restrict (local.get $console) (i32.const 2)))
        (call $kind (local.get $first))`));
      // 65 534 crossings in a user domain: a CPU budget far above what they need on a busy machine.
      const image = kernel.load(bytes, { manifest: { ...fixtureManifest("churn", ["console"]), limits: { cpuMilliseconds: CHURN_CPU_MILLISECONDS } } });
      expect(image.verified).to.equal(true);
      const run = await runCaptured(kernel, image, { domain });
      expect(run.status).to.deep.equal({ kind: "exited", code: -ErrorCode.badHandle });
      expect(run.process.capabilities.size).to.equal(0);
      expect(run.process.capabilities.retired).to.equal(1);
      expect(kernel.processes.count).to.equal(0);
      await kernel.shutdown();
    });
  }

  for (const domain of ["kernel", "user"] as const) {
    it(`revokes a restricted copy and its copies through the ABI in the ${domain} domain: -9 at their next use, the parent still writes`, async () => {
      const kernel = testKernel();
      // main = revoked count * 1000 + restrict-of-revoked result (negated code) * 10 + the parent's kind.
      const bytes = await assembleWat(conformantModule(`
        (import "${CAPABILITIES}" "initial-get" (func $initial (param i32) (result i32)))
        (import "${CAPABILITIES}" "restrict" (func $restrict (param i32 i32) (result i32)))
        (import "${CAPABILITIES}" "revoke" (func $revoke (param i32) (result i32)))
        (import "${CAPABILITIES}" "kind" (func $kind (param i32) (result i32)))`, `
        (local $console i32) (local $copy i32) (local $copyOfCopy i32) (local $revoked i32)
        (local.set $console (call $initial (i32.const 0)))
        (local.set $copy (call $restrict (local.get $console) (i32.const 2)))
        (local.set $copyOfCopy (call $restrict (local.get $copy) (i32.const 2)))
        (local.set $revoked (call $revoke (local.get $console)))
        (i32.add (i32.add
          (i32.mul (local.get $revoked) (i32.const 1000))
          (i32.mul (i32.sub (i32.const 0) (call $kind (local.get $copyOfCopy))) (i32.const 10)))
          (call $kind (local.get $console)))`));
      const run = await runCaptured(kernel, kernel.load(bytes, { manifest: fixtureManifest("revoker", ["console"]) }), { domain });
      expect(run.status).to.deep.equal({ kind: "exited", code: 2 * 1000 + ErrorCode.badHandle * 10 + 1 });
      expect(run.process.capabilities.size).to.equal(0);
      await kernel.shutdown();
    });
  }
});
