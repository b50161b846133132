// Sockets for AssemblyScript apps (docs/files-and-sockets.md). The same code serves both domains:
// in the kernel domain calls answer wouldBlock (-11) and the app waits for events through
// `onReadable`/`onWritable`; in a user domain the calls wait, and events come through `serve`.
// Calls return the kernel's results as they are (negative: an error code).
import * as socketCalls from "./bindings/sockets.generated";
import { Batch } from "./batch";
import { Batches, EVENT_CLOSED, EVENT_READABLE, EVENT_WRITABLE, Registration, callbackByTag, register, setCallbackByTag, unregister } from "./events";

export type SocketCallback = (socket: Socket) => void;

/** Callbacks by tag, beside the registrations (AssemblyScript has no recursive types). */
let readableCallbackList: Array<SocketCallback | null> | null = null;
let writableCallbackList: Array<SocketCallback | null> | null = null;
let closedCallbackList: Array<SocketCallback | null> | null = null;
let echoedCallbackList: Array<SocketCallback | null> | null = null;

function readableCallbacks(): Array<SocketCallback | null> {
  let list = readableCallbackList;
  if (list === null) readableCallbackList = list = new Array<SocketCallback | null>();
  return list;
}

function writableCallbacks(): Array<SocketCallback | null> {
  let list = writableCallbackList;
  if (list === null) writableCallbackList = list = new Array<SocketCallback | null>();
  return list;
}

function closedCallbacks(): Array<SocketCallback | null> {
  let list = closedCallbackList;
  if (list === null) closedCallbackList = list = new Array<SocketCallback | null>();
  return list;
}

function echoedCallbacks(): Array<SocketCallback | null> {
  let list = echoedCallbackList;
  if (list === null) echoedCallbackList = list = new Array<SocketCallback | null>();
  return list;
}

/** What a socket method answers when it needs the socket watched (a tag to be called back by). */
const NOT_WATCHED: i32 = -22;

/** Made on first use: a module-level `new` would give every app a start function. */
let echoBatch: Batch | null = null;

/** A receive and, linked to it, the send of what it received: one batch, one kernel entry. */
function receiveThenSendBatch(): Batch {
  let batch = echoBatch;
  if (batch === null) echoBatch = batch = new Batch(2);
  return batch;
}

/** The argument of sockets.send-block that takes the receive's count: its length. */
const SEND_BLOCK_LENGTH_ARGUMENT: i32 = 3;

/** Queues a receive into `block` and, linked to it, the send of what it received (one echo). */
function addReceiveThenSend(batch: Batch, socket: u32, block: u32, offset: u32, length: u32): void {
  batch.addNarrow(socketCalls.RECEIVE_CALL, socket, block, offset, length);
  const send = batch.addNarrow(socketCalls.SEND_BLOCK_CALL, socket, block, offset, 0);
  batch.link(send, SEND_BLOCK_LENGTH_ARGUMENT);
}

/** The receive's answer (as `receive`) of a pair queued at `first`. */
function receiveAnswer(batch: Batch, first: i32): i32 {
  return batch.status(first) == 0 ? <i32>batch.result(first) : batch.status(first);
}

/** The send's answer of a pair queued at `first`: 0 when nothing was received to send. */
function sendAnswer(batch: Batch, first: i32): i32 {
  return batch.status(first + 1) == 0 ? <i32>batch.result(first + 1) : 0;
}

/** A TCP listener, a TCP connection or a UDP socket. */
export class Socket extends Registration {
  /** The socket's handle, or the negated error code when the kernel refused to make it. */
  handle: i32 = 0;
  /** The kind of the event being delivered (EVENT_READABLE, EVENT_WRITABLE, EVENT_CLOSED). */
  event: u32 = 0;
  /** Whether the kernel was asked to watch it (one watch, one tag, for all three callbacks). */
  private watching: bool = false;
  /** Anything an app wants to keep with the socket (an echo server's block). */
  userData: i32 = 0;
  /** What the receive of the last echo queued with the next wait answered (as `receive`). */
  received: i32 = 0;
  /** What its send answered: bytes taken, a negative error, 0 when nothing was received to send. */
  sent: i32 = 0;

