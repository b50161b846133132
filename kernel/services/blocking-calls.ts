// Blocking calls: the kernel thread never waits, so a call that cannot be answered now answers
// `wouldBlock`. In the kernel domain that is the result (the app uses the event form). A user
// domain's thread may wait instead: the call is parked, holding no CPU, until what it needs
// settles, and is then served again (hal/hil/trap.ts, the `wait` outcome). One table says which
// calls park and on what; later file, socket and channel receives join it.
import { ErrorCode } from "../../runtime/abi/index.js";
import type { CallContext } from "../syscalls/context.js";

/** Settles when the call is worth trying again; undefined when it never will be (answer as it is). */
export type WaitCondition = (context: CallContext) => Promise<void> | undefined;

export const WAIT_CONDITION_OF_CALL: ReadonlyMap<string, WaitCondition> = new Map<string, WaitCondition>([
  // A write refused by a full output queue waits for room in that stream, as a blocking write would.
  ["console.write", (context) => context.process.output.roomFor("stdout")],
  ["console.write-error", (context) => context.process.output.roomFor("stderr")],
  // A wait with nothing queued parks until an event arrives or the process ends.
  ["events.wait", (context) => context.process.events.arrival()],
]);

/** Whether a call's answer is `wouldBlock`, as a 32- or 64-bit result. */
export function answersWouldBlock(value: unknown): boolean {
  return value === -ErrorCode.wouldBlock || value === BigInt(-ErrorCode.wouldBlock);
}
