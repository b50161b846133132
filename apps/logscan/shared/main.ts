// logscan/shared: small helpers both sides need. UseCallersMode: each domain that calls them
// gets its own instance, so they run where their caller runs and cost nothing extra.
export { cabi_realloc } from "../../../runtime/assembly";

/** The value of an ASCII digit, or -1. */
@callersMode
export function digitValue(code: i32): i32 {
  return code >= 48 && code <= 57 ? code - 48 : -1;
}

/** One step of FNV-1a over a 32-bit value: the tally's running digest. */
@callersMode
export function mix(hash: u32, value: i32): u32 {
  let result = hash;
  for (let shift = 0; shift < 32; shift += 8) {
    result = (result ^ ((<u32>value >>> shift) & 0xff)) * 16777619;
  }
  return result;
}