  constructor(handle: i32) {
    super();
    this.handle = handle;
  }

  /** Whether the kernel made the socket. */
  get ok(): bool { return this.handle >= 0; }

  /** The next connection waiting at this listener, or null with the error in `Sockets.lastError` (-11: none yet). */
  accept(): Socket | null {
    const result = socketCalls.accept(<u32>this.handle);
    if (result < 0) {
      Sockets.lastError = result;
      return null;
    }
    return new Socket(result);
  }

  /** The port a listener or UDP socket is bound at, or a negative error (-11 while binding in the kernel domain). */
  localPort(): i32 { return socketCalls.localPort(<u32>this.handle); }
  /** Sends `data`: the bytes taken (a short write when the send buffer is nearly full), or a negative error. */
  send(data: Uint8Array): i32 { return socketCalls.send(<u32>this.handle, data); }
  /** Sends `length` bytes at `offset` of an exchange-heap block, never copying them into the app. */
  sendBlock(block: u32, offset: u32, length: u32): i32 { return socketCalls.sendBlock(<u32>this.handle, block, offset, length); }
  /** Moves up to `length` received bytes into a block at `offset`: how many, 0 at the peer's end, or a negative error. */
  receive(block: u32, offset: u32, length: u32): i32 { return socketCalls.receive(<u32>this.handle, block, offset, length); }
  /**
   * Receives up to `length` bytes into a block at `offset` and sends what came back out from
   * there, in one kernel call (a linked batch): what the receive answered (as `receive`). What
   * the send answered is in `Sockets.lastSent` (0 when nothing was received to send).
   */
  receiveThenSend(block: u32, offset: u32, length: u32): i32 {
    const batch = receiveThenSendBatch();
    batch.clear();
    addReceiveThenSend(batch, <u32>this.handle, block, offset, length);
    const completed = batch.submit();
    if (completed < 0) {
      Sockets.lastSent = 0;
      return completed;
    }
    Sockets.lastSent = sendAnswer(batch, 0);
    return receiveAnswer(batch, 0);
  }

  /**
   * `receiveThenSend`, queued to go to the kernel with the process's next wait
   * (`Batches.withNextWait`): in a user domain the echo costs no crossing of its own. `callback`
   * is called once the pair ran, after the handler that queued it returns and before the next
   * event, with `received` and `sent` set; not if the socket is closed first. Returns 0, or -22
   * when the socket is not watched (it needs `onReadable` or another event callback first).
   */
  receiveThenSendWithNextWait(block: u32, offset: u32, length: u32, callback: SocketCallback): i32 {
    if (!this.watching) return NOT_WATCHED;
    setCallbackByTag<SocketCallback>(echoedCallbacks(), this.tag, callback);
    addReceiveThenSend(Batches.withNextWait(this, 2), <u32>this.handle, block, offset, length);
    return 0;
  }

  completed(batch: Batch, first: i32): void {
    // Closed since: the tag may be someone else's by now, and no callback comes after close.
    if (!this.watching) return;
    this.received = receiveAnswer(batch, first);
    this.sent = sendAnswer(batch, first);
    const callback = callbackByTag<SocketCallback>(echoedCallbacks(), this.tag);
    if (callback !== null) callback(this);
  }

  /** Finishes sending (the half close); receiving goes on. */
  shutdown(): i32 { return socketCalls.shutdown(<u32>this.handle); }
  /** Sends one datagram from a UDP socket. */
  sendTo(address: string, port: u32, data: Uint8Array): i32 { return socketCalls.sendTo(<u32>this.handle, address, port, data); }
  /** Moves the oldest datagram into a block behind its 20-byte source header (`Datagrams`): its length, or a negative error. */
  receiveFrom(block: u32, offset: u32, length: u32): i32 { return socketCalls.receiveFrom(<u32>this.handle, block, offset, length); }

