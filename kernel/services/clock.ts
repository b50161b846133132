// Clock service: monotonic and wall time from the HAL clock.
import type { CallContext } from "../syscalls/context.js";

export function clockNow(context: CallContext): bigint {
  return context.services.clock.monotonicNanoseconds();
}

export function clockWall(context: CallContext): bigint {
  return BigInt(Math.floor(context.services.clock.wallMilliseconds()));
}
