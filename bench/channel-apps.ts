// The channel benchmarks' apps, in WAT: a request/reply pair that meets through the name service.
// In the kernel domain each side is event-driven: subscribed (channels.subscribe: each message
// arrives received, through `deliver`) or watched (channels.watch: each message event's handler
// receives); in a user domain each side uses the blocking form (receive waits in the call), the
// cheapest a thread can do.

import type { Manifest } from "../runtime/abi/index.js";
import { SERVE } from "./event-apps.js";

export const SERVICE_NAME = "ping";
/** "ping" in UTF-16 at 200, the name both sides pass. */
const NAME_DATA = `(data (i32.const 200) "p\\00i\\00n\\00g\\00")`;

const IMPORTS = `
  (import "singlet:kernel/events@0.1.0" "wait" (func $wait (result i64)))
  (import "singlet:kernel/names@0.1.0" "publish" (func $publish (param i32 i32 i32 i32) (result i32)))
  (import "singlet:kernel/names@0.1.0" "connect" (func $connect (param i32 i32) (result i32)))
  (import "singlet:kernel/channels@0.1.0" "create" (func $create (param i32 i32) (result i64)))
  (import "singlet:kernel/channels@0.1.0" "send" (func $send (param i32 i32 i32) (result i32)))
  (import "singlet:kernel/channels@0.1.0" "receive" (func $receive (param i32) (result i64)))
  (import "singlet:kernel/channels@0.1.0" "poll" (func $poll (param i32) (result i64)))
  (import "singlet:kernel/channels@0.1.0" "watch" (func $watch (param i32 i32) (result i32)))
  (import "singlet:kernel/channels@0.1.0" "subscribe" (func $subscribe (param i32 i32) (result i32)))
  (import "singlet:kernel/capabilities@0.1.0" "drop" (func $drop (param i32) (result i32)))
  (import "singlet:kernel/process@0.1.0" "id" (func $id (result i32)))`;

function app(body: string): string {
  return `(module
  ${IMPORTS}
  (memory (export "memory") 1 1)
  (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32) (i32.const 1024))
  ${NAME_DATA}
  (global $listener (mut i32) (i32.const 0))
  (global $peer (mut i32) (i32.const 0))
  (global $left (mut i32) (i32.const 0))
  ${body}
  ${SERVE})`;
}

export function serverManifest(): Manifest {
  return { name: "ping-server", provides: [SERVICE_NAME], entryPoints: { main: {} } };
}

export function clientManifest(): Manifest {
  return { name: "ping-client", uses: [SERVICE_NAME], entryPoints: { main: {} } };
}

/** How an in-kernel side takes its messages: received for it (channels.subscribe), or each event's handler receives (channels.watch). */
export type EventForm = "subscribe" | "watch";

/** The server, event-driven: each message is one request, answered with message 1; it ends when its one client closes. */
export function eventServer(form: EventForm = "subscribe"): string {
  // A subscribed peer's requests arrive in `deliver`; the listener's connection and the closed event in `dispatch`.
  const answer = `(drop (call $send (global.get $peer) (i32.const 1) (i32.const 0)))`;
  return app(`
  (func (export "main") (result i32)
    (global.set $listener (call $publish (i32.const 200) (i32.const 4) (i32.const 0) (i32.const 0)))
    (drop (call $watch (global.get $listener) (i32.const 0)))
    (i32.const 0))
  (func (export "deliver") (param $tag i32) (param $message i32) (param $attachment i32)
    ${answer})
  (func $dispatch (export "dispatch") (param $kind i32) (param $tag i32)
    (if (i32.eqz (local.get $tag)) (then
      (if (i32.eq (local.get $kind) (i32.const 3)) (then
        (global.set $peer (i32.wrap_i64 (call $receive (global.get $listener))))
        (drop (call $${form} (global.get $peer) (i32.const 1)))))
      (return)))
    (if (i32.eq (local.get $kind) (i32.const 4)) (then
      (drop (call $drop (global.get $peer)))
      (drop (call $drop (global.get $listener)))
      (return)))
    ;; One message per event: the kernel announces the endpoint again while more wait.
    (if (i64.ge_s (call $receive (global.get $peer)) (i64.const 0))
      (then ${answer})))`);
}

