// Channels: a pair of endpoints, each a capability, carrying numbered messages that may each carry
// one capability (a block, another endpoint, any grant with the grant right), checked against the
// channel's contract on every send. Each endpoint holds a bounded queue of the messages sent to
// it. A send is asynchronous; receive is an event (channels.watch) in the kernel domain and a
// call that waits in a user domain. When an endpoint's last handle goes, its peer learns of it.
import type { ChannelSide } from "../../runtime/abi/index.js";
import { EventKind } from "../../runtime/abi/index.js";
import { CapabilityKind, CapabilityTable, Rights, type CapabilityObject, type HeldCapability } from "../capabilities/index.js";
import { InvalidArgumentError, PeerClosedError, ProtocolViolationError } from "../errors.js";
import type { EventSource, MessageReceipt, ProcessEvents } from "../events/index.js";
import { MAX_QUEUED_MESSAGES } from "../params.js";
import type { Contract } from "./contract.js";
import { MessageQueue } from "./message-queue.js";

/** An endpoint watched for events: one source for both its message and its closed events. */
interface Watch {
  readonly events: ProcessEvents;
  tag: number;
  readonly source: WatchSource;
  /** The kind of the event last queued for it. */
  announced: number;
}

class Channel {
  state: number;
  readonly ends: [Endpoint, Endpoint];

  constructor(readonly contract: Contract | undefined) {
    this.state = contract?.initial ?? 0;
    const client = new Endpoint(this, "client");
    const server = new Endpoint(this, "server");
    client.peer = server;
    server.peer = client;
    this.ends = [client, server];
  }
}

/** Endpoints made and not yet closed, over every kernel in this isolate: what a leak check counts. */
let endpointsOpen = 0;

export function openEndpoints(): number {
  return endpointsOpen;
}

export class Endpoint {
  /** Messages sent to this end, not yet received. */
  readonly queue = new MessageQueue();
  /** The channel's other end (set once, when the channel is made). */
  peer!: Endpoint;
  closed = false;
  watch: Watch | undefined;
  private arrivals: (() => void)[] = [];
  private rooms: (() => void)[] = [];

  constructor(readonly channel: Channel, readonly side: ChannelSide) {
    endpointsOpen++;
  }

  /** Settles when a message arrives or the peer closes: a user domain's parked receive. */
  arrival(): Promise<void> {
    if (this.queue.length > 0 || this.peer.closed || this.closed) return Promise.resolve();
    return new Promise((resolve) => this.arrivals.push(resolve));
  }

  /** Settles when this end's queue has room or either end closes: a peer's parked send. */
  room(): Promise<void> {
    if (this.queue.length < MAX_QUEUED_MESSAGES || this.closed || this.peer.closed) return Promise.resolve();
    return new Promise((resolve) => this.rooms.push(resolve));
  }

  wakeArrivals(): void {
    if (this.arrivals.length > 0) for (const wake of this.arrivals.splice(0)) wake();
  }

  wakeRooms(): void {
    if (this.rooms.length > 0) for (const wake of this.rooms.splice(0)) wake();
  }

  /** Announces what is waiting to a watching process: a message, or, once drained, the peer's end. */
  announce(): void {
    const watch = this.watch;
    if (!watch) return;
    const kind = this.queue.length > 0 ? EventKind.message : this.peer.closed ? EventKind.closed : undefined;
    if (kind !== undefined && watch.events.push(kind, watch.tag, watch.source)) watch.announced = kind;
  }

  /** Stops watching: the process no longer holds the endpoint, or the closed event was taken. */
  unwatch(): void {
    const watch = this.watch;
    if (!watch) return;
    this.watch = undefined;
    watch.events.withdraw(watch.source);
    watch.events.removeSource();
  }

