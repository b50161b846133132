// Fuel per in-kernel delivery: every delivery starts from the dispatch entry's whole budget, not
// what the last one left, and the statistics count exactly what each used.
import { expect } from "chai";
import { createSimHal } from "../../hal/sim/index.js";
import { bootKernel, type Kernel } from "../../kernel/index.js";
import { assembleWat, conformantModule } from "../helpers/wat.js";

/** Yields until `deliveries` have run; each delivery first spins a fixed loop, so they cost alike. */
function spinningYielder(deliveries: number): string {
  return conformantModule(`(import "singlet:kernel/process@0.1.0" "yield" (func $yield (param i32) (result i32)))`,
    `(drop (call $yield (i32.const 0))) (i32.const 0)`, `
  (global $left (mut i32) (i32.const ${deliveries}))
  (func (export "dispatch") (param i32 i32) (local $spin i32)
    (loop $again (br_if $again (i32.lt_u (local.tee $spin (i32.add (local.get $spin) (i32.const 1))) (i32.const 100))))
    (global.set $left (i32.sub (global.get $left) (i32.const 1)))
    (if (global.get $left) (then (drop (call $yield (i32.const 0))))))`);
}

async function run(kernel: Kernel, deliveries: number, dispatchFuel: number) {
  const image = kernel.load(await assembleWat(spinningYielder(deliveries)), {
    manifest: { name: `spinner-${deliveries}-${dispatchFuel}`, capabilities: [], entryPoints: { main: {}, dispatch: { fuel: dispatchFuel } } },
  });
  const { process, status } = await kernel.run(image, { domain: "kernel", output: () => undefined });
  return { status, statistics: process.events.statistics };
}

describe("kernel/delivery fuel", () => {
  it("gives each delivery the whole dispatch budget and counts the fuel each used exactly", async () => {
    const kernel = bootKernel({ hal: createSimHal(), devices: { console: { write: () => undefined } } });
    const plenty = 1_000_000;
    // What a delivery that yields again uses, and the last one that does not.
    const two = await run(kernel, 2, plenty);
    const three = await run(kernel, 3, plenty);
    expect(two.statistics.meteredDeliveries).to.equal(2);
    const yielding = three.statistics.deliveryFuel - two.statistics.deliveryFuel;
    const last = two.statistics.deliveryFuel - yielding;
    expect(yielding).to.be.greaterThan(100);
    expect(last).to.be.at.most(yielding);

    // A budget of exactly one delivery's use lasts for any number of deliveries.
    const many = await run(kernel, 50, yielding);
    expect(many.status).to.deep.equal({ kind: "exited", code: 0 });
    expect(many.statistics.delivered).to.equal(50);
    expect(many.statistics.deliveryFuel).to.equal(49 * yielding + last);

    // One unit less and the first delivery runs out.
    const short = await run(kernel, 50, yielding - 1);
    expect(short.status).to.deep.include({ kind: "faulted" });
    if (short.status.kind === "faulted") expect(short.status.fault.kind).to.equal("fuel-exhausted");
    expect(short.statistics.delivered).to.equal(1);
  });
});
