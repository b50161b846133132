// A network device: TCP listeners, TCP connections and UDP sockets whose events are delivered to
// a client, as Tock pairs each operation trait with a client trait for its completions. Binding
// and connecting complete later on every host (a name lookup, a handshake), so every object is
// returned at once and its client hears how it went.

/** Why a network operation failed, by the host's error name (`EADDRINUSE`, `ECONNREFUSED`, ...). */
export interface NetworkFailure {
  readonly code: string;
  readonly message: string;
}

/** Hears one TCP connection's events, in order. */
export interface StreamClient {
  /** An outgoing connection is established (never called for an accepted one). */
  connected(): void;
  /** Bytes arrived; the device delivers none while paused. */
  received(data: Uint8Array): void;
  /** The peer finished sending (a FIN): no more `received`. */
  ended(): void;
  /** Everything the device had queued to send has gone to the host. */
  drained(): void;
  /** The connection is gone: after both ends finished, or with the failure (reset, refused). */
  closed(failure?: NetworkFailure): void;
}

export interface StreamConnection {
  /** Queues `data` to send; false when the device now holds more than it likes (`drained` follows). */
  send(data: Uint8Array): boolean;
  /** Bytes queued by `send` and not yet handed to the host. */
  readonly pendingBytes: number;
  /** Sends a FIN after what is queued: the half close. */
  finish(): void;
  /** Stops and restarts `received` (backpressure: the host's window fills while paused). */
  pause(): void;
  resume(): void;
  /**
   * Closes the connection as a host's close does: what is queued still goes, then the FIN; the
   * device may destroy it if the peer takes nothing for a while. No client calls follow.
   */
  close(): void;
}

export interface ListenerClient {
  /** The listener is bound at `port`. */
  listening(port: number): void;
  /** A connection arrived; returns the client for its events. */
  accepted(connection: StreamConnection): StreamClient;
  /** Binding failed, or the listener failed later; no calls follow. */
  failed(failure: NetworkFailure): void;
}

export interface StreamListener {
  close(): void;
}

export interface DatagramClient {
  bound(port: number): void;
  received(data: Uint8Array, address: string, port: number): void;
  failed(failure: NetworkFailure): void;
}

export interface DatagramPort {
  /** Sends one datagram (queued by the host until the socket is bound). */
  sendTo(data: Uint8Array, address: string, port: number): void;
  close(): void;
}

export interface NetworkDevice {
  /** Listens for TCP connections at `address`:`port` (0: a port the host picks). */
  listen(address: string, port: number, client: ListenerClient): StreamListener;
  /** Opens a TCP connection; the client hears `connected` or `closed` with the failure. */
  connect(address: string, port: number, client: StreamClient): StreamConnection;
  /** Binds a UDP socket at `address`:`port` (0: a port the host picks). */
  bindDatagram(address: string, port: number, client: DatagramClient): DatagramPort;
}