/** The server, blocking: receives the connection, then answers each request until its client closes. */
export function blockingServer(): string {
  return app(`
  (func $dispatch (param i32 i32))
  (func (export "main") (result i32) (local $message i64)
    (global.set $listener (call $publish (i32.const 200) (i32.const 4) (i32.const 0) (i32.const 0)))
    (global.set $peer (i32.wrap_i64 (call $receive (global.get $listener))))
    (block $closed (loop $next
      (local.set $message (call $receive (global.get $peer)))
      (br_if $closed (i64.lt_s (local.get $message) (i64.const 0)))
      (drop (call $send (global.get $peer) (i32.const 1) (i32.const 0)))
      (br $next)))
    (drop (call $drop (global.get $peer)))
    (drop (call $drop (global.get $listener)))
    (i32.const 0))`);
}

/** The client, event-driven: `roundTrips` requests, each sent when the previous reply arrived. */
export function eventClient(roundTrips: number, form: EventForm = "subscribe"): string {
  const replied = `
    (global.set $left (i32.sub (global.get $left) (i32.const 1)))
    (if (i32.eqz (global.get $left))
      (then (drop (call $drop (global.get $peer))))
      (else (drop (call $send (global.get $peer) (i32.const 0) (i32.const 0)))))`;
  return app(`
  (func (export "main") (result i32)
    (global.set $left (i32.const ${roundTrips}))
    (global.set $peer (call $connect (i32.const 200) (i32.const 4)))
    (if (i32.lt_s (global.get $peer) (i32.const 0)) (then (return (global.get $peer))))
    (drop (call $${form} (global.get $peer) (i32.const 1)))
    (drop (call $send (global.get $peer) (i32.const 0) (i32.const 0)))
    (i32.const 0))
  (func (export "deliver") (param $tag i32) (param $message i32) (param $attachment i32)
    ${replied})
  (func $dispatch (export "dispatch") (param $kind i32) (param $tag i32)
    (if (i32.ne (local.get $kind) (i32.const 3)) (then (return)))
    (drop (call $receive (global.get $peer)))
    ${replied})`);
}

/** The client, blocking: `roundTrips` sends, each followed by a receive that waits for the reply. */
export function blockingClient(roundTrips: number): string {
  return app(`
  (func $dispatch (param i32 i32))
  (func (export "main") (result i32) (local $left i32)
    (global.set $peer (call $connect (i32.const 200) (i32.const 4)))
    (if (i32.lt_s (global.get $peer) (i32.const 0)) (then (return (global.get $peer))))
    (local.set $left (i32.const ${roundTrips}))
    (block $done (loop $next
      (drop (call $send (global.get $peer) (i32.const 0) (i32.const 0)))
      (if (i64.lt_s (call $receive (global.get $peer)) (i64.const 0)) (then (return (i32.const 99))))
      (local.set $left (i32.sub (local.get $left) (i32.const 1)))
      (br_if $next (local.get $left))))
    (drop (call $drop (global.get $peer)))
    (i32.const 0))`);
}

/** `calls` calls of process.id in main: the minimum kernel call. */
export function kernelCallLoop(calls: number): string {
  return app(`
  (func $dispatch (param i32 i32))
  (func (export "main") (result i32) (local $left i32) (local $sum i32)
    (local.set $left (i32.const ${calls}))
    (block $done (loop $next
      (br_if $done (i32.eqz (local.get $left)))
      (local.set $sum (i32.add (local.get $sum) (call $id)))
      (local.set $left (i32.sub (local.get $left) (i32.const 1)))
      (br $next)))
    (i32.and (local.get $sum) (i32.const 0)))`);
}

/** What each round of `ownChannelLoop` does on the channel between the process's own two ends. */
export const OWN_CHANNEL_ROUNDS = {
  /** One message sent to the server end and received there: a send and a receive, no event. */
  sendAndReceive: `(drop (call $send (local.get $client) (i32.const 0) (i32.const 0))) (drop (call $receive (local.get $server)))`,
  /** A receive of the empty server end, answered wouldBlock. */
  receiveNothing: `(drop (call $receive (local.get $server)))`,
} as const;

/** `calls` rounds of `round` in main, on a channel it makes between its own two ends. */
export function ownChannelLoop(calls: number, round: string): string {
  return app(`
  (func $dispatch (param i32 i32))
  (func (export "main") (result i32) (local $left i32) (local $pair i64) (local $client i32) (local $server i32)
    (local.set $pair (call $create (i32.const 0) (i32.const 0)))
    (local.set $client (i32.wrap_i64 (i64.shr_u (local.get $pair) (i64.const 32))))
    (local.set $server (i32.wrap_i64 (local.get $pair)))
    (local.set $left (i32.const ${calls}))
    (block $done (loop $next
      (br_if $done (i32.eqz (local.get $left)))
      ${round}
      (local.set $left (i32.sub (local.get $left) (i32.const 1)))
      (br $next)))
    (i32.const 0))`);
}
