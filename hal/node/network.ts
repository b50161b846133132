// The Node network device: TCP stream connections through node:net.
import { Socket } from "node:net";
import type { NetworkClient, NetworkConnection, NetworkDevice } from "../hil/index.js";

class TcpConnection implements NetworkConnection {
  constructor(private readonly socket: Socket) {}
  send(data: Uint8Array): void { this.socket.write(data); }
  close(): void { this.socket.end(); }
}

export class NodeNetwork implements NetworkDevice {
  connect(host: string, port: number, client: NetworkClient): NetworkConnection {
    const socket = new Socket();
    const connection = new TcpConnection(socket);
    let failure: Error | undefined;
    socket.on("connect", () => client.connected(connection));
    socket.on("data", (data: Buffer) => client.received(connection, new Uint8Array(data)));
    socket.on("error", (error) => { failure = error; });
    socket.on("close", () => client.closed(connection, failure));
    socket.connect(port, host);
    return connection;
  }
}
