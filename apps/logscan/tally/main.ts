// logscan/tally: the hot path, AlwaysKernelMode. It runs in the kernel domain for whoever calls
// it, so a verified driver calls it directly (a Wasm→Wasm call), and a user-domain driver
// reaches it only through syskerneljump when its principal is trusted for kernel mode.
import { Mode } from "../../../runtime/assembly";
export { cabi_realloc } from "../../../runtime/assembly";

@external("shared", "mix")
declare function mix(hash: u32, value: i32): u32;

let total: i64 = 0;
let records: i32 = 0;
let digest: u32 = 2166136261;

/** Adds one record's value; returns the records counted so far. */
@kernelMode
export function add(value: i32): i32 {
  total += value;
  digest = mix(digest, value);
  return ++records;
}

@kernelMode
export function sum(): i64 {
  return total;
}

@kernelMode
export function summary(): u32 {
  return digest;
}

/** Where the tally runs: 1 in the kernel domain. */
@kernelMode
export function tallyMode(): u32 {
  return Mode.current();
}
