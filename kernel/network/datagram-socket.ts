// A UDP socket as the kernel holds it: the datagrams that arrived, bounded in bytes (past the
// bound arrivals are dropped and counted, as UDP may drop them anywhere on the way).
import { isIPv4 } from "node:net";
import type { DatagramClient, DatagramPort, NetworkFailure } from "../../hal/hil/index.js";
import { DATAGRAM_HEADER_BYTES } from "../../runtime/abi/index.js";
import { errorOfFailure, MessageTooLongError } from "./errors.js";
import { MAX_DATAGRAM_QUEUE_BYTES } from "./limits.js";
import { KernelSocket } from "./socket.js";

interface Datagram {
  readonly data: Uint8Array;
  readonly address: string;
  readonly port: number;
}

/** Writes the source of a datagram as `sockets.receive-from`'s header (runtime/abi/network.ts). */
function writeSourceHeader(into: Uint8Array, address: string, port: number): void {
  into.fill(0, 0, DATAGRAM_HEADER_BYTES);
  into[2] = port & 0xff;
  into[3] = port >>> 8;
  if (isIPv4(address)) {
    into[0] = 4;
    address.split(".").forEach((part, index) => { into[4 + index] = Number(part); });
    return;
  }
  into[0] = 6;
  // Expand "::" to the zero groups it stands for, then write the eight groups big-endian.
  const [head, tail] = address.split("%")[0]!.split("::") as [string, string | undefined];
  const headGroups = head === "" ? [] : head.split(":");
  const tailGroups = tail === undefined || tail === "" ? [] : tail.split(":");
  const groups = tail === undefined ? headGroups : [...headGroups, ...new Array<string>(8 - headGroups.length - tailGroups.length).fill("0"), ...tailGroups];
  groups.forEach((group, index) => {
    const value = parseInt(group, 16);
    into[4 + index * 2] = value >>> 8;
    into[5 + index * 2] = value & 0xff;
  });
}

export class DatagramSocket extends KernelSocket implements DatagramClient {
  socket: DatagramPort | undefined;
  port: number | undefined;
  private readonly queue: Datagram[] = [];
  private queuedBytes = 0;
  /** Arrivals dropped because the queue was full. */
  dropped = 0;

  constructor() {
    super();
    this.writableWanted = true;
  }

  protected readable(): boolean {
    return this.queue.length > 0;
  }

  protected writable(): boolean {
    return this.port !== undefined;
  }

  protected gone(): boolean {
    return this.failure !== undefined;
  }

  bound(port: number): void {
    this.port = port;
    this.hostChanged(false);
  }

  received(data: Uint8Array, address: string, port: number): void {
    if (this.released) return;
    if (this.queuedBytes + data.byteLength > MAX_DATAGRAM_QUEUE_BYTES) {
      this.dropped++;
      return;
    }
    this.queue.push({ data, address, port });
    this.queuedBytes += data.byteLength;
    this.hostChanged();
  }

  failed(failure: NetworkFailure): void {
    this.failure = errorOfFailure(failure, "the UDP socket failed");
    this.hostChanged();
  }

  /**
   * Writes the oldest datagram, behind its source header, into `into`: the payload's length, or
   * undefined when none waits. One that does not fit stays queued (messageTooLong).
   */
  receiveFrom(into: Uint8Array): number | undefined {
    if (this.failure) throw this.failure;
    const datagram = this.queue[0];
    if (!datagram) return undefined;
    if (DATAGRAM_HEADER_BYTES + datagram.data.byteLength > into.byteLength) {
      throw new MessageTooLongError(`sockets.receive-from: the datagram of ${datagram.data.byteLength} bytes and its ${DATAGRAM_HEADER_BYTES}-byte header do not fit in ${into.byteLength} bytes`);
    }
    this.queue.shift();
    this.queuedBytes -= datagram.data.byteLength;
    writeSourceHeader(into, datagram.address, datagram.port);
    into.set(datagram.data, DATAGRAM_HEADER_BYTES);
    this.changed();
    return datagram.data.byteLength;
  }

  protected release(): void {
    this.queue.length = 0;
    this.queuedBytes = 0;
    this.socket?.close();
  }
}
