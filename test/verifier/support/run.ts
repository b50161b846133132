// Verifies a module, instantiates its fuel-instrumented output with stub kernel imports and
// runs one export under a fuel budget: the harness of the fuel and fuzz suites.
import { expect } from "chai";
import { fuelGlobalOf, setFuel, verifyModule, type VerificationResult } from "../../../verifier/index.js";
import { stubKernelImports, type StubCounters } from "./apps.js";

export interface FuelRun {
  readonly result: VerificationResult;
  readonly instance: WebAssembly.Instance;
  readonly counters: StubCounters;
  /** Calls `name` with `budget` fuel; returns what it returned or threw, and the fuel used. */
  call(name: string, budget: number, ...args: unknown[]): { returned?: unknown; thrown?: unknown; fuelUsed: number };
}

export function instrumentAndInstantiate(bytes: Uint8Array<ArrayBuffer>, options: Parameters<typeof verifyModule>[1] = {}): FuelRun {
  const result = verifyModule(bytes, { validateOutput: true, ...options });
  expect(result.accepted, result.findings.map((item) => item.message).join("\n")).to.equal(true);
  const counters: StubCounters = { exhausted: 0, kernelCalls: 0 };
  const instance = new WebAssembly.Instance(new WebAssembly.Module(result.output!), stubKernelImports(counters));
  return {
    result, instance, counters,
    call(name, budget, ...args) {
      setFuel(instance, budget);
      const entry = instance.exports[name] as (...values: unknown[]) => unknown;
      let returned: unknown;
      let thrown: unknown;
      try {
        returned = entry(...args);
      } catch (error) {
        thrown = error;
      }
      return { returned, thrown, fuelUsed: budget - Number(fuelGlobalOf(instance)!.value) };
    },
  };
}
