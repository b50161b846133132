// A TCP connection as the kernel holds it: a bounded receive buffer in front of the host socket
// (paused when full, so the peer's window closes) and a bounded send side (the host's own queue,
// measured: a send past the bound is short, or answers wouldBlock when nothing fits).
import type { NetworkFailure, StreamClient, StreamConnection } from "../../hal/hil/index.js";
import { InvalidArgumentError } from "../errors.js";
import { ConnectionResetError, NotConnectedError, errorOfFailure } from "./errors.js";
import { MAX_SOCKET_RECEIVE_BYTES, MAX_SOCKET_SEND_BYTES } from "./limits.js";
import { KernelSocket } from "./socket.js";

export type StreamState = "connecting" | "open" | "gone";

export class StreamSocket extends KernelSocket implements StreamClient {
  state: StreamState;
  connection: StreamConnection | undefined;
  private readonly chunks: Uint8Array[] = [];
  /** Bytes of the first chunk already read. */
  private headOffset = 0;
  private bufferedBytes = 0;
  private paused = false;
  /** The peer sent its FIN. */
  peerFinished = false;
  /** A receive has answered 0 for the peer's end: a watcher is not told of it again. */
  private endReported = false;
  /** This side sent its FIN (sockets.shutdown). */
  finished = false;

  constructor(state: StreamState) {
    super();
    this.state = state;
    this.writableWanted = state === "connecting";
  }

  get buffered(): number {
    return this.bufferedBytes;
  }

  protected readable(): boolean {
    return this.bufferedBytes > 0 || ((this.peerFinished || this.state === "gone") && !this.endReported && this.failure === undefined);
  }

  protected writable(): boolean {
    return this.state === "open" && !this.finished && this.room() > 0;
  }

  protected gone(): boolean {
    return this.state === "gone" && this.bufferedBytes === 0 && (this.endReported || this.failure !== undefined);
  }

  private room(): number {
    return MAX_SOCKET_SEND_BYTES - (this.connection?.pendingBytes ?? 0);
  }

  // The host's events (StreamClient).
  connected(): void {
    this.state = "open";
    this.hostChanged();
  }

  received(data: Uint8Array): void {
    if (this.released) return;
    this.chunks.push(data);
    this.bufferedBytes += data.byteLength;
    if (this.bufferedBytes >= MAX_SOCKET_RECEIVE_BYTES && !this.paused) {
      this.paused = true;
      this.connection?.pause();
    }
    this.hostChanged();
  }

  ended(): void {
    this.peerFinished = true;
    this.hostChanged();
  }

  drained(): void {
    this.hostChanged(false);
  }

  closed(failure?: NetworkFailure): void {
    this.state = "gone";
    if (failure) this.failure = errorOfFailure(failure, "the connection failed");
    this.hostChanged();
  }

  /**
   * Copies up to `into.length` received bytes into `into`: how many, 0 for the peer's end, or
   * undefined when nothing can be read yet (wouldBlock). A failed connection throws its error
   * once what arrived before the failure was read.
   */
  receive(into: Uint8Array): number | undefined {
    if (into.byteLength === 0) throw new InvalidArgumentError("sockets.receive: a length of 0 could not tell data from the peer's end");
    if (this.bufferedBytes === 0) {
      if (this.failure) throw this.failure;
      if (this.peerFinished || this.state === "gone") {
        this.endReported = true;
        return 0;
      }
      return undefined;
    }
    let copied = 0;
    while (copied < into.byteLength && this.chunks.length > 0) {
      const chunk = this.chunks[0]!;
      const take = Math.min(chunk.byteLength - this.headOffset, into.byteLength - copied);
      into.set(chunk.subarray(this.headOffset, this.headOffset + take), copied);
      copied += take;
      this.headOffset += take;
      if (this.headOffset === chunk.byteLength) {
        this.chunks.shift();
        this.headOffset = 0;
      }
    }
    this.bufferedBytes -= copied;
    if (this.paused && this.bufferedBytes < MAX_SOCKET_RECEIVE_BYTES) {
      this.paused = false;
      this.connection?.resume();
    }
    this.changed();
    return copied;
  }

  /**
   * Hands as much of `data` as the send bound allows to the host: the bytes taken (short when
   * the bound is near), or undefined when none fit or the connection is still being made.
   * `data` must be the kernel's own copy: the host keeps it until sent.
   */
  send(data: Uint8Array): number | undefined {
    if (this.failure) throw this.failure;
    if (this.finished) throw new NotConnectedError("sockets.send: this side was shut down");
    if (this.state === "gone") throw new ConnectionResetError("sockets.send: the connection is gone");
    if (this.state === "connecting") return undefined;
    if (data.byteLength === 0) return 0;
    const room = this.room();
    if (room <= 0) {
      this.writableWanted = true;
      return undefined;
    }
    const taken = Math.min(room, data.byteLength);
    if (taken < data.byteLength) this.writableWanted = true;
    this.connection!.send(taken === data.byteLength ? data : data.subarray(0, taken));
    return taken;
  }

  /** Sends the FIN after what is queued: the peer reads its end; this side may still receive. */
  shutdown(): void {
    if (this.failure) throw this.failure;
    if (this.state !== "open") throw new NotConnectedError(`sockets.shutdown: the connection is ${this.state === "connecting" ? "not made yet" : "gone"}`);
    if (this.finished) return;
    this.finished = true;
    this.connection!.finish();
  }

  protected release(): void {
    this.chunks.length = 0;
    this.bufferedBytes = 0;
    this.connection?.close();
  }
}
