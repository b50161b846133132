// Fuel escapes: programs that would run forever, each trying a different way past the charges
// (docs/verifier/fuel.md, "Why no path runs uncharged"). Every row must stop by calling
// `exhausted`, within one charge of its budget, inside a watchdog that turns a hang into a failure.
import { expect } from "chai";
import vm from "node:vm";
import { fuelGlobalOf, setFuel, verifyModule } from "../../verifier/index.js";
import { decodeModule } from "../../verifier/binary/decode.js";
import { walkCode } from "../../verifier/checks/code.js";
import { assemble, kernelApp } from "./support/assemble.js";
import { FuelExhausted, stubKernelImports } from "./support/apps.js";

const BUDGET = 20_000;
/** A row that has not stopped after this long escaped its budget (20 000 units take microseconds). */
const WATCHDOG_MILLISECONDS = 3_000;

interface EscapeRow {
  readonly name: string;
  /** Module fields spliced into a kernel app; the row runs its export `escape`. */
  readonly fields: string;
}

const ESCAPES: readonly EscapeRow[] = [
  {
    name: "a loop branching to itself",
    fields: `(func (export "escape") (loop $again (br $again)))`,
  },
  {
    name: "five nested loops, the innermost branching to the outermost",
    fields: `(func (export "escape")
      (loop $1 (loop $2 (loop $3 (loop $4 (loop $5 (br $1)))))))`,
  },
  {
    name: "nested loops, the inner one leaving early every time",
    fields: `(func (export "escape") (local $count i32)
      (loop $outer
        (block $leave
          (loop $inner
            (br_if $leave (i32.eqz (local.tee $count (i32.sub (local.get $count) (i32.const 1)))))
            (br $inner)))
        (br $outer)))`,
  },
  {
    name: "a br_table whose every target is a loop header",
    fields: `(func (export "escape") (local $pick i32)
      (loop $first
        (loop $second
          (local.set $pick (i32.and (i32.add (local.get $pick) (i32.const 1)) (i32.const 3)))
          (block $out
            (br_table $first $second $first $second $out (local.get $pick)))))
      )`,
  },
  {
    name: "a back-edge from inside an if and a block nested in the loop",
    fields: `(func (export "escape") (param $flag i32)
      (loop $again
        (if (local.get $flag)
          (then (block $inner (br_if $again (i32.const 1))))
          (else (br $again)))))`,
  },
  {
    name: "direct recursion",
    fields: `(func $self (export "escape") (call $self))`,
  },
  {
    name: "mutual recursion through three functions",
    fields: `(func $ping (export "escape") (call $pong))
      (func $pong (call $pang))
      (func $pang (call $ping))`,
  },
  {
    name: "recursion by tail calls, which never grow the stack",
    fields: `(func $ping (export "escape") (return_call $pong))
      (func $pong (return_call $ping))`,
  },
  {
    name: "recursion through a table, by call_indirect",
    fields: `(type $thunk (func))
      (table 2 2 funcref)
      (elem (i32.const 0) $bounce $bounce)
      (func $bounce (export "escape") (call_indirect (type $thunk) (i32.const 1)))`,
  },
  {
    name: "recursion through a table, by return_call_indirect",
    fields: `(type $thunk (func))
      (table 2 2 funcref)
      (elem (i32.const 0) $bounce $bounce)
      (func $bounce (export "escape") (return_call_indirect (type $thunk) (i32.const 0)))`,
  },
  {
    name: "recursion through an exported table (references leave the module: entry wrappers)",
    fields: `(type $thunk (func))
      (table (export "slots") 2 2 funcref)
      (elem (i32.const 0) $bounce $bounce)
      (func $bounce (export "escape") (call_indirect (type $thunk) (i32.const 1)))`,
  },
  {
    name: "a ref.func stored into a table at run time, then called",
    fields: `(type $thunk (func))
      (table 1 1 funcref)
      (elem declare func $bounce)
      (func $bounce (export "escape")
        (table.set (i32.const 0) (ref.func $bounce))
        (call_indirect (type $thunk) (i32.const 0)))`,
  },
  {
    name: "a loop calling a loop-free leaf function",
    fields: `(func $leaf (param i32) (result i32) (i32.add (local.get 0) (i32.const 1)))
      (func (export "escape") (local $sum i32)
        (loop $again (local.set $sum (call $leaf (local.get $sum))) (br $again)))`,
  },
  {
    name: "a loop calling the kernel every iteration",
    fields: `(import "singlet:kernel/clock@0.1.0" "now" (func $now (result i64)))
      (func (export "escape") (loop $again (drop (call $now)) (br $again)))`,
  },
  {
    name: "a loop of 64 KiB memory.fill",
    fields: `(func (export "escape") (loop $again (memory.fill (i32.const 0) (i32.const 1) (i32.const 65536)) (br $again)))`,
  },
  {
    name: "a loop of 32 KiB memory.copy",
    fields: `(func (export "escape") (loop $again (memory.copy (i32.const 0) (i32.const 32768) (i32.const 32768)) (br $again)))`,
  },
  {
    name: "a loop of table.fill over a large table",
    fields: `(table $slots 65536 65536 funcref)
      (func (export "escape") (loop $again (table.fill $slots (i32.const 0) (ref.null func) (i32.const 65536)) (br $again)))`,
  },
  {
    name: "a loop whose only work is a local with a long body of straight-line code",
    fields: `(func (export "escape") (local $x i32)
      (loop $again ${"(local.set $x (i32.add (local.get $x) (i32.const 1)))".repeat(200)} (br $again)))`,
  },
];

