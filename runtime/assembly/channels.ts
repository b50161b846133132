// Channels and the name service for AssemblyScript apps (docs/abi/channels.md, docs/abi/names.md).
// Calls return the kernel's results as they are (negative: an error code); a watched endpoint's
// events reach the callback given to `Channels.watch` through the runtime's `dispatch`, and a
// subscribed endpoint's messages reach the callback given to `Channels.subscribe` received: through
// the runtime's `deliver` in the kernel domain, through `dispatch` and a receive in a user domain.
import * as capabilityCalls from "./bindings/capabilities.generated";
import * as channelCalls from "./bindings/channels.generated";
import * as nameCalls from "./bindings/names.generated";
import { EVENT_CLOSED, EVENT_MESSAGE, Registration, Timer, callbackByTag, register, setCallbackByTag, unregister } from "./events";

/** A received message, unpacked: its number in the contract and the handle it carried (0: none). */
export class Message {
  constructor(readonly number: u32, readonly attachment: u32) {}
  static unpack(packed: i64): Message {
    return new Message(<u32>(packed >>> 32), <u32>packed);
  }
}

/** A watched endpoint, handed to its callback with each event (EVENT_MESSAGE or EVENT_CLOSED). */
export class Endpoint extends Registration {
  handle: u32 = 0;
  /** The kind of the event being delivered. */
  event: u32 = 0;
}

export type EndpointCallback = (endpoint: Endpoint) => void;

/** Callbacks by tag, beside the registrations (AssemblyScript has no recursive types). */
let endpointCallbackList: Array<EndpointCallback | null> | null = null;

function endpointCallbacks(): Array<EndpointCallback | null> {
  let list = endpointCallbackList;
  if (list === null) endpointCallbackList = list = new Array<EndpointCallback | null>();
  return list;
}

class WatchedEndpoint extends Endpoint {
  fire(kind: u32): void {
    const callback = callbackByTag<EndpointCallback>(endpointCallbacks(), this.tag);
    if (callback === null) return;
    this.event = kind;
    // The closed event is an endpoint's last.
    if (kind == EVENT_CLOSED) {
      setCallbackByTag<EndpointCallback>(endpointCallbacks(), this.tag, null);
      unregister(this.tag);
    }
    callback(this);
  }
}

/**
 * A subscribed endpoint's callback: each message received for the app (the endpoint's event
 * EVENT_MESSAGE, the message's number and the handle it carried, 0 for none), then at the end one
 * EVENT_CLOSED with 0 and 0.
 */
export type MessageCallback = (endpoint: Endpoint, message: u32, attachment: u32) => void;

class SubscribedEndpoint extends Endpoint {
  /** Here, not in a list by tag as a watch's: the callback takes an Endpoint, not this class, so the type is not recursive. */
  callback: MessageCallback | null = null;

  /** A message the kernel received for the app (the kernel domain's path). */
  deliver(message: u32, attachment: u32): void {
    this.take(EVENT_MESSAGE, message, attachment);
  }

  /**
   * An event through `dispatch`: in a user domain every message event, in the kernel domain one
   * whose message the kernel could not receive. The runtime receives it here, so the callback
   * sees the same in both. A receive that fails (the app took the message itself; its
   * attachment does not fit, and it stays queued) calls nothing.
   */
  fire(kind: u32): void {
    if (kind == EVENT_CLOSED) {
      this.take(kind, 0, 0);
      return;
    }
    if (kind != EVENT_MESSAGE) return;
    const packed = channelCalls.poll(this.handle);
    if (packed >= 0) this.take(kind, <u32>(packed >>> 32), <u32>packed);
  }

  private take(kind: u32, message: u32, attachment: u32): void {
    const callback = this.callback;
    if (callback === null) {
      // Nobody asked for it any more: what it carried would only fill the handle table.
      if (attachment != 0) capabilityCalls.drop(attachment);
      return;
    }
    this.event = kind;
    // The closed event is an endpoint's last.
    if (kind == EVENT_CLOSED) {
      this.callback = null;
      unregister(this.tag);
    }
    callback(this, message, attachment);
  }
}

export class Channels {
  /** A new channel following `contract` ("" for none): `(client << 32) | server`, or a negative error. */
  static create(contract: string): i64 { return channelCalls.create(contract); }
  static client(pair: i64): u32 { return <u32>(pair >>> 32); }
  static server(pair: i64): u32 { return <u32>pair; }
  /** Sends message `message` carrying `attachment` (0: none): 0 or a negative error. */
  static send(endpoint: u32, message: u32, attachment: u32 = 0): i32 { return channelCalls.send(endpoint, message, attachment); }
  /** The next message (a user domain waits for it), or null with the error in `Channels.lastError`. */
  static receive(endpoint: u32): Message | null { return Channels.unpacked(channelCalls.receive(endpoint)); }
  /** `receive` that never waits. */
  static poll(endpoint: u32): Message | null { return Channels.unpacked(channelCalls.poll(endpoint)); }
  /** The negated error code of the last receive or poll that returned null. */
  static lastError: i32 = 0;

