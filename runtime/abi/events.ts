// Events at the ABI (runtime/wit/singlet.wit, interface events): what kind of thing happened, and
// how `events.wait` packs an event into its s64 result. The AssemblyScript runtime reads the same
// numbers (runtime/assembly/events.ts).

import type { ExportDescriptor } from "./descriptor.js";

export const EventKind = {
  /** A timer expired (timers.start). */
  timer: 1,
  /** The process's own `process.yield` came round: every other ready process has had a turn. */
  yielded: 2,
  /** A watched channel endpoint has a message waiting (channels.watch). */
  message: 3,
  /** The peer of a watched endpoint closed it, or its process ended. */
  closed: 4,
  /** A watched socket can be read without waiting: data, a connection to accept, or the peer's end. */
  readable: 5,
  /** A watched socket that refused a send (a full buffer) or was connecting can take data again. */
  writable: 6,
} as const;
export type EventKindName = keyof typeof EventKind;

/** Names of the world's exports the kernel calls to deliver events. */
export const DISPATCH_EXPORT = "dispatch";
/**
 * Where the kernel hands an in-kernel process a message it received for it (channels.subscribe):
 * `deliver(tag, message, attachment)`. Not in the WIT world, whose every export a component must
 * have: only an app that subscribes needs it. The verifier checks its type where it is exported.
 */
export const DELIVER_EXPORT = "deliver";
export const deliverExport: ExportDescriptor = {
  name: DELIVER_EXPORT,
  parameters: [{ name: "tag", type: "u32" }, { name: "message", type: "u32" }, { name: "attachment", type: "u32" }],
  result: null, coreParameters: ["i32", "i32", "i32"], coreResults: [],
};
export const SERVE_EXPORT = "serve";

/** `(kind << 32) | tag`: never negative, since kinds are small, so errors (negative) stay apart. */
export function packEvent(kind: number, tag: number): bigint {
  return (BigInt(kind) << 32n) | BigInt(tag >>> 0);
}
