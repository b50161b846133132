// Clock service: monotonic and wall time from the HAL clock, gated by the clock capability.
import { CapabilityKind, Rights } from "../capabilities/index.js";
import { NotPermittedError } from "../errors.js";
import type { CallContext } from "../syscalls/context.js";

/** The clock capability with read rights, as clock calls and timers need. */
export function requireClock(context: CallContext, call: string): void {
  if (!context.process.capabilities.holds(CapabilityKind.clock, Rights.read)) {
    throw new NotPermittedError(`${call}: process ${context.process.processId} holds no clock capability with read rights`);
  }
}

export function clockNow(context: CallContext): bigint {
  requireClock(context, "clock.now");
  return context.services.clock.monotonicNanoseconds();
}

export function clockWall(context: CallContext): bigint {
  requireClock(context, "clock.wall");
  return BigInt(Math.floor(context.services.clock.wallMilliseconds()));
}