  /** The endpoint's last handle went: queued messages and their attachments are dropped; the peer learns of it. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    endpointsOpen--;
    this.unwatch();
    for (const attachment of this.queue.takeAll()) CapabilityTable.discard(attachment);
    this.wakeArrivals();
    this.wakeRooms();
    const peer = this.peer;
    peer.wakeArrivals();
    peer.wakeRooms();
    peer.announce();
  }
}

function endpointObject(endpoint: Endpoint): CapabilityObject {
  return {
    kind: CapabilityKind.channel, target: endpoint, revoked: false,
    close: () => endpoint.close(),
    // A watch belongs to the process that asked for it; the endpoint's next holder asks anew.
    moving: () => endpoint.unwatch(),
    leaving: () => endpoint.unwatch(),
  };
}

/** A new channel following `contract` (none: any message either way): both endpoints' handles in `table`. */
export function createChannel(table: CapabilityTable, contract: Contract | undefined): [number, number] {
  const channel = new Channel(contract);
  const rights = Rights.read | Rights.write | Rights.grant;
  const client = table.insert({ object: endpointObject(channel.ends[0]), rights });
  try {
    return [client, table.insert({ object: endpointObject(channel.ends[1]), rights })];
  } catch (error) {
    table.remove(client);
    throw error;
  }
}

/**
 * `(number << 32) | attachment`, made as one bigint where the sum is exact (message numbers under
 * 2^21), and not made at all for a small message without an attachment: a new bigint costs more
 * than the rest of a receive, and most messages of a conversation are such.
 */
function packMessage(number: number, attachment: number): bigint {
  if (attachment === 0 && number < PACKED_PLAIN_MESSAGES.length) return PACKED_PLAIN_MESSAGES[number]!;
  return number < SMALL_MESSAGE_NUMBERS ? BigInt(number * 0x1_0000_0000 + attachment) : (BigInt(number) << 32n) | BigInt(attachment);
}

/** Message numbers whose packed form is an exact double: number × 2^32 + a u32 stays under 2^53. */
const SMALL_MESSAGE_NUMBERS = 2 ** 21;

/** Messages below this number without an attachment are answered from a table made once (a contract has a few messages). */
const PLAIN_MESSAGES_PACKED_ONCE = 256;
const PACKED_PLAIN_MESSAGES: readonly bigint[] = Array.from({ length: PLAIN_MESSAGES_PACKED_ONCE }, (_, number) => BigInt(number) << 32n);

export function endpointOf(table: CapabilityTable, handle: number, rights: number): Endpoint {
  return table.lookup(handle, CapabilityKind.channel, rights).object.target as Endpoint;
}

/**
 * Sends message `number` with `attachment` (0: none) from `table`'s `handle`. Returns 0, or
 * false when the peer's queue is full (wouldBlock: nothing was taken). A message the contract
 * refuses, or one to a closed peer, throws; the peer sees nothing of it.
 */
export function sendMessage(table: CapabilityTable, handle: number, number: number, attachment: number): boolean {
  const endpoint = endpointOf(table, handle, Rights.write);
  const peer = endpoint.peer;
  if (peer.closed) throw new PeerClosedError(`channels.send: the other end of channel handle ${handle} is closed`);
  const channel = endpoint.channel;
  let next = channel.state;
  if (channel.contract) {
    const verdict = channel.contract.next(channel.state, endpoint.side, number);
    if (typeof verdict === "string") throw new ProtocolViolationError(`channels.send: ${verdict}`);
    next = verdict;
  }
  if (peer.queue.length >= MAX_QUEUED_MESSAGES) return false;
  if (attachment !== 0) {
    const carried = table.lookup(attachment);
    if (carried.object.target === endpoint) throw new InvalidArgumentError("channels.send: an endpoint cannot be sent over itself");
  }
  // The attachment leaves the sender now (a use after send fails); it is in flight until received.
  const held = attachment !== 0 ? table.detach(attachment) : undefined;
  channel.state = next;
  peer.queue.push(number, held);
  peer.wakeArrivals();
  peer.announce();
  return true;
}

/**
 * Takes the next message sent to `handle`'s endpoint: `(number << 32) | attachment handle`
 * (0 when none), or undefined when none is queued. Throws PeerClosedError when none is queued
 * and none can come. An attachment the receiver cannot take (a full table, a quota) leaves the
 * message queued and throws.
 */
export function receiveMessage(table: CapabilityTable, handle: number): bigint | undefined {
  const endpoint = endpointOf(table, handle, Rights.read);
  if (endpoint.queue.length === 0) {
    if (endpoint.peer.closed) throw new PeerClosedError(`channels.receive: the other end of channel handle ${handle} is closed and nothing is queued`);
    return undefined;
  }
  const number = endpoint.queue.firstNumber();
  return packMessage(number, receiveFirst(endpoint, table));
}

/**
 * Removes the oldest message of `endpoint` (one is queued) for the holder of `table`: returns
 * the handle its attachment now has there (0: none). An attachment that does not fit leaves the
 * message queued and throws.
 */
function receiveFirst(endpoint: Endpoint, table: CapabilityTable): number {
  const queue = endpoint.queue;
  const attachment = queue.firstAttachment();
  let received = 0;
  if (attachment) {
    try {
      received = table.attach(attachment);
    } catch (error) {
      // Revoked in flight: the message arrives without it. Anything else (no room) waits for the receiver.
      if (!(error instanceof Error) || error.name !== "BadHandleError") throw error;
      CapabilityTable.discard(attachment);
    }
  }
  queue.dropFirst();
  endpoint.wakeRooms();
  endpoint.announce();
  return received;
}

/**
 * A watched endpoint's one event source, for both its message and its closed events. Subscribed
 * (channels.subscribe), it is also the receipt through which an in-kernel delivery receives the
 * message for the process, so the handler is handed it without a receive call.
 */
class WatchSource implements EventSource, MessageReceipt {
  queued = false;
  number = 0;
  attachment = 0;
  receipt: MessageReceipt | undefined;

