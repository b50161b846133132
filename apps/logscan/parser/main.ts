// logscan/parser: parses one untrusted input line, `name=digits`. Forced to AlwaysUserMode:
// whoever calls it, a bug here stays in a user domain.
import { Mode } from "../../../runtime/assembly";
import { liftString } from "../../../runtime/assembly/abi";
export { cabi_realloc } from "../../../runtime/assembly";

@external("shared", "digitValue")
declare function digitValue(code: i32): i32;

/** Largest value a record may carry: keeps the tally within i32. */
const MAX_VALUE: i32 = 1_000_000;

/** The record's value, or -1 when the line is not `name=digits`. The line arrives as a copy. */
@userMode
export function parseRecord(pointer: usize, units: i32): i32 {
  const line = liftString(<u32>pointer, <u32>units);
  const separator = line.indexOf("=");
  if (separator <= 0 || separator == line.length - 1) return -1;
  let value: i32 = 0;
  for (let index = separator + 1; index < line.length; index++) {
    const digit = digitValue(line.charCodeAt(index));
    if (digit < 0) return -1;
    value = value * 10 + digit;
    if (value > MAX_VALUE) return -1;
  }
  return value;
}

/** Where the parser runs: 0 in a user domain. */
@userMode
export function parserMode(): u32 {
  return Mode.current();
}
