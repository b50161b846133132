// Blocking calls: the kernel thread never waits, so a call that cannot be answered now answers
// `wouldBlock`. In the kernel domain that is the result (the app uses the event form). A user
// domain's thread may wait instead: the call is parked, holding no CPU, until what it needs
// settles, and is then served again (hal/hil/trap.ts, the `wait` outcome). One table says which
// calls park and on what; later file, socket and channel receives join it.
import { ErrorCode } from "../../runtime/abi/index.js";
import type { CallContext } from "../syscalls/context.js";
import type { AbiValue } from "../../hal/hil/index.js";
import { Rights } from "../capabilities/index.js";
import { endpointOf, type Endpoint } from "../channels/index.js";
import { CapabilityKind } from "../capabilities/index.js";
import type { KernelSocket } from "../network/index.js";
import { openingSocket } from "./socket-calls.js";
import { everyEntrySucceeded } from "./batch-ring.js";

/** Settles when the call is worth trying again; undefined when it never will be (answer as it is). */
export type WaitCondition = (context: CallContext, args: readonly AbiValue[]) => Promise<void> | undefined;

/** The endpoint a channel call names, if the caller still holds it. */
function endpointArgument(context: CallContext, args: readonly AbiValue[], rights: number): Endpoint | undefined {
  try {
    return endpointOf(context.process.capabilities, args[0] as number, rights);
  } catch {
    return undefined;
  }
}

/**
 * The socket a socket call names, if the caller still holds it: the call is worth trying again when
 * it changes. A watched socket never waits: its process is event-driven (a server's `serve` loop)
 * and one slow peer must not hold up the others, so it answers wouldBlock and the event follows.
 */
function socketChange(context: CallContext, args: readonly AbiValue[]): Promise<void> | undefined {
  let socket: KernelSocket;
  try {
    socket = context.process.capabilities.lookup(args[0] as number, CapabilityKind.socket).object.target as KernelSocket;
  } catch {
    return undefined;
  }
  return socket.watched ? undefined : socket.change();
}

/** A socket being opened (bound, connected) for the caller: the open is answered once that is done. */
const openingChange: WaitCondition = (context) => openingSocket(context.process)?.change();

export const WAIT_CONDITION_OF_CALL: ReadonlyMap<string, WaitCondition> = new Map<string, WaitCondition>([
  // A write refused by a full output queue waits for room in that stream, as a blocking write would.
  ["console.write", (context) => context.process.output.roomFor("stdout")],
  ["console.write-error", (context) => context.process.output.roomFor("stderr")],
  // A wait with nothing queued parks until an event arrives or the process ends.
  ["events.wait", (context) => context.process.events.arrival()],
  // Its entries ran; only its wait part parks, and is served again as events.wait (RESUMED_AS_CALL).
  // Not when an entry failed: the app sees to that first (batch-ring.ts everyEntrySucceeded).
  ["batch.submit-and-wait", (context, args) => everyEntrySucceeded(args[0] as Uint8Array, args[1] as number) ? context.process.events.arrival() : undefined],
  // A receive with nothing queued waits for a message or the peer's end; a send to a full queue for room.
  ["channels.receive", (context, args) => endpointArgument(context, args, Rights.read)?.arrival()],
  ["channels.send", (context, args) => endpointArgument(context, args, Rights.write)?.peer.room()],
  // Socket calls wait for the socket to change: data, a connection, room to send, a binding or a failure.
  ...["accept", "receive", "send", "send-block", "receive-from", "local-port"].map((call): [string, WaitCondition] => [`sockets.${call}`, socketChange]),
  ...["listen", "connect", "bind-datagram"].map((call): [string, WaitCondition] => [`sockets.${call}`, openingChange]),
]);

/**
 * Calls of which only a last part waits: served again after parking, the call is the one named
 * here, with no arguments. batch.submit-and-wait's entries ran before it parked and must not run
 * again; what is left is its wait, which answers exactly as events.wait does.
 */
export const RESUMED_AS_CALL: ReadonlyMap<string, string> = new Map([
  ["batch.submit-and-wait", "events.wait"],
]);

/** Whether a call's answer is `wouldBlock`, as a 32- or 64-bit result. */
export function answersWouldBlock(value: unknown): boolean {
  return value === -ErrorCode.wouldBlock || value === BigInt(-ErrorCode.wouldBlock);
}