  /** Calls `callback` with each event of `endpoint` (a message waiting; at the end, closed). 0 or a negative error. */
  static watch(endpoint: u32, callback: EndpointCallback): i32 {
    const watched = new WatchedEndpoint();
    watched.handle = endpoint;
    const tag = register(watched);
    setCallbackByTag<EndpointCallback>(endpointCallbacks(), tag, callback);
    const result = channelCalls.watch(endpoint, tag);
    if (result < 0) {
      setCallbackByTag<EndpointCallback>(endpointCallbacks(), tag, null);
      unregister(tag);
    }
    return result;
  }

  /**
   * Calls `callback` with each message of `endpoint`, received for the app (no receive call), and
   * at the end with the closed event. In the kernel domain the kernel receives each message as it
   * delivers it (channels.subscribe, the cheapest request/reply); in a user domain the runtime
   * receives it. The app re-exports the runtime's `deliver`. 0 or a negative error.
   */
  static subscribe(endpoint: u32, callback: MessageCallback): i32 {
    const subscribed = new SubscribedEndpoint();
    subscribed.handle = endpoint;
    subscribed.callback = callback;
    const tag = register(subscribed);
    const result = channelCalls.subscribe(endpoint, tag);
    if (result < 0) unregister(tag);
    return result;
  }

  private static unpacked(packed: i64): Message | null {
    if (packed < 0) {
      Channels.lastError = <i32>packed;
      return null;
    }
    return Message.unpack(packed);
  }
}

/** Told the client end `Names.connectWhenPublished` got, or the negated error it gave up with. */
export type ConnectedCallback = (endpoint: i32) => void;

/** `notFound` at the ABI: nothing is published under the name (yet). */
const NAME_NOT_FOUND: i32 = -2;
/** How often a connection to a name not published yet is tried, 10 ms apart: a second for its server to start. */
const MAX_CONNECT_ATTEMPTS: u32 = 100;
const CONNECT_RETRY_MILLISECONDS: u64 = 10;

class PendingConnection {
  name: string = "";
  attempts: u32 = 0;
  callback: ConnectedCallback | null = null;
}

/**
 * Connections waiting for their next try, by the handle of the timer that brings it. Made on first
 * use: a map made at the top level would give every app a start function, and a user-domain app
 * one more crossing at start, whether it ever connects or not.
 */
let connectionsByTimerMap: Map<i32, PendingConnection> | null = null;

function connectionsByTimer(): Map<i32, PendingConnection> {
  let map = connectionsByTimerMap;
  if (map === null) connectionsByTimerMap = map = new Map<i32, PendingConnection>();
  return map;
}

function tryConnect(pending: PendingConnection): void {
  const endpoint = nameCalls.connect(pending.name);
  if (endpoint == NAME_NOT_FOUND && pending.attempts++ < MAX_CONNECT_ATTEMPTS) {
    const timer = Timer.after(CONNECT_RETRY_MILLISECONDS, tryConnectAgain);
    if (timer.ok) {
      connectionsByTimer().set(timer.handle, pending);
      return;
    }
    // No timer (no clock capability, no event source left): the timer's error is the answer.
    pending.callback!(timer.handle);
    return;
  }
  pending.callback!(endpoint);
}

function tryConnectAgain(timer: Timer): void {
  const connections = connectionsByTimer();
  const pending = connections.get(timer.handle);
  connections.delete(timer.handle);
  tryConnect(pending);
}

export class Names {
  /** Publishes the service `name`: the listener endpoint, or a negative error. */
  static publish(name: string, contract: string = ""): i32 { return nameCalls.publish(name, contract); }
  /** Connects to the service `name`: the client end of a new channel, or a negative error. */
  static connect(name: string): i32 { return nameCalls.connect(name); }
  /**
   * Connects to `name` as `connect` does, trying again every 10 ms, up to 100 times, while nothing
   * is published under it: a client started beside its server finds it once the server is up.
   * Calls `callback` with the client end, or with the negated error it gave up with (`notFound`
   * after the last try). Needs the clock capability for the waits between tries.
   */
  static connectWhenPublished(name: string, callback: ConnectedCallback): void {
    const pending = new PendingConnection();
    pending.name = name;
    pending.callback = callback;
    tryConnect(pending);
  }
}