/** The most one charge can take at once in `bytes`: the largest region, or a bulk instruction over a whole memory or table. */
function largestSingleCharge(bytes: Uint8Array<ArrayBuffer>): number {
  const module = decodeModule(bytes);
  const memoryBytes = Math.max(0, ...module.memories.map((memory) => (memory.maximum ?? memory.minimum) * 65_536));
  const tableElements = Math.max(0, ...module.tables.map((table) => table.maximum ?? table.minimum));
  return Math.max(walkCode(module, []).largestCharge, Math.ceil(Math.max(memoryBytes, tableElements) / 32));
}

describe("verifier fuel escapes", function () {
  this.timeout(30_000);
  const watchdog = vm.createContext({ entry: () => undefined });

  for (const row of ESCAPES) {
    it(`stops ${row.name} within one charge of its budget`, async () => {
      const bytes = await assemble(kernelApp(row.fields));
      const result = verifyModule(bytes, { validateOutput: true });
      expect(result.accepted, result.findings.map((item) => item.message).join("\n")).to.equal(true);
      const counters = { exhausted: 0, kernelCalls: 0 };
      const instance = new WebAssembly.Instance(new WebAssembly.Module(result.output!), stubKernelImports(counters));
      setFuel(instance, BUDGET);
      let thrown: unknown;
      watchdog.entry = () => (instance.exports.escape as (flag?: number) => void)(1);
      try {
        vm.runInContext("entry()", watchdog, { timeout: WATCHDOG_MILLISECONDS });
      } catch (error) {
        thrown = error;
      }
      expect(String(thrown)).to.not.match(/timed out/);
      expect(thrown).to.be.instanceOf(FuelExhausted);
      expect(counters.exhausted).to.equal(1);
      const used = BUDGET - Number(fuelGlobalOf(instance)!.value);
      expect(used).to.be.greaterThan(BUDGET).and.at.most(BUDGET + largestSingleCharge(bytes));
    });
  }

  it("refuses exceptions, so no handler can catch the exhaustion and carry on", async () => {
    const bytes = await assemble(kernelApp(`(tag $oops) (func (export "escape") (try (do (throw $oops)) (catch_all)))`));
    const result = verifyModule(bytes);
    expect(result.accepted).to.equal(false);
    expect(result.findings.map((item) => item.code)).to.include("unsupported-feature");
  });
});
