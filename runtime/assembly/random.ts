// Random bytes for AssemblyScript apps, through the random capability.
import * as randomCalls from "./bindings/random.generated";

export class Random {
  /** Fills `length` bytes at `offset` of an exchange-heap block: `length`, or a negative error. */
  static fill(block: u32, offset: u32, length: u32): i32 { return randomCalls.fill(block, offset, length); }
}
