// The socket model without a host: fake host objects drive the kernel's sockets to check what
// docs/files-and-sockets.md says of their events and bounds, and the doc's limits table itself.
import { expect } from "chai";
import { ProcessEvents } from "../../kernel/events/index.js";
import { DatagramSocket, ListenerSocket, NetworkRules, StreamSocket, networkLimits } from "../../kernel/network/index.js";
import { EventKind, manifestProblems } from "../../runtime/abi/index.js";
import { parseSystemPolicy, PolicyError } from "../../kernel/policy/index.js";
import type { StreamConnection } from "../../hal/hil/index.js";
import { readProjectFile } from "../helpers/kernel.js";

class FakeConnection implements StreamConnection {
  pendingBytes = 0;
  closed = false;
  paused = false;
  readonly sent: Uint8Array[] = [];
  send(data: Uint8Array): boolean {
    this.sent.push(data);
    this.pendingBytes += data.byteLength;
    return true;
  }
  finish(): void {}
  pause(): void { this.paused = true; }
  resume(): void { this.paused = false; }
  close(): void { this.closed = true; }
}

function openStream(): { socket: StreamSocket; connection: FakeConnection; events: ProcessEvents } {
  const socket = new StreamSocket("open");
  const connection = new FakeConnection();
  socket.connection = connection;
  const events = new ProcessEvents(8);
  socket.watchWith(events, 1);
  return { socket, connection, events };
}

describe("kernel/sockets: the model", () => {
  it("gives readable first when a socket is both readable and writable, and writable once that is taken", () => {
    const { socket, connection, events } = openStream();
    connection.pendingBytes = networkLimits.MAX_SOCKET_SEND_BYTES;
    expect(socket.send(new Uint8Array(10)), "nothing fits").to.equal(undefined);
    socket.received(new Uint8Array([1, 2, 3]));
    connection.pendingBytes = 0;
    socket.drained();
    expect(events.queued, "one event per socket").to.equal(1);
    expect(events.take()).to.include({ kind: EventKind.readable });
    expect(events.take()).to.include({ kind: EventKind.writable });
    expect(events.take()).to.equal(undefined);
    socket.close();
  });

  it("does not give a taken readable event again until something changes; a receive that leaves data behind is a change", () => {
    const { socket, events } = openStream();
    socket.received(new Uint8Array(10));
    expect(events.take()).to.include({ kind: EventKind.readable });
    socket.drained();
    expect(events.queued, "nothing new").to.equal(0);
    expect(socket.receive(new Uint8Array(4))).to.equal(4);
    expect(events.take(), "six bytes left behind").to.include({ kind: EventKind.readable });
    socket.close();
  });

  it("pauses the host connection at the receive bound and resumes it once the process receives", () => {
    const { socket, connection } = openStream();
    socket.received(new Uint8Array(networkLimits.MAX_SOCKET_RECEIVE_BYTES));
    expect(connection.paused).to.equal(true);
    socket.receive(new Uint8Array(1));
    expect(connection.paused).to.equal(false);
    socket.close();
    expect(connection.closed, "closing the socket closes the host connection").to.equal(true);
  });

  it("sends short near the send bound, then answers wouldBlock", () => {
    const { socket, connection } = openStream();
    connection.pendingBytes = networkLimits.MAX_SOCKET_SEND_BYTES - 5;
    expect(socket.send(new Uint8Array(8))).to.equal(5);
    expect(socket.send(new Uint8Array(8))).to.equal(undefined);
    socket.close();
  });

  it(`closes connections past ${networkLimits.MAX_PENDING_ACCEPTS} waiting at a listener as they arrive, and the waiting ones when it closes`, () => {
    const listener = new ListenerSocket();
    const connections = Array.from({ length: networkLimits.MAX_PENDING_ACCEPTS + 1 }, () => new FakeConnection());
    for (const connection of connections) listener.accepted(connection);
    expect(listener.pending.length).to.equal(networkLimits.MAX_PENDING_ACCEPTS);
    expect(listener.refusedConnections).to.equal(1);
    expect(connections.at(-1)!.closed).to.equal(true);
    expect(connections[0]!.closed).to.equal(false);
    listener.close();
    expect(connections.every((connection) => connection.closed)).to.equal(true);
  });

  it("drops datagrams arriving past the queue bound", () => {
    const socket = new DatagramSocket();
    const size = 60_000;
    const fits = Math.floor(networkLimits.MAX_DATAGRAM_QUEUE_BYTES / size);
    for (let index = 0; index <= fits; index++) socket.received(new Uint8Array(size), "127.0.0.1", 9);
    expect(socket.dropped).to.equal(1);
    socket.close();
  });

  it("allows port 0 only where a rule allows every port from 1024 to 65535, and needs both the manifest and the policy", () => {
    const wide = new NetworkRules({ listen: ["127.0.0.1:1024-65535"] }, undefined);
    expect(wide.allows("listen", "127.0.0.1", 0)).to.equal(true);
    expect(new NetworkRules({ listen: ["127.0.0.1:2000-65535"] }, undefined).allows("listen", "127.0.0.1", 0)).to.equal(false);
    const policyNarrows = new NetworkRules({ connect: ["*:*"] }, { connect: ["10.0.0.1:443"] });
    expect(policyNarrows.allows("connect", "10.0.0.1", 443)).to.equal(true);
    expect(policyNarrows.allows("connect", "10.0.0.1", 80)).to.equal(false);
    expect(policyNarrows.allows("connect", "127.0.0.1", 80), "the policy allows only what it names").to.equal(false);
    const silent = new NetworkRules(undefined, undefined);
    expect(silent.allows("connect", "::1", 80)).to.equal(true);
    expect(silent.allows("connect", "192.0.2.1", 80)).to.equal(false);
  });

  it("refuses a policy whose network field is malformed", () => {
    const policy = { version: 1, defaultPrincipal: "user", principals: { user: { capabilities: [], network: { listen: ["nowhere:80"] } } } };
    expect(() => parseSystemPolicy(policy)).to.throw(PolicyError, /principal 'user' has 'network' that 'listen': 'nowhere:80'/);
  });

  it("docs/files-and-sockets.md: its manifest example is valid and its limits table states the kernel's limits", () => {
    const doc = readProjectFile("docs/files-and-sockets.md");
    const example = /```json\n([\s\S]*?)```/.exec(doc);
    expect(manifestProblems(JSON.parse(example![1]!))).to.deep.equal([]);
    const limits = [...doc.matchAll(/^\| `(MAX_[A-Z_]+)` \| (\d+) \|/gm)].map((match) => [match[1], Number(match[2])]);
    expect(limits.length).to.equal(6);
    for (const [name, value] of limits) expect(value, String(name)).to.equal((networkLimits as Record<string, number>)[name as string]);
  });
});
