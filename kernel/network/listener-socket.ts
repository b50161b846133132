// A TCP listener as the kernel holds it: the connections that arrived and wait to be accepted,
// bounded (past the bound a connection is closed as it arrives, and counted).
import type { ListenerClient, NetworkFailure, StreamClient, StreamConnection, StreamListener } from "../../hal/hil/index.js";
import { errorOfFailure } from "./errors.js";
import { MAX_PENDING_ACCEPTS } from "./limits.js";
import { KernelSocket } from "./socket.js";
import { StreamSocket } from "./stream-socket.js";

/** What a connection arriving after its listener closed (or past its bound) hears: nothing. */
const IGNORED: StreamClient = { connected() {}, received() {}, ended() {}, drained() {}, closed() {} };

export class ListenerSocket extends KernelSocket implements ListenerClient {
  listener: StreamListener | undefined;
  /** The bound port, once the host has bound it. */
  port: number | undefined;
  readonly pending: StreamSocket[] = [];
  /** Connections closed on arrival because `pending` was full. */
  refusedConnections = 0;

  constructor() {
    super();
    this.writableWanted = true;
  }

  protected readable(): boolean {
    return this.pending.length > 0;
  }

  protected writable(): boolean {
    return this.port !== undefined;
  }

  protected gone(): boolean {
    return this.failure !== undefined;
  }

  listening(port: number): void {
    this.port = port;
    this.hostChanged(false);
  }

  accepted(connection: StreamConnection): StreamClient {
    if (this.released || this.pending.length >= MAX_PENDING_ACCEPTS) {
      if (!this.released) this.refusedConnections++;
      connection.close();
      return IGNORED;
    }
    const socket = new StreamSocket("open");
    socket.connection = connection;
    this.pending.push(socket);
    this.hostChanged();
    return socket;
  }

  failed(failure: NetworkFailure): void {
    this.failure = errorOfFailure(failure, "the listener failed");
    this.hostChanged();
  }

  /** The oldest connection waiting, or undefined (wouldBlock). */
  takeConnection(): StreamSocket | undefined {
    if (this.failure) throw this.failure;
    const socket = this.pending.shift();
    if (socket) this.changed();
    return socket;
  }

  /** Puts back a connection the accepting process could not take (its table or socket count was full). */
  returnConnection(socket: StreamSocket): void {
    this.pending.unshift(socket);
  }

  protected release(): void {
    this.listener?.close();
    for (const socket of this.pending.splice(0)) socket.close();
  }
}
