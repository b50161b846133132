// The fuel gauge: fills and reads an instance's i64 fuel global as numbers, exactly.
import { expect } from "chai";
import { fuelGaugeOf, meteredCallOf } from "../../verifier/index.js";
import { assembleWat } from "../helpers/wat.js";

describe("verifier/fuel-gauge", () => {
  const budgets = [0, 1, 10_000_000, 2 ** 40 + 7, Number.MAX_SAFE_INTEGER];

  it("fills the global with a budget the WebAssembly API reads back unchanged", () => {
    const global = new WebAssembly.Global({ value: "i64", mutable: true }, 0n);
    const gauge = fuelGaugeOf(global);
    for (const budget of budgets) {
      gauge.fill(budget);
      expect(global.value).to.equal(BigInt(budget));
    }
  });

  it("reads what the global holds, overdrawn (negative) fuel included", () => {
    const global = new WebAssembly.Global({ value: "i64", mutable: true }, 0n);
    const gauge = fuelGaugeOf(global);
    for (const left of [...budgets, -1, -12_345]) {
      global.value = BigInt(left);
      expect(gauge.remaining()).to.equal(left);
    }
  });
});

describe("verifier/fuel-gauge: metered call", () => {
  async function entryInstance(parameters: string, body: string) {
    const bytes = await assembleWat(`(module
      (global $fuel (export "fuel") (mut i64) (i64.const 0))
      (func (export "entry") ${parameters} ${body}))`);
    const exports = new WebAssembly.Instance(new WebAssembly.Module(bytes)).exports;
    return { global: exports.fuel as WebAssembly.Global, entry: exports.entry as Function };
  }

  it("fills the fuel, calls the entry with its arguments and returns the fuel it left", async () => {
    // The entry spends its two arguments' sum.
    const { global, entry } = await entryInstance("(param i32 i32)",
      "(global.set $fuel (i64.sub (global.get $fuel) (i64.extend_i32_u (i32.add (local.get 0) (local.get 1)))))");
    const call = meteredCallOf(global, entry)!;
    expect(call(3, 4, 1_000)).to.equal(993);
    expect(call(0, 0, Number.MAX_SAFE_INTEGER)).to.equal(Number.MAX_SAFE_INTEGER);
    expect(call(10, 0, 5)).to.equal(-5);
  });

  it("passes what the entry throws through unchanged", async () => {
    const { global, entry } = await entryInstance("(param i32 i32)", "(unreachable)");
    expect(() => meteredCallOf(global, entry)!(1, 2, 100)).to.throw(WebAssembly.RuntimeError);
  });

  it("offers no metered call for an entry of another signature", async () => {
    const { global, entry } = await entryInstance("(param i32)", "");
    expect(meteredCallOf(global, entry)).to.equal(undefined);
  });
});
