// logscan/driver: reads records (its arguments, or a built-in sample), has the untrusted parser
// parse each one and the kernel-mode tally count it, then reports where each part ran.
import { Console, Mode, Process } from "../../../runtime/assembly";
export { cabi_realloc, deliver, dispatch, serve } from "../../../runtime/assembly";

@external("parser", "parseRecord")
declare function parseRecord(pointer: usize, units: i32): i32;
@external("parser", "parserMode")
declare function parserMode(): u32;
@external("tally", "add")
declare function add(value: i32): i32;
@external("tally", "sum")
declare function sum(): i64;
@external("tally", "summary")
declare function summary(): u32;
@external("tally", "tallyMode")
declare function tallyMode(): u32;

const SAMPLE: string[] = ["requests=120", "errors=3", "garbage line", "latency=45", "bytes=9x"];

function modeName(mode: u32): string {
  return mode == Mode.KERNEL ? "kernel" : "user";
}

export function main(): i32 {
  let lines = Process.args();
  if (lines.length == 0) lines = SAMPLE;
  let rejected = 0;
  let counted = 0;
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index];
    // The string crosses to the parser by copy: the parser never sees the driver's memory.
    const value = parseRecord(changetype<usize>(line), line.length);
    if (value < 0) {
      rejected++;
      continue;
    }
    counted = add(value);
  }
  Console.log("records: " + counted.toString() + " counted, " + rejected.toString() + " rejected");
  Console.log("sum: " + sum().toString() + " digest: " + summary().toString(16));
  Console.log("driver ran in " + modeName(Mode.current()) + " mode, parser in " + modeName(parserMode()) + " mode, tally in " + modeName(tallyMode()) + " mode");
  return 0;
}
