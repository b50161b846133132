// The Node network device: TCP through node:net and UDP through node:dgram. Every host object it
// makes is tracked until it closes, so `openObjects` shows a leak and `shutdown` ends them all.
import { datagramSockets } from "./on-demand-modules.js";
import type { Socket as UdpSocket } from "node:dgram";
import { Server, Socket, isIPv6 } from "node:net";
import { LINGER_MILLISECONDS } from "./params.js";
import type {
  DatagramClient, DatagramPort, ListenerClient, NetworkDevice, NetworkFailure, StreamClient, StreamConnection, StreamListener,
} from "../hil/index.js";

/** A host object the device tracks: `destroy` ends it now, at shutdown. */
interface HostObject {
  destroy(): void;
}

function failureOf(error: Error & { code?: string }): NetworkFailure {
  return { code: error.code ?? "EIO", message: error.message };
}

class NodeStreamConnection implements StreamConnection, HostObject {
  private client: StreamClient | undefined;
  private failure: NetworkFailure | undefined;
  /** Set by `close`: the kernel asked for the end, and hears nothing more. */
  private silenced = false;

  constructor(private readonly socket: Socket, private readonly opened: Set<HostObject>) {
    opened.add(this);
  }

  attach(client: StreamClient): void {
    this.client = client;
    const socket = this.socket;
    socket.on("connect", () => { if (!this.silenced) client.connected(); });
    socket.on("data", (data: Buffer) => { if (!this.silenced) client.received(new Uint8Array(data.buffer, data.byteOffset, data.byteLength)); });
    socket.on("end", () => { if (!this.silenced) client.ended(); });
    socket.on("drain", () => { if (!this.silenced) client.drained(); });
    socket.on("error", (error) => { this.failure ??= failureOf(error); });
    socket.on("close", () => {
      this.opened.delete(this);
      if (!this.silenced) {
        this.silenced = true;
        client.closed(this.failure);
      }
    });
  }

  get pendingBytes(): number {
    return this.socket.writableLength;
  }

  send(data: Uint8Array): boolean {
    if (this.socket.destroyed || !this.socket.writable) return true;
    return this.socket.write(data);
  }

  finish(): void {
    if (!this.socket.destroyed) this.socket.end();
  }

  pause(): void {
    this.socket.pause();
  }

  resume(): void {
    this.socket.resume();
  }

  close(): void {
    this.silenced = true;
    const socket = this.socket;
    if (socket.destroyed) {
      this.opened.delete(this);
      return;
    }
    // As a host's close: what was sent still goes, then the FIN. A peer that takes nothing for
    // LINGER_MILLISECONDS has the connection destroyed, so a closed socket cannot linger forever.
    socket.setTimeout(LINGER_MILLISECONDS, () => socket.destroy());
    socket.resume();
    socket.destroySoon();
  }

  destroy(): void {
    this.silenced = true;
    this.opened.delete(this);
    this.socket.destroy();
  }
}

class NodeStreamListener implements StreamListener, HostObject {
  constructor(private readonly server: Server, private readonly opened: Set<HostObject>) {
    opened.add(this);
  }

  close(): void {
    this.opened.delete(this);
    this.server.removeAllListeners("connection");
    // A listener that failed to bind is not running: closing it again only reports that.
    this.server.close(() => {});
  }

  destroy(): void {
    this.close();
  }
}

class NodeDatagramSocket implements DatagramPort, HostObject {
  private closed = false;

  constructor(private readonly socket: UdpSocket, private readonly opened: Set<HostObject>) {
    opened.add(this);
  }

  sendTo(data: Uint8Array, address: string, port: number): void {
    if (this.closed) return;
    try {
      // UDP is best effort: a datagram the host cannot send is lost, as on the wire.
      this.socket.send(data, port, address, () => {});
    } catch {
      // The socket failed to bind and is not running.
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.opened.delete(this);
    try {
      this.socket.close();
    } catch {
      // Never bound: nothing to close.
    }
  }

  destroy(): void {
    this.close();
  }
}

export class NodeNetwork implements NetworkDevice {
  private readonly opened = new Set<HostObject>();

  /** Host listeners, connections and UDP sockets not yet closed. */
  get openObjects(): number {
    return this.opened.size;
  }

  listen(address: string, port: number, client: ListenerClient): StreamListener {
    // Half-open: a peer's FIN leaves our side open, so a server can still answer a half-closed client.
    // No delay: a connection's small sends go out as the app makes them (Nagle's algorithm off), the
    // choice of a request/response server, and the one the plain node:net server it is measured
    // beside makes (bench/echod.ts).
    const server = new Server({ allowHalfOpen: true, noDelay: true });
    const listener = new NodeStreamListener(server, this.opened);
    let bound = false;
    server.on("listening", () => {
      bound = true;
      const where = server.address();
      client.listening(typeof where === "object" && where ? where.port : port);
    });
    server.on("error", (error) => {
      listener.close();
      if (!bound) client.failed(failureOf(error));
    });
    server.on("connection", (socket: Socket) => {
      const connection = new NodeStreamConnection(socket, this.opened);
      connection.attach(client.accepted(connection));
    });
    server.listen({ port, host: address, exclusive: true });
    return listener;
  }

  connect(address: string, port: number, client: StreamClient): StreamConnection {
    const socket = new Socket({ allowHalfOpen: true });
    const connection = new NodeStreamConnection(socket, this.opened);
    connection.attach(client);
    socket.connect({ port, host: address, noDelay: true });
    return connection;
  }

  bindDatagram(address: string, port: number, client: DatagramClient): DatagramPort {
    const socket = datagramSockets().createSocket(isIPv6(address) ? "udp6" : "udp4");
    const datagrams = new NodeDatagramSocket(socket, this.opened);
    let bound = false;
    socket.on("listening", () => {
      bound = true;
      client.bound(socket.address().port);
    });
    socket.on("message", (data, remote) => client.received(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), remote.address, remote.port));
    socket.on("error", (error) => {
      datagrams.close();
      if (!bound) client.failed(failureOf(error));
    });
    socket.bind(port, address);
    return datagrams;
  }

  /** Ends every host object still open. */
  closeAll(): void {
    for (const object of [...this.opened]) object.destroy();
  }
}