  constructor(private readonly endpoint: Endpoint, private readonly table: CapabilityTable) {}

  taken(): void {
    const endpoint = this.endpoint;
    // The closed event is the last this endpoint can give: the watch ends with it. A message
    // event taken after the peer closed and its messages were received is followed by it.
    if (endpoint.watch?.announced === EventKind.closed) endpoint.unwatch();
    else if (endpoint.queue.length === 0 && endpoint.peer.closed) endpoint.announce();
  }

  receive(): boolean {
    const endpoint = this.endpoint;
    // Received already (the app called receive before its event came round): nothing to hand over.
    if (endpoint.queue.length === 0 || endpoint.watch?.source !== this) return false;
    const number = endpoint.queue.firstNumber();
    try {
      this.attachment = receiveFirst(endpoint, this.table);
    } catch {
      // The attachment does not fit: the message stays queued and the plain event tells the app,
      // whose own receive then answers why.
      return false;
    }
    this.number = number;
    return true;
  }
}

/**
 * Makes the endpoint an event source of `events`: a message event (or, at the end, a closed
 * event) carrying `tag`. `receiving` (channels.subscribe): in the kernel domain each message is
 * received for the process as its event is delivered (the source's receipt). Asked again, the
 * watch keeps its source and its queued event, and takes the new tag and form.
 */
export function watchEndpoint(table: CapabilityTable, handle: number, tag: number, events: ProcessEvents, receiving = false): void {
  const endpoint = endpointOf(table, handle, Rights.read);
  const watched = endpoint.watch;
  if (watched) {
    watched.tag = tag;
    watched.source.receipt = receiving ? watched.source : undefined;
    return;
  }
  events.addSource(receiving ? "channels.subscribe" : "channels.watch");
  const source = new WatchSource(endpoint, table);
  source.receipt = receiving ? source : undefined;
  endpoint.watch = { events, tag, source, announced: 0 };
  endpoint.announce();
}
