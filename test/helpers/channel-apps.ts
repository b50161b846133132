// Channel apps for the name-service and channel suites: a PingPong service published through the
// name service and a client of it, written with the one event-app builder (event-apps.ts), so
// each runs in either domain and prints every message it takes. Tests that need a process to
// misbehave write their own client from the same pieces.
import type { ContractDeclaration } from "../../runtime/abi/index.js";
import { connectName, eventApp, eventManifest, highHalf, int, line, long, lowHalf, publishName, text, type EventManifestOptions } from "./event-apps.js";

/** The suites' contract: the client pings, the server pongs, the client may say bye when no ping is open. */
export const PING_PONG: ContractDeclaration = {
  messages: { ping: "client", pong: "server", bye: "client" },
  initial: "ready",
  states: { ready: { ping: "waiting", bye: "done" }, waiting: { pong: "ready" }, done: {} },
};
export const [PING, PONG, BYE] = [0, 1, 2];

/** The event kinds a channel watch gives (runtime/abi/events.ts). */
export const [MESSAGE_EVENT, CLOSED_EVENT] = [3, 4];

export interface ServerOptions {
  /** The name it publishes. */
  readonly name: string;
  /** How many clients' ends it waits to see closed before it drops its listener and ends. */
  readonly clients: number;
  /** Whether it answers each ping with a pong; a server that never answers keeps its clients waiting. */
  readonly replies?: boolean;
}

/**
 * A PingPong server: publishes `name`, takes every connection from its listener and watches each
 * client's end with the end's own handle as the tag. It prints each message (and the size of a
 * block it carries, which it then drops), answers a ping with a pong, and ends when `clients`
 * ends have closed. main answers 1 when the publish is refused, after printing its code.
 */
export function serverApp(options: ServerOptions): Promise<Uint8Array<ArrayBuffer>> {
  const pong = options.replies === false ? "" : `(if (i32.eq (local.get $message) (i32.const ${PING})) (then (drop (call $send (local.get $tag) (i32.const ${PONG}) (i32.const 0)))))`;
  return eventApp({
    globals: ["listener", "closedClients"],
    locals: ["result", "end", "message", "attachment"],
    longLocals: ["packed"],
    main: `
      (local.set $result ${publishName(options.name, "PingPong")})
      (if (i32.lt_s (local.get $result) (i32.const 0)) (then ${line(text("server: publish"), int("(local.get $result)"))} (return (i32.const 1))))
      (global.set $listener (local.get $result))
      (drop (call $watch (global.get $listener) (global.get $listener)))
      ${line(text("server: serving"))}
      (i32.const 0)`,
    dispatch: `
      (if (i32.eq (local.get $tag) (global.get $listener)) (then
        ${eachQueuedMessage("(global.get $listener)", `
          (local.set $end ${lowHalf("(local.get $packed)")})
          (drop (call $watch (local.get $end) (local.get $end)))
          ${line(text("server: connected"))}`)}
        (return)))
      (if (i32.eq (local.get $kind) (i32.const ${CLOSED_EVENT})) (then
        ${line(text("server: closed"))}
        (drop (call $capabilityDrop (local.get $tag)))
        (global.set $closedClients (i32.add (global.get $closedClients) (i32.const 1)))
        (if (i32.ge_u (global.get $closedClients) (i32.const ${options.clients})) (then (drop (call $capabilityDrop (global.get $listener)))))
        (return)))
      ${eachQueuedMessage("(local.get $tag)", `
        (local.set $message ${highHalf("(local.get $packed)")})
        (local.set $attachment ${lowHalf("(local.get $packed)")})
        (if (i32.eqz (local.get $attachment))
          (then ${line(text("server: got"), int("(local.get $message)"))})
          (else
            ${line(text("server: got"), int("(local.get $message)"), text("with a block of"), int("(call $blockSize (local.get $attachment))"))}
            (drop (call $capabilityDrop (local.get $attachment)))))
        ${pong}`)}`,
  });
}

export interface ClientOptions {
  /** The name it connects to. */
  readonly name: string;
  /** Pings it sends, one at a time, each after the previous pong; then it says bye and drops its end. */
  readonly pings: number;
  /** How it introduces itself in each line. */
  readonly label?: string;
}

/**
 * A PingPong client: connects to `name` (main answers 1 after printing the code when it cannot),
 * watches its end (tag 1) and pings; each pong is printed and answered by the next ping, the last
 * by bye. When the server's end closes first it prints what a send and a receive then answer.
 */
export function clientApp(options: ClientOptions): Promise<Uint8Array<ArrayBuffer>> {
  const label = options.label ?? "client";
  return eventApp({
    globals: ["server", "pongs"],
    locals: ["result"],
    longLocals: ["packed"],
    main: `
      (local.set $result ${connectName(options.name)})
      (if (i32.lt_s (local.get $result) (i32.const 0)) (then ${line(text(`${label}: connect`), int("(local.get $result)"))} (return (i32.const 1))))
      (global.set $server (local.get $result))
      (drop (call $watch (global.get $server) (i32.const 1)))
      ${line(text(`${label}: connected; ping`), int(`(call $send (global.get $server) (i32.const ${PING}) (i32.const 0))`))}
      (i32.const 0)`,
    dispatch: `
      (if (i32.eq (local.get $kind) (i32.const ${CLOSED_EVENT})) (then
        ${line(text(`${label}: closed; send`), int(`(call $send (global.get $server) (i32.const ${PING}) (i32.const 0))`), text("receive"), long("(call $channelPoll (global.get $server))"))}
        (drop (call $capabilityDrop (global.get $server)))
        (return)))
      ${eachQueuedMessage("(global.get $server)", `
        (global.set $pongs (i32.add (global.get $pongs) (i32.const 1)))
        ${line(text(`${label}: got`), int(highHalf("(local.get $packed)")))}
        (if (i32.lt_u (global.get $pongs) (i32.const ${options.pings}))
          (then (drop (call $send (global.get $server) (i32.const ${PING}) (i32.const 0))))
          (else
            ${line(text(`${label}: bye`), int(`(call $send (global.get $server) (i32.const ${BYE}) (i32.const 0))`))}
            (drop (call $capabilityDrop (global.get $server)))
            (return)))`)}`,
  });
}

/** A loop that takes every message queued at `endpoint` (an i32 expression) into the i64 local `$packed`, running `body` for each. */
export function eachQueuedMessage(endpoint: string, body: string): string {
  return `(block $drained (loop $next
        (local.set $packed (call $channelPoll ${endpoint}))
        (br_if $drained (i64.lt_s (local.get $packed) (i64.const 0)))
        ${body}
        (br $next)))`;
}

/** Takes the one connection waiting on the listener in global `$listener` into global `$end`, then drops the listener: a service for one client. */
export function acceptOnlyConnection(): string {
  return `(global.set $end ${lowHalf("(call $channelPoll (global.get $listener))")})
          (drop (call $capabilityDrop (global.get $listener)))`;
}

/** A manifest for a PingPong app: the contract, and what it may publish and connect to. */
export function pingPongManifest(name: string, services: Pick<EventManifestOptions, "provides" | "uses" | "limits"> = {}): ReturnType<typeof eventManifest> {
  return eventManifest(name, { capabilities: ["console"], contracts: { PingPong: PING_PONG }, ...services });
}
