// Event calls: yield, and taking events (docs/process-model.md). In the kernel domain events
// arrive through the app's `dispatch` export; `events.wait` never waits there. In a user domain a
// `wouldBlock` answer to `events.wait` parks the call until an event arrives (blocking-calls.ts).
import { ErrorCode, EventKind, packEvent } from "../../runtime/abi/index.js";
import type { CallContext } from "../syscalls/context.js";

export function yieldProcess(context: CallContext, tag: number): number {
  const events = context.process.events;
  const source = events.yieldSource;
  if (source.queued) return -ErrorCode.noMemory;
  events.addSource("process.yield");
  events.push(EventKind.yielded, tag, source);
  return 0;
}

/** The next event packed, or the negated code saying why there is none. */
function takeEvent(context: CallContext): bigint {
  const events = context.process.events;
  const event = events.take();
  if (event) return packEvent(event.kind, event.tag);
  return BigInt(events.canWake ? -ErrorCode.wouldBlock : -ErrorCode.noEventSources);
}

export function eventsWait(context: CallContext): bigint {
  // A user domain's serve loop is here between two events: its CPU budget counts per event.
  context.process.userDomain?.entryBegins();
  return takeEvent(context);
}

export function eventsPoll(context: CallContext): bigint {
  return takeEvent(context);
}
