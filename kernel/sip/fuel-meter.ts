// Fuel for the work kernel calls do. The verifier's fuel counts Wasm instructions only, so one
// `console.write` of a megabyte would cost the app a handful of fuel while the kernel copies two
// megabytes and every other process waits: kernel calls charge the same counter for their work.
//
// The counter is the instance's exported `singlet_fuel` global (verifier/fuel-contract.ts). A
// charge reads and writes that global, so it stays right if the rewriter ever caches fuel in a
// local and flushes it to the global before each call, as long as the code reloads the global
// after the call returns: the charge is then seen exactly like instructions spent in the call.
import { fuelGaugeOf, fuelGlobalOf, type FuelGauge } from "../../verifier/index.js";
import { FUEL_CHARGE_BATCH } from "../params.js";

/** What every kernel call can charge for its work; in a user domain the pipeline attaches its own (see CallContext.fuel). */
export interface FuelCharge {
  /** Spends `amount` fuel; ends the entry with fuel-exhausted (by throwing) when it runs out. */
  charge(amount: number): void;
}

export class FuelMeter implements FuelCharge {
  private gauge: FuelGauge | undefined;
  private resolved = false;
  /** Charged but not yet taken from the counter: below FUEL_CHARGE_BATCH. */
  private pending = 0;

  /**
   * `onExhausted` throws what unwinds the entry (the same handler as the fuel import's);
   * `instanceOf` gives the instance once it exists. The counter is looked up on first charge,
   * so a meter can be made before the instance it meters.
   */
  constructor(private readonly onExhausted: () => never, private readonly instanceOf: () => WebAssembly.Instance | undefined) {}

  charge(amount: number): void {
    if (!this.resolved) {
      const instance = this.instanceOf();
      if (instance === undefined) return;
      // An uninstrumented instance has no counter and charges nothing.
      const global = fuelGlobalOf(instance);
      this.gauge = global && fuelGaugeOf(global);
      this.resolved = true;
    }
    const gauge = this.gauge;
    if (gauge === undefined || amount <= 0) return;
    // Reading and writing the counter, even through the gauge, costs more than the call it charges
    // for. Charges gather in a number and reach the counter in batches instead.
    this.pending += amount;
    if (this.pending < FUEL_CHARGE_BATCH) return;
    const left = gauge.remaining() - Math.ceil(this.pending);
    this.pending = 0;
    if (left < 0) {
      gauge.fill(0);
      this.onExhausted();
    }
    gauge.fill(left);
  }
}
