// A gauge on an instance's fuel global: fills it and reads what is left as plain numbers.
//
// The global is an i64, so its JavaScript `.value` is a BigInt: every read allocates one and
// every write converts one, through the WebAssembly API's slow accessors. A per-event hot path
// (an in-kernel delivery refills the budget and reads what the handler used) pays that twice per
// event. This tiny module imports the global and converts in Wasm instead (f64 holds every budget
// exactly: manifests take only safe integers), measured about 4× cheaper than `.value`.

/**
 * (module
 *   (import "fuel" "global" (global $fuel (mut i64)))
 *   (func (export "fill") (param f64) (global.set $fuel (i64.trunc_f64_s (local.get 0))))
 *   (func (export "remaining") (result f64) (f64.convert_i64_s (global.get $fuel))))
 */
const GAUGE_MODULE_BYTES = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
  // types: (f64) -> (), () -> (f64)
  0x01, 0x09, 0x02, 0x60, 0x01, 0x7c, 0x00, 0x60, 0x00, 0x01, 0x7c,
  // import "fuel" "global": a mutable i64 global
  0x02, 0x10, 0x01, 0x04, 0x66, 0x75, 0x65, 0x6c, 0x06, 0x67, 0x6c, 0x6f, 0x62, 0x61, 0x6c, 0x03, 0x7e, 0x01,
  // functions: fill has type 0, remaining type 1
  0x03, 0x03, 0x02, 0x00, 0x01,
  // exports "fill" (function 0), "remaining" (function 1)
  0x07, 0x14, 0x02, 0x04, 0x66, 0x69, 0x6c, 0x6c, 0x00, 0x00, 0x09, 0x72, 0x65, 0x6d, 0x61, 0x69, 0x6e, 0x69, 0x6e, 0x67, 0x00, 0x01,
  // code: fill = global.set (i64.trunc_f64_s (local.get 0)); remaining = f64.convert_i64_s (global.get)
  0x0a, 0x0f, 0x02, 0x07, 0x00, 0x20, 0x00, 0xb0, 0x24, 0x00, 0x0b, 0x05, 0x00, 0x23, 0x00, 0xb9, 0x0b,
]);

let gaugeModule: WebAssembly.Module | undefined;

export interface FuelGauge {
  /** Sets the fuel left to `budget` (a safe integer). */
  fill(budget: number): void;
  /** The fuel left. */
  remaining(): number;
}

/** A gauge on `global`, an instrumented instance's fuel global. */
export function fuelGaugeOf(global: WebAssembly.Global): FuelGauge {
  gaugeModule ??= new WebAssembly.Module(GAUGE_MODULE_BYTES);
  const exports = new WebAssembly.Instance(gaugeModule, { fuel: { global } }).exports;
  return { fill: exports.fill as FuelGauge["fill"], remaining: exports.remaining as FuelGauge["remaining"] };
}

/**
 * For an entry of `parameters` i32 parameters (dispatch takes two, deliver three):
 * (module
 *   (import "fuel" "global" (global $fuel (mut i64)))
 *   (import "entry" "call" (func $entry (param i32 …)))
 *   (func (export "call") (param i32 … f64) (result f64)
 *     (global.set $fuel (i64.trunc_f64_s (local.get <budget>)))
 *     (call $entry (local.get 0) …)
 *     (f64.convert_i64_s (global.get $fuel))))
 */
function meteredCallModuleBytes(parameters: number): Uint8Array<ArrayBuffer> {
  const I32 = 0x7f, F64 = 0x7c, I64 = 0x7e;
  const name = (text: string) => [text.length, ...Array.from(text, (character) => character.charCodeAt(0))];
  const section = (id: number, body: number[]) => [id, body.length, ...body];
  const entryParameters = Array<number>(parameters).fill(I32);
  const body = [
    0x00, // no locals
    0x20, parameters, 0xb0, 0x24, 0x00, // global.set $fuel (i64.trunc_f64_s (local.get budget))
    ...entryParameters.flatMap((_, index) => [0x20, index]), 0x10, 0x00, // call $entry with every i32
    0x23, 0x00, 0xb9, 0x0b, // f64.convert_i64_s (global.get $fuel); end
  ];
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    // types: (i32 …) -> (), (i32 … f64) -> (f64)
    ...section(0x01, [0x02, 0x60, parameters, ...entryParameters, 0x00, 0x60, parameters + 1, ...entryParameters, F64, 0x01, F64]),
    // imports "fuel" "global" (mutable i64), "entry" "call" (type 0)
    ...section(0x02, [0x02, ...name("fuel"), ...name("global"), 0x03, I64, 0x01, ...name("entry"), ...name("call"), 0x00, 0x00]),
    // one function of type 1, exported as "call"
    ...section(0x03, [0x01, 0x01]),
    ...section(0x07, [0x01, ...name("call"), 0x00, 0x01]),
    ...section(0x0a, [0x01, body.length, ...body]),
  ]);
}

const meteredCallModules = new Map<number, WebAssembly.Module>();

/** Calls an entry of two i32 parameters with `budget` fuel and returns the fuel left, in one call from JS. */
export type MeteredCall = (first: number, second: number, budget: number) => number;
/** The same for an entry of three i32 parameters. */
export type MeteredCallOfThree = (first: number, second: number, third: number, budget: number) => number;

function meteredCallWith(parameters: number, global: WebAssembly.Global, entry: Function): Function | undefined {
  let module = meteredCallModules.get(parameters);
  if (!module) meteredCallModules.set(parameters, module = new WebAssembly.Module(meteredCallModuleBytes(parameters)));
  try {
    return new WebAssembly.Instance(module, { fuel: { global }, entry: { call: entry } }).exports.call as Function;
  } catch (error) {
    if (error instanceof WebAssembly.LinkError) return undefined;
    throw error;
  }
}

/**
 * `entry` (an export of the instance whose fuel global is `global`, taking two i32s and
 * returning nothing, as `dispatch` does) behind one JS→Wasm call that fills the fuel, calls it
 * and reads what is left; undefined when `entry` has another signature.
 */
export function meteredCallOf(global: WebAssembly.Global, entry: Function): MeteredCall | undefined {
  return meteredCallWith(2, global, entry) as MeteredCall | undefined;
}

/** `meteredCallOf` for an entry taking three i32s (`deliver`). */
export function meteredCallOfThree(global: WebAssembly.Global, entry: Function): MeteredCallOfThree | undefined {
  return meteredCallWith(3, global, entry) as MeteredCallOfThree | undefined;
}
