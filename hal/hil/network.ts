// A network device: stream connections whose events are delivered to a client.

export interface NetworkClient {
  connected(connection: NetworkConnection): void;
  received(connection: NetworkConnection, data: Uint8Array): void;
  closed(connection: NetworkConnection, error?: Error): void;
}

export interface NetworkConnection {
  send(data: Uint8Array): void;
  close(): void;
}

export interface NetworkDevice {
  /** Opens a stream connection; the client hears `connected` or `closed` with the error. */
  connect(host: string, port: number, client: NetworkClient): NetworkConnection;
}
