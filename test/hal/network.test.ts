// Conformance of the Node network device and random source: loopback TCP and UDP through the HAL's
// client interfaces, failures reported by host error name, and nothing left open.
import { expect } from "chai";
import { NodeNetwork, NodeRandom } from "../../hal/node/index.js";
import { SeededRandom } from "../../hal/sim/index.js";
import type { NetworkFailure, StreamClient, StreamConnection } from "../../hal/hil/index.js";

interface Recorded extends StreamClient {
  readonly log: string[];
  readonly bytes: number[];
  settled: Promise<NetworkFailure | undefined>;
}

function recordingClient(): Recorded {
  let resolve!: (failure: NetworkFailure | undefined) => void;
  const settled = new Promise<NetworkFailure | undefined>((done) => { resolve = done; });
  const log: string[] = [];
  const bytes: number[] = [];
  return {
    log, bytes, settled,
    connected: () => log.push("connected"),
    received: (data) => bytes.push(...data),
    ended: () => log.push("ended"),
    drained: () => {},
    closed: (failure) => { log.push(failure ? `closed ${failure.code}` : "closed"); resolve(failure); },
  };
}

function listening(network: NodeNetwork, onAccept: (connection: StreamConnection) => StreamClient): Promise<{ port: number; close(): void }> {
  return new Promise((resolve, reject) => {
    const listener = network.listen("127.0.0.1", 0, {
      listening: (port) => resolve({ port, close: () => listener.close() }),
      accepted: onAccept,
      failed: (failure) => reject(new Error(failure.code)),
    });
  });
}

describe("hal network (node)", () => {
  it("carries bytes both ways and half-closes: the server sees the end and can still answer", async () => {
    const network = new NodeNetwork();
    const serverSide = recordingClient();
    let accepted: StreamConnection | undefined;
    const server = await listening(network, (connection) => {
      accepted = connection;
      serverSide.ended = () => { serverSide.log.push("ended"); connection.send(Uint8Array.from(serverSide.bytes)); connection.finish(); };
      return serverSide;
    });
    const client = recordingClient();
    const connection = network.connect("127.0.0.1", server.port, client);
    client.connected = () => { client.log.push("connected"); connection.send(new Uint8Array([1, 2, 3])); connection.finish(); };
    expect(await client.settled).to.equal(undefined);
    expect(client.bytes).to.deep.equal([1, 2, 3]);
    expect(client.log).to.deep.equal(["connected", "ended", "closed"]);
    expect(accepted).to.not.equal(undefined);
    server.close();
    expect(network.openObjects).to.equal(0);
  });

  it("reports a refused connection and a port in use by their host error names", async () => {
    const network = new NodeNetwork();
    const server = await listening(network, () => recordingClient());
    const failure = await new Promise<NetworkFailure>((resolve, reject) => network.listen("127.0.0.1", server.port, {
      listening: () => reject(new Error("bound twice")), accepted: () => recordingClient(), failed: resolve,
    }));
    expect(failure.code).to.equal("EADDRINUSE");
    server.close();
    const client = recordingClient();
    network.connect("127.0.0.1", server.port, client);
    expect((await client.settled)?.code).to.equal("ECONNREFUSED");
    expect(network.openObjects).to.equal(0);
  });

  it("sends a UDP datagram over loopback and reports the source", async () => {
    const network = new NodeNetwork();
    const received = new Promise<[number[], string]>((resolve) => {
      const socket = network.bindDatagram("127.0.0.1", 0, {
        bound: (port) => {
          const sender = network.bindDatagram("127.0.0.1", 0, { bound: () => sender.sendTo(new Uint8Array([7, 8]), "127.0.0.1", port), received: () => {}, failed: () => {} });
          socket.close = ((close) => () => { close(); sender.close(); })(socket.close.bind(socket));
        },
        received: (data, address) => { resolve([[...data], address]); socket.close(); },
        failed: () => {},
      });
    });
    expect(await received).to.deep.equal([[7, 8], "127.0.0.1"]);
    expect(network.openObjects).to.equal(0);
  });

  it("fills bytes from the host's generator, and the seeded source repeats its sequence", () => {
    const bytes = new Uint8Array(64);
    new NodeRandom().fill(bytes);
    expect(bytes.some((byte) => byte !== 0)).to.equal(true);
    const first = new Uint8Array(16);
    const second = new Uint8Array(16);
    new SeededRandom(7).fill(first);
    new SeededRandom(7).fill(second);
    expect([...first]).to.deep.equal([...second]);
  });
});
