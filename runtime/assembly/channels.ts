// Channels and the name service for AssemblyScript apps (docs/abi/channels.md, docs/abi/names.md).
// Calls return the kernel's results as they are (negative: an error code); a watched endpoint's
// events reach the callback given to `Endpoint.watch` through the runtime's `dispatch`.
import * as channelCalls from "./bindings/channels.generated";
import * as nameCalls from "./bindings/names.generated";
import { EVENT_CLOSED, Registration, callbackByTag, register, setCallbackByTag, unregister } from "./events";

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

  private static unpacked(packed: i64): Message | null {
    if (packed < 0) {
      Channels.lastError = <i32>packed;
      return null;
    }
    return Message.unpack(packed);
  }
}

export class Names {
  /** Publishes the service `name`: the listener endpoint, or a negative error. */
  static publish(name: string, contract: string = ""): i32 { return nameCalls.publish(name, contract); }
  /** Connects to the service `name`: the client end of a new channel, or a negative error. */
  static connect(name: string): i32 { return nameCalls.connect(name); }
}
