// The fuel contract between the verifier's rewriter and the kernel: names, types, budgets.
//
// An instrumented module exports a mutable i64 global `singlet_fuel` holding the fuel left.
// The kernel sets `.value` to the entry's budget before every entry call. Function entries and
// loop headers subtract their region's cost from a copy the module keeps in a local, which it
// writes back to the global when the entry returns and around every kernel call (so a kernel
// call may read or charge it); when the count goes negative the module writes it back and calls
// the imported `singlet:kernel/fuel@0.1.0`.`exhausted` (type `() -> ()`), whose kernel side
// throws, unwinding the entry; an `unreachable` follows the call so the code can never continue.
import type { Manifest } from "../runtime/abi/index.js";
import { DEFAULT_FUEL_PER_ENTRY, START_FUNCTION_FUEL } from "./limits.js";

export const FUEL_IMPORT_MODULE = "singlet:kernel/fuel@0.1.0";
export const FUEL_IMPORT_NAME = "exhausted";
export const FUEL_GLOBAL_EXPORT = "singlet_fuel";
/** The fuel the instrumented module starts with: the start function's budget. */
export const FUEL_AT_INSTANTIATION = START_FUNCTION_FUEL;

/** The import object fragment an instrumented module needs; spread it into the imports. */
export function fuelImports(onExhausted: () => never): Record<string, Record<string, () => void>> {
  return { [FUEL_IMPORT_MODULE]: { [FUEL_IMPORT_NAME]: onExhausted } };
}

/** The budget of one call of `entryName`: its own `fuel`, else `limits.fuelPerEntry`, else the default. */
export function fuelBudgetFor(manifest: Manifest | undefined, entryName: string): number {
  const declared = manifest?.entryPoints?.[entryName]?.fuel ?? manifest?.limits?.fuelPerEntry;
  return declared ?? DEFAULT_FUEL_PER_ENTRY;
}

/** The exported fuel global of an instance, or undefined when the module is not instrumented. */
export function fuelGlobalOf(instance: WebAssembly.Instance): WebAssembly.Global | undefined {
  const value = instance.exports[FUEL_GLOBAL_EXPORT];
  return value instanceof WebAssembly.Global ? value : undefined;
}

/** Sets the fuel of an instrumented instance before an entry call. */
export function setFuel(instance: WebAssembly.Instance, budget: number): void {
  const global = fuelGlobalOf(instance);
  if (global !== undefined) global.value = BigInt(budget);
}

/**
 * Bulk memory and table instructions (memory.copy, memory.fill, memory.init, table.copy,
 * table.fill, table.init) do work in proportion to their length operand, so besides their one
 * unit they are charged one unit per this many bytes or elements, at run time.
 */
export const BULK_BYTES_PER_FUEL = 32;
