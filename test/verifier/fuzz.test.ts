// Fuzz: thousands of seeded mutations of the real apps. The verifier answers every one with a
// verdict (never a throw, never InternalError for bytes V8 accepts), and every accepted mutant
// runs under fuel to a return, a trap or fuel exhaustion, inside a watchdog that catches hangs,
// and never past its budget: a return leaves fuel at or above zero, an exhaustion stops within
// one charge of the budget (the largest region, or the largest bulk charge memory allows).
import { expect } from "chai";
import vm from "node:vm";
import { formatVerificationLog, fuelGlobalOf, setFuel, verifyModule, type VerdictClass } from "../../verifier/index.js";
import { BULK_BYTES_PER_FUEL } from "../../verifier/fuel-contract.js";
import { walkCode } from "../../verifier/checks/code.js";
import { decodeModule } from "../../verifier/binary/decode.js";
import { assemble, kernelApp } from "./support/assemble.js";
import { FuelExhausted, StubKernelExit, builtApps, stubKernelImports } from "./support/apps.js";
import { decodeOriginal, mutate, seededRandom } from "./support/mutate.js";

const SEED = Number(process.env.VERIFIER_FUZZ_SEED ?? 0x5eed);
const MUTANTS = 6_000;
const TIME_BUDGET_MILLISECONDS = 12_000;
const FUEL_PER_RUN = 200_000;
/** A run that takes longer than this is a hang: fuel should have stopped it long before. */
const WATCHDOG_MILLISECONDS = 2_000;

/** A module using what the apps do not: tables, element segments, ref.func, tail calls, bulk data. */
const RICH_MODULE = kernelApp(`
  (import "singlet:kernel/clock@0.1.0" "now" (func $now (result i64)))
  (type $unary (func (param i32) (result i32)))
  (table 8 8 funcref)
  (elem (i32.const 0) $double $triple $spin)
  (elem declare func $triple)
  (data $text "kernel mode data segment")
  (global $chosen funcref (ref.func $triple))
  (global $counter (mut i32) (i32.const 0))
  (func $double (param i32) (result i32) (i32.mul (local.get 0) (i32.const 2)))
  (func $triple (param i32) (result i32) (i32.mul (local.get 0) (i32.const 3)))
  (func $spin (param i32) (result i32) (loop $again (br_if $again (local.get 0))) (i32.const 0))
  (func $setup (global.set $counter (i32.const 3)) (memory.init $text (i32.const 64) (i32.const 0) (i32.const 24)))
  (start $setup)
  (func $tail (param i32) (result i32) (return_call $double (local.get 0)))
  (func $work (result i32)
    (local $index i32)
    (memory.fill (i32.const 128) (i32.const 1) (i32.const 256))
    (memory.copy (i32.const 512) (i32.const 64) (i32.const 24))
    (loop $steps
      (global.set $counter (i32.add (global.get $counter)
        (call_indirect (type $unary) (local.get $index) (i32.and (local.get $index) (i32.const 1)))))
      (br_if $steps (i32.lt_u (local.tee $index (i32.add (local.get $index) (i32.const 1))) (i32.const 100))))
    (i32.add (call $tail (global.get $counter)) (i32.wrap_i64 (call $now))))`, "(call $work)");

/** The most one charge can take at once: the largest region, or a bulk instruction over all of memory or a table. */
function largestSingleCharge(bytes: Uint8Array<ArrayBuffer>): number {
  const module = decodeModule(bytes);
  const largestRegion = walkCode(module, []).largestCharge;
  const memoryBytes = Math.max(0, ...module.memories.map((memory) => (memory.maximum ?? memory.minimum) * 65_536));
  const tableElements = Math.max(0, ...module.tables.map((table) => table.maximum ?? table.minimum));
  return Math.max(largestRegion, Math.ceil(Math.max(memoryBytes, tableElements) / BULK_BYTES_PER_FUEL));
}

type Outcome = "returned" | "trapped" | "fuel exhausted" | "kernel exit" | "stack overflow";

function classify(error: unknown): Outcome {
  if (error instanceof FuelExhausted) return "fuel exhausted";
  if (error instanceof StubKernelExit) return "kernel exit";
  if (error instanceof WebAssembly.RuntimeError) return "trapped";
  if (error instanceof RangeError && /call stack/.test(error.message)) return "stack overflow";
  throw error;
}

describe("verifier fuzz", function () {
  this.timeout(40_000);

  it(`answers ${MUTANTS} mutants of the apps with a verdict and runs every accepted one to an end (seed ${SEED})`, async () => {
    const rich = { name: "rich", bytes: await assemble(RICH_MODULE) };
    expect(verifyModule(rich.bytes).accepted).to.equal(true);
    const apps = [...builtApps(), rich].map((app) => ({ ...app, module: decodeOriginal(app.bytes) }));
    expect(apps.length).to.be.at.least(4);
    const random = seededRandom(SEED);
    const watchdog = vm.createContext({ entry: () => undefined });
    const verdicts = new Map<VerdictClass, number>();
    const outcomes = new Map<Outcome, number>();
    const kinds = new Map<string, number>();
    const started = performance.now();
    let done = 0;
    for (; done < MUTANTS && performance.now() - started < TIME_BUDGET_MILLISECONDS; done++) {
      const app = apps[done % apps.length]!;
      const mutation = mutate(app.bytes, app.module, random);
      const where = `mutant ${done} of ${app.name} (${mutation.kind}), seed ${SEED}`;
      const result = verifyModule(mutation.bytes, { validateOutput: true });
      verdicts.set(result.verdict, (verdicts.get(result.verdict) ?? 0) + 1);
      expect(result.verdict, `${where}\n${formatVerificationLog(result)}`).to.not.equal("InternalError");
      expect(result.accepted).to.equal(result.verdict === "Accepted");
      if (!result.accepted) {
        expect(result.findings.length, where).to.be.greaterThan(0);
        continue;
      }
      kinds.set(mutation.kind, (kinds.get(mutation.kind) ?? 0) + 1);
      let outcome: Outcome;
      let instance: WebAssembly.Instance | undefined;
      try {
        watchdog.entry = () => {
          instance = new WebAssembly.Instance(new WebAssembly.Module(result.output!), stubKernelImports());
          setFuel(instance, FUEL_PER_RUN);
          (instance.exports.main as () => number)();
        };
        vm.runInContext("entry()", watchdog, { timeout: WATCHDOG_MILLISECONDS });
        outcome = "returned";
      } catch (error) {
        expect(String(error), where).to.not.match(/timed out/);
        outcome = classify(error);
      }
      outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
      if (instance !== undefined && (outcome === "returned" || outcome === "fuel exhausted")) {
        const left = Number(fuelGlobalOf(instance)!.value);
        const overshoot = outcome === "returned" ? 0 : largestSingleCharge(mutation.bytes);
        expect(left, `${where}: ${outcome} with ${left} fuel left of ${FUEL_PER_RUN}`).to.be.at.least(-overshoot);
      }
    }
    const summary = `${done} mutants in ${(performance.now() - started).toFixed(0)} ms; verdicts ${JSON.stringify(Object.fromEntries(verdicts))}; `
      + `accepted runs ${JSON.stringify(Object.fromEntries(outcomes))}`;
    console.log(`      ${summary}`);
    expect(done, summary).to.be.at.least(3_000);
    expect(verdicts.get("Accepted") ?? 0, summary).to.be.greaterThan(100);
    expect(outcomes.get("fuel exhausted") ?? 0, summary).to.be.greaterThan(10);
  });
});
