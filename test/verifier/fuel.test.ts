// Fuel: running time of accepted modules is bounded, charged where work happens, and the
// rewrite keeps modules valid and their functions correctly named.
import { expect } from "chai";
import type { Manifest } from "../../runtime/abi/index.js";
import {
  FUEL_GLOBAL_EXPORT, FUEL_IMPORT_MODULE, FUEL_IMPORT_NAME, decodeFunctionNames, fuelBudgetFor, limits, verifyModule,
} from "../../verifier/index.js";
import { assemble, kernelApp } from "./support/assemble.js";
import { disassembleWasm } from "../helpers/wat.js";
import { FuelExhausted, builtApp, builtApps, stubKernelImports } from "./support/apps.js";
import { instrumentAndInstantiate } from "./support/run.js";
import { withBody } from "./support/mutate.js";
import { decodeModule } from "../../verifier/binary/decode.js";
import { Reader } from "../../verifier/binary/reader.js";
import { Writer } from "../../verifier/binary/writer.js";
import { fuelGlobalOf, setFuel } from "../../verifier/index.js";

const COUNTED_LOOP = `
  (func $count (export "count") (param $limit i32) (result i32)
    (local $index i32)
    (loop $again
      (local.set $index (i32.add (local.get $index) (i32.const 1)))
      (br_if $again (i32.lt_u (local.get $index) (local.get $limit))))
    (local.get $index))`;

const RECURSION = `
  (func $down (export "down") (param $depth i32) (result i32)
    (if (result i32) (i32.eqz (local.get $depth))
      (then (i32.const 0))
      (else (i32.add (i32.const 1) (call $down (i32.sub (local.get $depth) (i32.const 1)))))))
  (func $forever (export "forever") (result i32) (call $forever))`;

const INDIRECT = `
  (type $thunk (func (param i32) (result i32)))
  (table 2 2 funcref)
  (elem (i32.const 0) $leaf $bounce)
  (func $leaf (param i32) (result i32) (local.get 0))
  (func $bounce (param i32) (result i32) (call_indirect (type $thunk) (local.get 0) (i32.const 1)))
  (func (export "viaTable") (param i32) (result i32) (call_indirect (type $thunk) (local.get 0) (i32.const 0)))
  (func (export "bounceForever") (result i32) (call_indirect (type $thunk) (i32.const 0) (i32.const 1)))`;

/** Loops whose functions also leave by branches to the function's own label: br, br_if, br_table. */
const LOOPS_AND_FUNCTION_LABELS = `
  (func $firstAbove (export "firstAbove") (param $limit i32) (result i32)
    (local $index i32)
    (loop $again
      (drop (br_if 1 (local.get $index) (i32.gt_u (i32.mul (local.get $index) (local.get $index)) (local.get $limit))))
      (local.set $index (i32.add (local.get $index) (i32.const 1)))
      (br $again))
    (i32.const -1))
  (func $classify (export "classify") (param $value i32) (result i32)
    (loop $spin (br_if $spin (i32.eq (local.get $value) (i32.const 99))))
    (i32.add (i32.const 100)
      (block $small (result i32)
        (i32.add (i32.const 20)
          (block $large (result i32)
            (br_table $small $large 2 (i32.const 7) (local.get $value)))))))
  (func $nested (export "nested") (param $rows i32) (param $columns i32) (result i32)
    (local $row i32) (local $column i32) (local $sum i32)
    (block $done
      (loop $outer
        (br_if $done (i32.ge_u (local.get $row) (local.get $rows)))
        (local.set $column (i32.const 0))
        (loop $inner
          (local.set $sum (i32.add (local.get $sum) (i32.const 1)))
          (drop (br_if 3 (local.get $sum) (i32.eq (local.get $sum) (i32.const 1000))))
          (br_if $inner (i32.lt_u (local.tee $column (i32.add (local.get $column) (i32.const 1))) (local.get $columns))))
        (local.set $row (i32.add (local.get $row) (i32.const 1)))
        (br $outer)))
    (local.get $sum))`;

