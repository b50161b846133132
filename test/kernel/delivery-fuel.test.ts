// Fuel per in-kernel delivery: every delivery starts from the dispatch entry's whole budget, not
// what the last one left, and the statistics count exactly what each used.
import { expect } from "chai";
import { eventApp, eventManifest } from "../helpers/event-apps.js";
import { EventKernel } from "../helpers/event-kernel.js";

/** Yields until `deliveries` have run; each delivery first spins a fixed loop, so they cost alike. */
function spinningYielder(deliveries: number) {
  return eventApp({
    globals: ["delivered"],
    locals: ["spin"],
    main: `(drop (call $yield (i32.const 0))) (i32.const 0)`,
    dispatch: `
      (loop $again (br_if $again (i32.lt_u (local.tee $spin (i32.add (local.get $spin) (i32.const 1))) (i32.const 100))))
      (global.set $delivered (i32.add (global.get $delivered) (i32.const 1)))
      (if (i32.lt_u (global.get $delivered) (i32.const ${deliveries})) (then (drop (call $yield (i32.const 0)))))`,
  });
}

async function run(system: EventKernel, deliveries: number, dispatchFuel: number) {
  const image = system.load(await spinningYielder(deliveries), eventManifest(`spinner-${deliveries}-${dispatchFuel}`, { capabilities: [], dispatchFuel }));
  const { process, status } = system.spawn(image, { domain: "kernel" });
  return { status: await status, statistics: process.events.statistics };
}

describe("kernel/delivery fuel", () => {
  it("gives each delivery the whole dispatch budget and counts the fuel each used exactly", async () => {
    const system = new EventKernel();
    const plenty = 1_000_000;
    // What a delivery that yields again uses, and the last one that does not.
    const two = await run(system, 2, plenty);
    const three = await run(system, 3, plenty);
    expect(two.statistics.meteredDeliveries).to.equal(2);
    const yielding = three.statistics.deliveryFuel - two.statistics.deliveryFuel;
    const last = two.statistics.deliveryFuel - yielding;
    expect(yielding).to.be.greaterThan(100);
    expect(last).to.be.at.most(yielding);

    // A budget of exactly one delivery's use lasts for any number of deliveries.
    const many = await run(system, 50, yielding);
    expect(many.status).to.deep.equal({ kind: "exited", code: 0 });
    expect(many.statistics.delivered).to.equal(50);
    expect(many.statistics.deliveryFuel).to.equal(49 * yielding + last);

    // One unit less and the first delivery runs out.
    const short = await run(system, 50, yielding - 1);
    expect(short.status).to.deep.include({ kind: "faulted" });
    if (short.status.kind === "faulted") expect(short.status.fault.kind).to.equal("fuel-exhausted");
    expect(short.statistics.delivered).to.equal(1);
  });
});
