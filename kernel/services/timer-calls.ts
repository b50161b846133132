// Timers as capabilities: `timers.start` needs the clock capability and makes a timer handle in
// the caller's table; dropping or cancelling the handle stops the timer (kernel/events/timers.ts).
import { CapabilityKind, Rights } from "../capabilities/index.js";
import { InvalidArgumentError, NotImplementedError } from "../errors.js";
import { MAX_TIMER_DELAY_NANOSECONDS, MIN_TIMER_PERIOD_NANOSECONDS } from "../params.js";
import type { CallContext } from "../syscalls/context.js";
import type { KernelTimer } from "../events/index.js";
import { requireClock } from "./clock.js";

const NANOSECONDS_PER_MILLISECOND = 1_000_000;

export function timerStart(context: CallContext, delayNanoseconds: bigint, periodNanoseconds: bigint, tag: number): number {
  requireClock(context, "timers.start");
  const timers = context.services.timers;
  if (!timers) throw new NotImplementedError("timers.start: this kernel has no timer device");
  if (delayNanoseconds > MAX_TIMER_DELAY_NANOSECONDS) {
    throw new InvalidArgumentError(`timers.start: delay ${delayNanoseconds} ns is past the limit of ${MAX_TIMER_DELAY_NANOSECONDS} ns`);
  }
  if (periodNanoseconds !== 0n && (periodNanoseconds < MIN_TIMER_PERIOD_NANOSECONDS || periodNanoseconds > MAX_TIMER_DELAY_NANOSECONDS)) {
    throw new InvalidArgumentError(`timers.start: period ${periodNanoseconds} ns is outside ${MIN_TIMER_PERIOD_NANOSECONDS}..${MAX_TIMER_DELAY_NANOSECONDS} ns`);
  }
  const process = context.process;
  process.events.addSource("timers.start");
  const timer = timers.start(process.events, Number(delayNanoseconds) / NANOSECONDS_PER_MILLISECOND, Number(periodNanoseconds) / NANOSECONDS_PER_MILLISECOND, tag >>> 0);
  let handle: number;
  try {
    handle = process.capabilities.insert({ object: { kind: CapabilityKind.timer, target: timer, revoked: false, close: () => timers.cancel(timer) }, rights: Rights.read | Rights.write });
  } catch (error) {
    timers.cancel(timer);
    throw error;
  }
  // A one-shot timer's handle goes when its event is taken: the app need not drop it.
  timer.onSpent = () => {
    timers.cancel(timer);
    // The app may have dropped it already (and kept a restricted copy): then there is nothing to release.
    if (process.capabilities.has(handle)) process.capabilities.remove(handle);
  };
  return handle;
}

export function timerCancel(context: CallContext, handle: number): number {
  const capability = context.process.capabilities.lookup(handle, CapabilityKind.timer, Rights.write);
  // The timer stops even while other handles to it (restricted copies) live on; they name a stopped timer.
  context.services.timers?.cancel(capability.object.target as KernelTimer);
  context.process.capabilities.remove(handle);
  return 0;
}