describe("verifier fuel", function () {
  this.timeout(20_000);

  it("stops apps/spin within its manifest budget by calling the exhausted import", () => {
    const bytes = builtApp("spin");
    const section = WebAssembly.Module.customSections(new WebAssembly.Module(bytes), "singlet.manifest")[0]!;
    const manifest = JSON.parse(new TextDecoder().decode(section)) as Manifest;
    const budget = fuelBudgetFor(manifest, "main");
    expect(budget).to.equal(manifest!.limits!.fuelPerEntry);
    const run = instrumentAndInstantiate(bytes);
    const outcome = run.call("main", budget);
    expect(outcome.thrown).to.be.instanceOf(FuelExhausted);
    expect(run.counters.exhausted).to.equal(1);
    expect(outcome.fuelUsed).to.be.greaterThan(budget).and.lessThan(budget + 100);
  });

  it("charges a loop with a static bound once per iteration", async () => {
    const run = instrumentAndInstantiate(await assemble(kernelApp(COUNTED_LOOP)));
    const ten = run.call("count", 1_000_000, 10);
    const thousand = run.call("count", 1_000_000, 1_000);
    expect(ten.returned).to.equal(10);
    expect(thousand.returned).to.equal(1_000);
    const perIteration = (thousand.fuelUsed - ten.fuelUsed) / 990;
    expect(perIteration).to.equal(Math.round(perIteration));
    expect(perIteration).to.be.within(8, 12);
    const starved = run.call("count", 500, 1_000_000);
    expect(starved.thrown).to.be.instanceOf(FuelExhausted);
  });

  it("keeps branches to a function's own label working in a function whose loops leave on exhaustion", async () => {
    const run = instrumentAndInstantiate(await assemble(kernelApp(LOOPS_AND_FUNCTION_LABELS)));
    expect(run.call("firstAbove", 1_000_000, 50).returned).to.equal(8);
    expect(run.call("classify", 1_000, 0).returned).to.equal(107);
    expect(run.call("classify", 1_000, 1).returned).to.equal(127);
    expect(run.call("classify", 1_000, 5).returned).to.equal(7);
    expect(run.call("nested", 1_000_000, 3, 4).returned).to.equal(12);
    expect(run.call("nested", 1_000_000, 100, 100).returned).to.equal(1_000);
    expect(run.counters.exhausted).to.equal(0);
    const spinning = run.call("classify", 1_000, 99);
    expect(spinning.thrown).to.be.instanceOf(FuelExhausted);
    expect(spinning.fuelUsed).to.be.greaterThan(1_000).and.lessThan(1_000 + 20);
    const starved = run.call("nested", 200, 1_000, 1_000);
    expect(starved.thrown).to.be.instanceOf(FuelExhausted);
    expect(run.counters.exhausted).to.equal(2);
  });

  it("rewrites a function with thousands of planned edits, more than the plan first makes room for", async () => {
    const calls = "(local.set $total (call $next (local.get $total)))".repeat(3_000);
    const run = instrumentAndInstantiate(await assemble(kernelApp(`
      (func $next (param i32) (result i32) (i32.add (local.get 0) (i32.const 1)))
      (func (export "many") (param $rounds i32) (result i32)
        (local $total i32)
        (loop $again
          ${calls}
          (br_if $again (local.tee $rounds (i32.sub (local.get $rounds) (i32.const 1)))))
        (local.get $total))`)));
    expect(run.call("many", 10_000_000, 2).returned).to.equal(6_000);
    expect(run.call("many", 1_000, 2).thrown).to.be.instanceOf(FuelExhausted);
  });

  it("leaves a loop by a branch on exhaustion, so no call sits inside the loop", async () => {
    const text = await disassembleWasm(verifyModule(await assemble(kernelApp(COUNTED_LOOP))).output!);
    const lines = text.split("\n");
    const start = lines.findIndex((line) => line.includes("(func $count"));
    const end = lines.findIndex((line, index) => index > start && line.trimStart().startsWith("(func"));
    const body = lines.slice(start, end);
    const loop = body.findIndex((line) => line.trimStart().startsWith("loop"));
    const indent = body[loop]!.length - body[loop]!.trimStart().length;
    const loopEnd = body.findIndex((line, index) => index > loop && line.length - line.trimStart().length === indent && line.trimStart().startsWith("end"));
    expect(loop).to.be.greaterThan(0);
    expect(body.slice(loop, loopEnd).filter((line) => line.includes("call"))).to.deep.equal([]);
    expect(body.slice(loop, loopEnd).some((line) => line.includes("br_if"))).to.equal(true);
    expect(body.slice(loopEnd).some((line) => line.includes(`call $${FUEL_IMPORT_MODULE}`) || line.includes("call 0"))).to.equal(true);
  });

  it("charges a recursive function at every call and stops endless recursion before the stack does", async () => {
    const run = instrumentAndInstantiate(await assemble(kernelApp(RECURSION)));
    const shallow = run.call("down", 1_000_000, 10);
    const deep = run.call("down", 1_000_000, 110);
    expect(deep.returned).to.equal(110);
    expect((deep.fuelUsed - shallow.fuelUsed) % 100).to.equal(0);
    expect(deep.fuelUsed - shallow.fuelUsed).to.be.at.least(100 * 10);
    const endless = run.call("forever", 1_000);
    expect(endless.thrown).to.be.instanceOf(FuelExhausted);
  });

  it("charges an indirect call at the callee's entry", async () => {
    const run = instrumentAndInstantiate(await assemble(kernelApp(INDIRECT)));
    const direct = run.call("viaTable", 1_000, 7);
    expect(direct.returned).to.equal(7);
    const callerOnly = 5;
    expect(direct.fuelUsed).to.be.greaterThan(callerOnly);
    const endless = run.call("bounceForever", 10_000);
    expect(endless.thrown).to.be.instanceOf(FuelExhausted);
  });

  it("charges a straight-line function once, at its entry, with its instruction count", async () => {
    const run = instrumentAndInstantiate(await assemble(kernelApp("", "(i32.const 7)")));
    expect(run.result.stats.fuelPointsInserted).to.equal(2);
    const exact = run.call("main", 2);
    expect(exact.returned).to.equal(7);
    expect(exact.fuelUsed).to.equal(2);
    const short = run.call("main", 1);
    expect(short.thrown).to.be.instanceOf(FuelExhausted);
  });

  it("charges bulk memory and table instructions by their length", async () => {
    const run = instrumentAndInstantiate(await assemble(kernelApp(`
      (data $bytes "0123456789abcdef0123456789abcdef")
      (table $slots 4096 4096 funcref)
      (func $nothing)
      (elem $refs func $nothing $nothing)
      (func (export "fill") (param i32) (memory.fill (i32.const 0) (i32.const 7) (local.get 0)))
      (func (export "copy") (param i32) (memory.copy (i32.const 0) (i32.const 8) (local.get 0)))
      (func (export "init") (param i32) (memory.init $bytes (i32.const 0) (i32.const 0) (local.get 0)))
      (func (export "tableFill") (param i32) (table.fill $slots (i32.const 0) (ref.null func) (local.get 0)))
      (func (export "tableInit") (param i32) (table.init $slots $refs (i32.const 0) (i32.const 0) (local.get 0)))
      (func (export "copyForever") (loop $again (memory.copy (i32.const 0) (i32.const 32768) (i32.const 32768)) (br $again)))`)));
    for (const name of ["fill", "copy", "tableFill"]) {
      const small = run.call(name, 1_000_000, 0);
      const large = run.call(name, 1_000_000, 4_096);
      expect(small.thrown, name).to.equal(undefined);
      expect(large.fuelUsed - small.fuelUsed, name).to.equal(4_096 / 32);
    }
    expect(run.call("init", 1_000_000, 32).fuelUsed - run.call("init", 1_000_000, 0).fuelUsed).to.equal(1);
    expect(run.call("tableInit", 1_000_000, 2).thrown).to.equal(undefined);
    const endless = run.call("copyForever", 100_000);
    expect(endless.thrown).to.be.instanceOf(FuelExhausted);
    expect(endless.fuelUsed).to.be.lessThan(100_000 + 32_768 / 32 + 10);
    const helpers = [...run.result.functionNames.values()].filter((name) => name.startsWith(`${FUEL_IMPORT_MODULE}.charge-`));
    expect(helpers).to.have.members([
      `${FUEL_IMPORT_MODULE}.charge-memory.fill`, `${FUEL_IMPORT_MODULE}.charge-memory.copy`, `${FUEL_IMPORT_MODULE}.charge-memory.init`,
      `${FUEL_IMPORT_MODULE}.charge-table.fill`, `${FUEL_IMPORT_MODULE}.charge-table.init`,
    ]);
  });

  it("lets bulk instructions out of bounds trap as the original does, not charge their length first (regression: differential testing)", async () => {
    const fields = `
      (data $bytes "0123456789abcdef")
      (table $slots 64 64 funcref)
      (func (export "fill") (param i32 i32) (memory.fill (local.get 0) (i32.const 7) (local.get 1)))
      (func (export "copy") (param i32 i32) (memory.copy (i32.const 0) (local.get 0) (local.get 1)))
      (func (export "init") (param i32 i32) (memory.init $bytes (local.get 0) (i32.const 0) (local.get 1)))
      (func (export "tableFill") (param i32 i32) (table.fill $slots (local.get 0) (ref.null func) (local.get 1)))`;
    const bytes = await assemble(kernelApp(fields));
    const original = new WebAssembly.Instance(new WebAssembly.Module(bytes), {});
    const run = instrumentAndInstantiate(bytes);
    const cases: [string, number, number][] = [
      ["fill", 0, 0xffff_ffff], ["fill", 65_000, 1_000], ["copy", 0xffff_0000, 0x1_0000], ["init", 65_530, 16], ["tableFill", 0, 0x7fff_ffff],
    ];
    for (const [name, start, length] of cases) {
      let originalError: unknown;
      try { (original.exports[name] as (a: number, b: number) => void)(start, length); } catch (error) { originalError = error; }
      expect(originalError, name).to.be.instanceOf(WebAssembly.RuntimeError);
      const outcome = run.call(name, 100, start, length);
      expect(outcome.thrown, name).to.be.instanceOf(WebAssembly.RuntimeError);
      expect((outcome.thrown as Error).message, name).to.equal((originalError as Error).message);
    }
    expect(run.counters.exhausted).to.equal(0);
    // In bounds, the length is still charged before the work: a budget too small for it stops first.
    expect(run.call("fill", 100, 0, 65_536).thrown).to.be.instanceOf(FuelExhausted);
  });

  it("rewrites bulk instructions whose sub-opcode is a padded LEB128 into a valid module (regression: table.fill)", async () => {
    const bytes = await assemble(kernelApp(`
      (table $slots 4096 4096 funcref)
      (func (export "tableFill") (param i32) (table.fill $slots (i32.const 0) (ref.null func) (local.get 0)))
      (func (export "fill") (param i32) (memory.fill (i32.const 0) (i32.const 7) (local.get 0)))`));
    const module = decodeModule(bytes);
    let padded = bytes;
    // table.fill is 0xfc 17, memory.fill 0xfc 11; re-encode each sub-opcode as a two-byte LEB128.
    for (const [bodyNumber, sub] of [[0, 17], [1, 11]] as const) {
      padded = withBody(decodeModule(padded), bodyNumber, (body) => {
        const at = body.findIndex((byte, index) => byte === 0xfc && body[index + 1] === sub);
        expect(at, `0xfc ${sub} in body ${bodyNumber}`).to.be.greaterThan(0);
        return Uint8Array.from([...body.subarray(0, at + 1), sub | 0x80, 0x00, ...body.subarray(at + 2)]);
      });
    }
    expect(module.bodies.length).to.equal(4);
    expect(WebAssembly.validate(padded)).to.equal(true);
    const run = instrumentAndInstantiate(padded);
    for (const name of ["tableFill", "fill"]) {
      const small = run.call(name, 1_000_000, 0);
      const large = run.call(name, 1_000_000, 4_096);
      expect(small.thrown, name).to.equal(undefined);
      expect(large.fuelUsed - small.fuelUsed, name).to.equal(4_096 / 32);
    }
  });

  it("flushes the counter before a kernel call and reloads it after, so the kernel reads and charges the true count", async () => {
    const bytes = await assemble(kernelApp(`
      (import "singlet:kernel/clock@0.1.0" "now" (func $now (result i64)))
      (func $work (param i32) (result i32) (i32.mul (local.get 0) (i32.const 3)))
      (func (export "loop") (param $rounds i32) (result i32)
        (local $sum i32)
        (loop $again
          (local.set $sum (call $work (local.get $sum)))
          (drop (call $now))
          (br_if $again (local.tee $rounds (i32.sub (local.get $rounds) (i32.const 1)))))
        (local.get $sum))`));
    const result = verifyModule(bytes, { validateOutput: true });
    const seen: bigint[] = [];
    let instance: WebAssembly.Instance | undefined;
    const imports = stubKernelImports();
    const KERNEL_CHARGE = 1_000n;
    (imports["singlet:kernel/clock@0.1.0"] as Record<string, unknown>).now = () => {
      const global = fuelGlobalOf(instance!)!;
      seen.push(global.value as bigint);
      global.value = (global.value as bigint) - KERNEL_CHARGE;
      return 0n;
    };
    instance = new WebAssembly.Instance(new WebAssembly.Module(result.output!), imports);
    setFuel(instance, 1_000_000);
    (instance.exports.loop as (rounds: number) => number)(5);
    expect(seen).to.have.length(5);
    for (let call = 1; call < seen.length; call++) {
      const between = seen[call - 1]! - seen[call]!;
      // Each kernel call sees the charge of the previous one and of the iteration between them.
      expect(between > KERNEL_CHARGE && between < KERNEL_CHARGE + 100n, `between calls ${call - 1} and ${call}: ${between}`).to.equal(true);
    }
    // Charges come at region entries, none after the last kernel call: the entry ends with exactly what the kernel left.
    expect(fuelGlobalOf(instance)!.value).to.equal(seen[4]! - KERNEL_CHARGE);
    setFuel(instance, 2_500);
    expect(() => (instance!.exports.loop as (rounds: number) => number)(100)).to.throw(FuelExhausted);
  });

  it("keeps the counter out of memory in a loop of direct calls: the global is written only at the entry's end", async () => {
    const text = await disassembleWasm(verifyModule(await assemble(kernelApp(`
      (func $leaf (param i32) (result i32) (i32.add (local.get 0) (i32.const 1)))
      (func $count (export "count") (param $limit i32) (result i32)
        (local $index i32)
        (loop $again
          (local.set $index (call $leaf (local.get $index)))
          (br_if $again (i32.lt_u (local.get $index) (local.get $limit))))
        (local.get $index))`))).output!);
    const lines = text.split("\n");
    const start = lines.findIndex((line) => line.includes("(func $count"));
    const end = lines.findIndex((line, index) => index > start && line.trimStart().startsWith("(func"));
    const body = lines.slice(start, end);
    const loop = body.findIndex((line) => line.trimStart().startsWith("loop"));
    const loopEnd = body.findIndex((line, index) => index > loop && line.trimStart() === "end");
    expect(body.slice(loop, loopEnd).filter((line) => /global\.(get|set)/.test(line))).to.deep.equal([]);
  });

  it("keeps results and every way out of a function working with the counter as an extra parameter and result", async () => {
    const run = instrumentAndInstantiate(await assemble(kernelApp(`
      (import "singlet:kernel/process@0.1.0" "id" (func $id (result i32)))
      (type $pair (func (param i32) (result i32 i32)))
      (type $unary (func (param i32) (result i32)))
      (table 2 2 funcref)
      (elem (i32.const 0) $halves $twice)
      (func $halves (param $value i32) (result i32 i32)
        (local i64) (local $spare f32)
        (if (i32.eqz (local.get $value)) (then (return (i32.const -1) (i32.const -1))))
        (br 0 (i32.shr_u (local.get $value) (i32.const 1)) (i32.sub (local.get $value) (i32.shr_u (local.get $value) (i32.const 1)))))
      (func $twice (param i32) (result i32) (i32.mul (local.get 0) (i32.const 2)))
      (func $sum (param $value i32) (result i32)
        (local $low i32) (local $high i32)
        (call $halves (local.get $value))
        (local.set $high)
        (local.set $low)
        (i32.add (local.get $low) (local.get $high)))
      (func $viaTable (param $value i32) (result i32)
        (i32.add (call_indirect (type $unary) (local.get $value) (i32.const 1))
          (block (result i32) (call_indirect (type $pair) (local.get $value) (i32.const 0)) (drop))))
      (func $tailToKernel (param i32) (result i32) (return_call $id))
      (func $tailThroughTable (param i32) (result i32) (return_call_indirect (type $unary) (local.get 0) (i32.const 1)))
      (func $leaveFromLoop (param $limit i32) (result i32)
        (local $index i32)
        (loop $again
          (br_if 1 (local.get $index) (i32.ge_u (local.get $index) (local.get $limit)))
          (local.set $index (i32.add (local.get $index) (i32.const 1)))
          (br $again))
        (i32.const -1))
      (func (export "sum") (param i32) (result i32) (call $sum (local.get 0)))
      (func (export "viaTable") (param i32) (result i32) (call $viaTable (local.get 0)))
      (func (export "tailToKernel") (param i32) (result i32) (call $tailToKernel (local.get 0)))
      (func (export "tailThroughTable") (param i32) (result i32) (call $tailThroughTable (local.get 0)))
      (func (export "leaveFromLoop") (param i32) (result i32) (call $leaveFromLoop (local.get 0)))
      (func (export "halvesOfZero") (result i32) (call $halves (i32.const 0)) (i32.add))`)));
    expect(run.call("sum", 10_000, 7).returned).to.equal(7);
    expect(run.call("viaTable", 10_000, 5).returned).to.equal(10 + 2);
    expect(run.call("tailToKernel", 10_000, 5).returned).to.equal(0);
    expect(run.call("tailThroughTable", 10_000, 21).returned).to.equal(42);
    expect(run.call("leaveFromLoop", 10_000, 9).returned).to.equal(9);
    expect(run.call("halvesOfZero", 10_000).returned).to.equal(-2);
    expect(run.counters.exhausted).to.equal(0);
    expect(run.call("leaveFromLoop", 50, 1_000).thrown).to.be.instanceOf(FuelExhausted);
  });

  it("runs the start function under the instantiation fuel", async () => {
    const bytes = await assemble(kernelApp(`(func $spin (loop $again (br $again))) (start $spin)`));
    const result = verifyModule(bytes);
    expect(result.accepted).to.equal(true);
    const imports = stubKernelImports();
    expect(() => new WebAssembly.Instance(new WebAssembly.Module(result.output!), imports)).to.throw(FuelExhausted);
  });

  it("keeps every instrumented app valid, with the fuel import and the exported fuel global", () => {
    const apps = builtApps();
    expect(apps.map((app) => app.name)).to.include.members(["hello", "spin", "fault"]);
    for (const app of apps) {
      const result = verifyModule(app.bytes);
      expect(result.accepted, app.name).to.equal(true);
      expect(WebAssembly.validate(result.output!), app.name).to.equal(true);
      const module = new WebAssembly.Module(result.output!);
      expect(WebAssembly.Module.imports(module)).to.deep.include({ module: FUEL_IMPORT_MODULE, name: FUEL_IMPORT_NAME, kind: "function" });
      expect(WebAssembly.Module.exports(module)).to.deep.include({ name: FUEL_GLOBAL_EXPORT, kind: "global" });
    }
  });

  it("renumbers calls, ref.func, elements, exports, start and globals consistently", async () => {
    const wat = kernelApp(`
      (import "singlet:kernel/clock@0.1.0" "now" (func $now (result i64)))
      (type $unary (func (param i32) (result i32)))
      (table 4 4 funcref)
      (elem (i32.const 0) $double $triple)
      (elem (table 0) (i32.const 2) funcref (ref.func $double) (ref.func $triple))
      (elem declare func $triple)
      (global $chosen funcref (ref.func $triple))
      (global $started (mut i32) (i32.const 0))
      (func $double (param i32) (result i32) (i32.mul (local.get 0) (i32.const 2)))
      (func $triple (param i32) (result i32) (i32.mul (local.get 0) (i32.const 3)))
      (func $init (global.set $started (i32.const 1)))
      (start $init)
      (func $tail (param i32) (result i32) (return_call $double (local.get 0)))
      (func (export "combine") (param i32) (result i32)
        (i32.add (i32.add (call $tail (local.get 0)) (call_indirect (type $unary) (local.get 0) (i32.const 3)))
          (i32.add (global.get $started)
            (i32.add (call_indirect (type $unary) (local.get 0) (i32.const 1))
              (ref.is_null (ref.func $triple))))))`);
    const run = instrumentAndInstantiate(await assemble(wat));
    expect(run.call("combine", 10_000, 5).returned).to.equal(10 + 15 + 1 + 15 + 0);
  });

  it("names the right function after renumbering, as V8 names it in a trap's stack", () => {
    const run = instrumentAndInstantiate(builtApp("fault"));
    const names = run.result.functionNames;
    const outputNames = decodeFunctionNames(new Uint8Array(WebAssembly.Module.customSections(new WebAssembly.Module(run.result.output!), "name")[0]!));
    expect(new Map(outputNames)).to.deep.equal(new Map(names));
    const outcome = run.call("main", 1_000_000);
    expect(outcome.thrown).to.be.instanceOf(WebAssembly.RuntimeError);
    const frames = [...String((outcome.thrown as Error).stack).matchAll(/at (\S+) \(wasm:\/\/wasm\/[0-9a-f]+:wasm-function\[(\d+)\]/g)];
    expect(frames.length).to.be.greaterThan(0);
    for (const [, name, index] of frames) expect(names.get(Number(index)), `frame ${index}`).to.equal(name!.replace(/^\$/, ""));
    const exhaustedIndex = [...names].find(([, name]) => name === `${FUEL_IMPORT_MODULE}.${FUEL_IMPORT_NAME}`)?.[0];
    expect(exhaustedIndex).to.equal(WebAssembly.Module.imports(new WebAssembly.Module(builtApp("fault"))).length);
  });

  it("names functions the same when the input lists its function names out of order", () => {
    const bytes = builtApp("fault");
    const ordered = verifyModule(bytes, { validateOutput: true });
    const reversed = verifyModule(withFunctionNamesReversed(bytes), { validateOutput: true });
    expect(reversed.accepted).to.equal(true);
    const outputNames = (output: Uint8Array<ArrayBuffer>) =>
      decodeFunctionNames(new Uint8Array(WebAssembly.Module.customSections(new WebAssembly.Module(output), "name")[0]!));
    expect(new Map(outputNames(reversed.output!))).to.deep.equal(new Map(outputNames(ordered.output!)));
    expect(new Map(outputNames(reversed.output!))).to.deep.equal(new Map(ordered.functionNames));
  });

  it("reads budgets from the entry, then the manifest's limit, then the default", () => {
    expect(fuelBudgetFor({ name: "x", entryPoints: { main: { fuel: 5 } }, limits: { fuelPerEntry: 7 } }, "main")).to.equal(5);
    expect(fuelBudgetFor({ name: "x", entryPoints: { main: {} }, limits: { fuelPerEntry: 7 } }, "main")).to.equal(7);
    expect(fuelBudgetFor({ name: "x" }, "main")).to.equal(limits.DEFAULT_FUEL_PER_ENTRY);
    expect(fuelBudgetFor(undefined, "main")).to.equal(limits.DEFAULT_FUEL_PER_ENTRY);
  });

  it("leaves the module as it was when fuel is turned off", () => {
    const bytes = builtApp("hello");
    const result = verifyModule(bytes, { fuel: false });
    expect(result.accepted).to.equal(true);
    expect(result.fuelInstrumented).to.equal(false);
    expect(result.output).to.equal(bytes);
  });
});

/** `bytes` with the function-name subsection of its name section listed from the last index to the first. */
function withFunctionNamesReversed(bytes: Uint8Array<ArrayBuffer>): Uint8Array<ArrayBuffer> {
  const section = decodeModule(bytes).customSections.find((range) => range.name === "name")!;
  const reader = new Reader(bytes, section.contentStart, section.end);
  const content = new Writer();
  while (!reader.atEnd) {
    const id = reader.byte();
    const size = reader.u32();
    const end = reader.offset + size;
    if (id !== 1) {
      content.byte(id);
      content.u32(size);
      content.copy(bytes, reader.offset, end);
    } else {
      const entries: Uint8Array[] = [];
      for (let count = reader.u32(); count > 0; count--) {
        const start = reader.offset;
        reader.u32();
        reader.skip(reader.u32());
        entries.push(bytes.subarray(start, reader.offset));
      }
      const names = new Writer();
      names.u32(entries.length);
      for (const entry of entries.reverse()) names.bytes(entry);
      content.section(1, names);
    }
    reader.offset = end;
  }
  const rebuilt = new Writer();
  rebuilt.copy(bytes, 0, section.start);
  rebuilt.byte(0);
  rebuilt.u32(5 + content.length);
  rebuilt.name("name");
  rebuilt.bytes(content.view());
  rebuilt.copy(bytes, section.end, bytes.length);
  return rebuilt.finish();
}
