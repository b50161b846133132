// Sockets through the syscall table: a TCP listener and its connections against real Node
// clients over loopback, readiness as events, the half close, bounded buffers with backpressure,
// UDP round trips with their source header, and sockets closed with their owner.
import { expect } from "chai";
import { EventKind, DATAGRAM_HEADER_BYTES } from "../../runtime/abi/index.js";
import { networkLimits, openSockets } from "../../kernel/network/index.js";
import { blockOf } from "../../kernel/exchange/index.js";
import { Rights } from "../../kernel/index.js";
import { eventually } from "../helpers/event-kernel.js";
import { boundListener, callingProcess, nodeClient, closeSocketKernels, expectSocketsBackTo, hostSockets, socketKernel } from "../helpers/socket-kernel.js";

const WOULD_BLOCK = -11;

function bytesOf(caller: ReturnType<typeof callingProcess>, block: number, length: number, offset = 0): Buffer {
  return Buffer.from(blockOf(caller.process.capabilities, block, Rights.read).bytes.subarray(offset, offset + length));
}

describe("kernel/sockets", function () {
  this.timeout(30_000);
  afterEach(closeSocketKernels);

  it("accepts a Node client, receives into a block and sends it back from the block; readable events say when", async () => {
    const kernel = socketKernel();
    const [kernelBefore, hostBefore] = [openSockets(), hostSockets(kernel)];
    const caller = callingProcess(kernel);
    const [listener, port] = await boundListener(caller);
    expect(caller.call("sockets.watch", listener, 7)).to.equal(0);
    // The listener's bind was the writable event; taken, it is not given again.
    expect(caller.process.events.take()).to.include({ kind: EventKind.writable, tag: 7 });
    expect(caller.call("sockets.accept", listener)).to.equal(WOULD_BLOCK);
    const peer = await nodeClient(port);
    await eventually(() => caller.process.events.queued > 0, "a connection event");
    expect(caller.process.events.take()).to.include({ kind: EventKind.readable, tag: 7 });
    const connection = caller.call("sockets.accept", listener);
    expect(connection).to.be.above(0);
    expect(caller.call("sockets.watch", connection, 8)).to.equal(0);
    peer.write("ping");
    await eventually(() => caller.process.events.queued > 0, "data");
    expect(caller.process.events.take()).to.include({ kind: EventKind.readable, tag: 8 });
    const block = caller.block(64);
    expect(caller.call("sockets.receive", connection, block, 0, 64)).to.equal(4);
    expect(bytesOf(caller, block, 4).toString()).to.equal("ping");
    expect(caller.call("sockets.receive", connection, block, 0, 64)).to.equal(WOULD_BLOCK);
    const answer = new Promise<string>((resolve) => peer.once("data", (data) => resolve(data.toString())));
    expect(caller.call("sockets.send-block", connection, block, 0, 4)).to.equal(4);
    expect(await answer).to.equal("ping");
    expect(caller.call("sockets.send", connection, new Uint8Array([33]))).to.equal(1);
    peer.destroy();
    caller.end();
    await expectSocketsBackTo(kernel, kernelBefore, hostBefore);
  });

  it("half-closes both ways: the peer's end reads as 0 after its data, and shutdown gives the peer its end while receiving goes on", async () => {
    const kernel = socketKernel();
    const caller = callingProcess(kernel);
    const [listener, port] = await boundListener(caller);
    const peer = await nodeClient(port);
    const connection = await caller.callWaiting("sockets.accept", listener);
    expect(connection).to.be.above(0);
    const peerEnded = new Promise<void>((resolve) => peer.once("end", () => resolve()));
    expect(caller.call("sockets.shutdown", connection)).to.equal(0);
    await peerEnded;
    expect(caller.call("sockets.send", connection, new Uint8Array([1])), "a send after shutdown").to.equal(-107);
    peer.end("last words");
    const block = caller.block(64);
    expect(await caller.callWaiting("sockets.receive", connection, block, 0, 4)).to.equal(4);
    expect(await caller.callWaiting("sockets.receive", connection, block, 4, 60)).to.equal(6);
    expect(bytesOf(caller, block, 10).toString()).to.equal("last words");
    await eventually(() => caller.call("sockets.receive", connection, block, 0, 64) === 0, "the peer's end");
    expect(caller.call("sockets.receive", connection, block, 0, 64), "the end reads as 0 again").to.equal(0);
    caller.end();
  });

  it("a user domain's listen, connect and accept wait instead of answering wouldBlock", async () => {
    const kernel = socketKernel();
    const caller = callingProcess(kernel, { domain: "user" });
    expect(caller.call("sockets.listen", "127.0.0.1", 0), "the first answer parks").to.equal(WOULD_BLOCK);
    const listener = await caller.callWaiting("sockets.listen", "127.0.0.1", 0);
    expect(listener).to.be.above(0);
    const port = caller.call("sockets.local-port", listener);
    expect(port).to.be.above(0);
    const accepting = caller.callWaiting("sockets.accept", listener);
    const connection = await caller.callWaiting("sockets.connect", "127.0.0.1", port);
    expect(connection).to.be.above(0);
    expect(await accepting).to.be.above(0);
    expect(caller.call("sockets.send", connection, new Uint8Array([1, 2, 3]))).to.equal(3);
    caller.end();
  });

  it("bounds the receive buffer: a flooding peer is paused at the limit, and everything it sent still arrives in order", async () => {
    const kernel = socketKernel();
    const caller = callingProcess(kernel);
    const [listener, port] = await boundListener(caller);
    const peer = await nodeClient(port);
    const connection = await caller.callWaiting("sockets.accept", listener);
    const flood = Buffer.alloc(1024 * 1024);
    for (let index = 0; index < flood.length; index++) flood[index] = index % 251;
    peer.end(flood);
    const socket = caller.process.capabilities.lookup(connection).object.target as { buffered: number };
    // Nobody reads: the buffer fills to its bound and stays there (one host read past it at most).
    await eventually(() => socket.buffered >= networkLimits.MAX_SOCKET_RECEIVE_BYTES, "the receive buffer to fill");
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(socket.buffered).to.be.at.most(networkLimits.MAX_SOCKET_RECEIVE_BYTES + 64 * 1024);
    const block = caller.block(128 * 1024);
    const received: Buffer[] = [];
    let total = 0;
    for (;;) {
      const count = await caller.callWaiting("sockets.receive", connection, block, 0, 128 * 1024);
      if (count === 0) break;
      expect(count).to.be.above(0);
      received.push(bytesOf(caller, block, count));
      total += count;
    }
    expect(total).to.equal(flood.length);
    expect(Buffer.concat(received).equals(flood)).to.equal(true);
    caller.end();
  });

  it("bounds the send side: to a peer that never reads, sends go short, then answer wouldBlock; a writable event follows once it reads", async () => {
    const kernel = socketKernel();
    const caller = callingProcess(kernel);
    const [listener, port] = await boundListener(caller);
    const peer = await nodeClient(port);
    peer.pause();
    const connection = await caller.callWaiting("sockets.accept", listener);
    expect(caller.call("sockets.watch", connection, 3)).to.equal(0);
    const chunk = new Uint8Array(60 * 1024);
    let short = 0;
    let refused = false;
    let sent = 0;
    // The host takes what it can into the kernel's socket buffers first; the bound holds after that.
    for (let attempt = 0; attempt < 2000 && !refused; attempt++) {
      const result = caller.call("sockets.send", connection, chunk);
      if (result === WOULD_BLOCK) refused = true;
      else {
        expect(result).to.be.above(0);
        if (result < chunk.length) short++;
        sent += result;
      }
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(refused, "a send answered wouldBlock").to.equal(true);
    expect(short, "a send was short before").to.be.above(0);
    while (caller.process.events.queued > 0) caller.process.events.take();
    let read = 0;
    peer.on("data", (data: Buffer) => { read += data.length; });
    peer.resume();
    await eventually(() => caller.process.events.queued > 0, "the writable event");
    expect(caller.process.events.take()).to.include({ kind: EventKind.writable, tag: 3 });
    expect(caller.call("sockets.send", connection, chunk)).to.be.above(0);
    await eventually(() => read >= sent, "the peer to read everything sent");
    caller.end();
  });

  it("gives a closed event when the peer resets the connection, after which receive answers connectionReset", async () => {
    const kernel = socketKernel();
    const caller = callingProcess(kernel);
    const [listener, port] = await boundListener(caller);
    const peer = await nodeClient(port);
    const connection = await caller.callWaiting("sockets.accept", listener);
    expect(caller.call("sockets.watch", connection, 4)).to.equal(0);
    peer.resetAndDestroy();
    await eventually(() => caller.process.events.queued > 0, "the closed event");
    expect(caller.process.events.take()).to.include({ kind: EventKind.closed, tag: 4 });
    expect(caller.process.events.sources, "the closed event ends the watch").to.equal(0);
    const block = caller.block(16);
    expect(caller.call("sockets.receive", connection, block, 0, 16)).to.equal(-104);
    expect(caller.call("sockets.send", connection, new Uint8Array([1]))).to.equal(-104);
    caller.end();
  });

  it("sends a UDP datagram and receives it behind a header naming its source", async () => {
    const kernel = socketKernel();
    const caller = callingProcess(kernel, { domain: "user" });
    const receiver = await caller.callWaiting("sockets.bind-datagram", "127.0.0.1", 0);
    const sender = await caller.callWaiting("sockets.bind-datagram", "127.0.0.1", 0);
    const receiverPort = caller.call("sockets.local-port", receiver);
    const senderPort = caller.call("sockets.local-port", sender);
    expect(caller.call("sockets.send-to", sender, "127.0.0.1", receiverPort, new Uint8Array([104, 105]))).to.equal(2);
    const block = caller.block(64);
    expect(await caller.callWaiting("sockets.receive-from", receiver, block, 0, 64)).to.equal(2);
    const header = bytesOf(caller, block, DATAGRAM_HEADER_BYTES);
    expect(header[0], "family").to.equal(4);
    expect(header.readUInt16LE(2), "source port").to.equal(senderPort);
    expect([...header.subarray(4, 8)], "source address").to.deep.equal([127, 0, 0, 1]);
    expect(bytesOf(caller, block, 2, DATAGRAM_HEADER_BYTES).toString()).to.equal("hi");
    // Replying to the source the header names.
    expect(caller.call("sockets.send-to", receiver, "127.0.0.1", header.readUInt16LE(2), new Uint8Array([1]))).to.equal(1);
    expect(await caller.callWaiting("sockets.receive-from", sender, block, 0, 64)).to.equal(1);
    caller.end();
  });

  it("closes every socket and host socket when the owner ends, and on the last handle's drop", async () => {
    const kernel = socketKernel();
    const [kernelBefore, hostBefore] = [openSockets(), hostSockets(kernel)];
    const caller = callingProcess(kernel);
    const [listener, port] = await boundListener(caller);
    const peers = await Promise.all([nodeClient(port), nodeClient(port), nodeClient(port)]);
    const closedPeers = Promise.all(peers.map((peer) => new Promise((resolve) => peer.once("close", resolve))));
    for (const peer of peers) peer.on("end", () => peer.end());
    const first = await caller.callWaiting("sockets.accept", listener);
    await caller.callWaiting("sockets.accept", listener);
    expect(caller.call("sockets.close", first)).to.equal(0);
    expect(caller.call("sockets.close", first), "a closed socket's handle is stale").to.equal(-9);
    await caller.callWaiting("sockets.bind-datagram", "127.0.0.1", 0);
    // The listener, the second connection, the third (still waiting to be accepted) and the UDP socket.
    await eventually(() => openSockets() - kernelBefore === 4, "four sockets open");
    caller.end();
    await closedPeers;
    await expectSocketsBackTo(kernel, kernelBefore, hostBefore);
  });

  it("fills a block with random bytes with the random capability", () => {
    const kernel = socketKernel();
    const caller = callingProcess(kernel);
    const block = caller.block(64);
    expect(caller.call("random.fill", block, 8, 48)).to.equal(48);
    const bytes = bytesOf(caller, block, 64);
    expect([...bytes.subarray(0, 8)], "outside the range stays zero").to.deep.equal(new Array(8).fill(0));
    expect(bytes.subarray(8, 56).some((byte) => byte !== 0)).to.equal(true);
    caller.end();
  });
});