  /** Closes the socket; no callback comes after this returns. */
  close(): i32 {
    this.forget();
    return socketCalls.close(<u32>this.handle);
  }

  /** Calls `callback` whenever data, a connection or the peer's end waits (and at the end, unless `onClosed` is set). */
  onReadable(callback: SocketCallback): i32 {
    return this.watchWith(readableCallbacks(), callback);
  }

  /** Calls `callback` when the socket can take data again after a refused or short send, or once bound or connected. */
  onWritable(callback: SocketCallback): i32 {
    return this.watchWith(writableCallbacks(), callback);
  }

  /** Calls `callback` once when the socket failed or is gone: its last event. */
  onClosed(callback: SocketCallback): i32 {
    return this.watchWith(closedCallbacks(), callback);
  }

  private watchWith(list: Array<SocketCallback | null>, callback: SocketCallback): i32 {
    if (!this.watching) {
      const tag = register(this);
      const result = socketCalls.watch(<u32>this.handle, tag);
      if (result < 0) {
        unregister(tag);
        return result;
      }
      this.watching = true;
    }
    setCallbackByTag<SocketCallback>(list, this.tag, callback);
    return 0;
  }

  private forget(): void {
    if (!this.watching) return;
    this.watching = false;
    setCallbackByTag<SocketCallback>(readableCallbacks(), this.tag, null);
    setCallbackByTag<SocketCallback>(writableCallbacks(), this.tag, null);
    setCallbackByTag<SocketCallback>(closedCallbacks(), this.tag, null);
    setCallbackByTag<SocketCallback>(echoedCallbacks(), this.tag, null);
    unregister(this.tag);
  }

  fire(kind: u32): void {
    this.event = kind;
    let callback: SocketCallback | null = null;
    if (kind == EVENT_READABLE) callback = callbackByTag<SocketCallback>(readableCallbacks(), this.tag);
    else if (kind == EVENT_WRITABLE) callback = callbackByTag<SocketCallback>(writableCallbacks(), this.tag);
    else if (kind == EVENT_CLOSED) {
      callback = callbackByTag<SocketCallback>(closedCallbacks(), this.tag);
      if (callback === null) callback = callbackByTag<SocketCallback>(readableCallbacks(), this.tag);
      // The kernel ended the watch with this event.
      this.forget();
    }
    if (callback !== null) callback(this);
  }
}

export class Sockets {
  /** The negated error code of the last call that returned null. */
  static lastError: i32 = 0;
  /** What the send of the last `receiveThenSend` answered: bytes taken, or a negative error. */
  static lastSent: i32 = 0;
  /** Listens for TCP connections (port 0: the host picks; `localPort` says which). */
  static listen(address: string, port: u32): Socket { return new Socket(socketCalls.listen(address, port)); }
  /** Opens a TCP connection (in the kernel domain it is made later: `onWritable` hears when). */
  static connect(address: string, port: u32): Socket { return new Socket(socketCalls.connect(address, port)); }
  /** Binds a UDP socket. */
  static bindDatagram(address: string, port: u32): Socket { return new Socket(socketCalls.bindDatagram(address, port)); }
}

/** The 20-byte header `receiveFrom` writes before a datagram: family, port, address. */
export class Datagrams {
  static readonly HEADER_BYTES: u32 = 20;

  /** The source port of the header at `header` (bytes read out of the block). */
  static sourcePort(header: Uint8Array): u32 {
    return <u32>header[2] | (<u32>header[3] << 8);
  }

  /** The source address, as text: dotted for IPv4, eight hexadecimal groups for IPv6. */
  static sourceAddress(header: Uint8Array): string {
    if (header[0] == 4) return header[4].toString() + "." + header[5].toString() + "." + header[6].toString() + "." + header[7].toString();
    let text = "";
    for (let group = 0; group < 8; group++) {
      if (group > 0) text += ":";
      text += ((<u32>header[4 + group * 2] << 8) | <u32>header[5 + group * 2]).toString(16);
    }
    return text;
  }
}
