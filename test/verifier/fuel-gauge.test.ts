// The fuel gauge: fills and reads an instance's i64 fuel global as numbers, exactly.
import { expect } from "chai";
import { fuelGaugeOf } from "../../verifier/index.js";

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
