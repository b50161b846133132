// Hostile socket use beside a live echod in the kernel domain: a connect storm past a listener's
// pending bound, datagrams at the size limit and a flood past the queue bound, malformed and
// overlong addresses, socket and block handles that are not the caller's, and a user-domain
// process killed while parked in accept. Each gets its code, the echod keeps echoing, and every
// kernel and host socket comes back.
import { expect } from "chai";
import { createSocket } from "node:dgram";
import type { Socket } from "node:net";
import { openSockets, networkLimits } from "../../kernel/network/index.js";
import { ErrorCode } from "../../runtime/abi/index.js";
import { eventually } from "../helpers/event-kernel.js";
import { assembleWat, conformantModule } from "../helpers/wat.js";
import { withStrings } from "../helpers/file-probe.js";
import {
  boundListener, callingProcess, closeSocketKernels, echoed, expectSocketsBackTo, hostSockets, nodeClient, socketKernel, spawnEchod,
} from "../helpers/socket-kernel.js";
import type { Kernel } from "../../kernel/index.js";

/** The echod beside every attack answers a client whole. */
async function expectEchoing(port: number): Promise<void> {
  expect((await echoed(port, "still here")).toString()).to.equal("still here");
}

async function echodBeside(kernel: Kernel): Promise<{ port: number; stop: () => Promise<void> }> {
  const echod = spawnEchod(kernel, "kernel");
  const port = await echod.port;
  return {
    port,
    stop: async () => {
      kernel.kill(echod.process, "the test is done with it");
      await echod.done;
    },
  };
}

describe("hostile/sockets: storms, floods and strangers' handles beside a live echod", function () {
  this.timeout(30_000);
  afterEach(closeSocketKernels);

  it(`closes connections past ${networkLimits.MAX_PENDING_ACCEPTS} waiting at a listener that never accepts, and echod beside it serves on`, async () => {
    const kernel = socketKernel();
    const [kernelBefore, hostBefore] = [openSockets(), hostSockets(kernel)];
    const echod = await echodBeside(kernel);
    const caller = callingProcess(kernel);
    const [listener, port] = await boundListener(caller);
    const storm = networkLimits.MAX_PENDING_ACCEPTS + 36;
    const clients: Socket[] = await Promise.all(Array.from({ length: storm }, () => nodeClient(port)));
    // The kernel ends each one it closes: the client hears a reset, or the end of what it reads.
    let closed = 0;
    const closedByKernel = clients.map((client) => new Promise<void>((resolve) => {
      client.on("error", () => undefined);
      // A half-open client hears an end and stays open itself: either counts, once.
      let counted = false;
      const count = () => { if (!counted) { counted = true; closed++; resolve(); } };
      client.once("end", count);
      client.once("close", count);
      client.resume();
    }));
    const pending = () => (caller.process.capabilities.lookup(listener).object.target as { pending: unknown[] }).pending.length;
    await eventually(() => pending() === networkLimits.MAX_PENDING_ACCEPTS, "the listener's queue full");
    await eventually(() => closed === storm - networkLimits.MAX_PENDING_ACCEPTS, "the connections past the bound closed");
    // The ones past the bound are closed as they arrive; the queued ones when the listener goes.
    await expectEchoing(echod.port);
    expect(pending()).to.equal(networkLimits.MAX_PENDING_ACCEPTS);
    caller.end();
    await Promise.all(closedByKernel);
    await expectEchoing(echod.port);
    await echod.stop();
    await expectSocketsBackTo(kernel, kernelBefore, hostBefore);
  });

  it(`takes a datagram of exactly ${networkLimits.MAX_DATAGRAM_BYTES} bytes, and holds at most ${networkLimits.MAX_DATAGRAM_QUEUE_BYTES} bytes of a flood unread`, async () => {
    const kernel = socketKernel();
    const [kernelBefore, hostBefore] = [openSockets(), hostSockets(kernel)];
    const echod = await echodBeside(kernel);
    const caller = callingProcess(kernel, { domain: "user" });
    const socket = await caller.callWaiting("sockets.bind-datagram", "127.0.0.1", 0);
    const port = caller.call("sockets.local-port", socket);
    expect(caller.call("sockets.send-to", socket, "127.0.0.1", port, new Uint8Array(networkLimits.MAX_DATAGRAM_BYTES))).to.equal(networkLimits.MAX_DATAGRAM_BYTES);
    const block = caller.block(networkLimits.MAX_DATAGRAM_BYTES + 64);
    const received = await caller.callWaiting("sockets.receive-from", socket, block, 0, networkLimits.MAX_DATAGRAM_BYTES + 64);
    expect(received, "the whole datagram").to.equal(networkLimits.MAX_DATAGRAM_BYTES);
    const flooder = createSocket("udp4");
    const datagram = Buffer.alloc(60_000);
    const flood = 20;
    const target = caller.process.capabilities.lookup(socket).object.target as { queuedBytes: number; dropped: number; queue: unknown[] };
    // One at a time, each waited for until the kernel queued or dropped it: the host's own receive
    // buffer would drop a burst before the kernel saw it.
    for (let index = 1; index <= flood; index++) {
      flooder.send(datagram, port, "127.0.0.1");
      await eventually(() => target.queue.length + target.dropped === index, `datagram ${index} to land`);
    }
    flooder.close();
    expect(target.queuedBytes).to.be.at.most(networkLimits.MAX_DATAGRAM_QUEUE_BYTES);
    expect(target.queue.length).to.equal(Math.floor(networkLimits.MAX_DATAGRAM_QUEUE_BYTES / datagram.byteLength));
    let taken = 0;
    while (caller.call("sockets.receive-from", socket, block, 0, 60_064) === datagram.byteLength) taken++;
    expect(taken).to.equal(flood - target.dropped);
    await expectEchoing(echod.port);
    caller.end();
    await echod.stop();
    await expectSocketsBackTo(kernel, kernelBefore, hostBefore);
  });

  const ADDRESSES: readonly { address: string; code: number; why: string }[] = [
    { address: "", code: ErrorCode.invalidArgument, why: "an empty address" },
    { address: "127.0.0.1\u0000", code: ErrorCode.invalidArgument, why: "an address with a NUL" },
    { address: "127.1", code: ErrorCode.invalidArgument, why: "a short form no rule can match" },
    { address: "0177.0.0.1", code: ErrorCode.invalidArgument, why: "an octal form" },
    { address: " 127.0.0.1", code: ErrorCode.invalidArgument, why: "an address with a space" },
    { address: "1".repeat(1 << 16), code: ErrorCode.invalidArgument, why: "an address of 64 Ki digits" },
    { address: "::ffff:127.0.0.1", code: ErrorCode.addressNotAvailable, why: "loopback mapped into IPv6, which the loopback rules do not name" },
    { address: "0.0.0.0", code: ErrorCode.addressNotAvailable, why: "every address" },
  ];
  for (const { address, code, why } of ADDRESSES) {
    it(`refuses ${why} with ${code} for listen, connect and send-to`, async () => {
      const caller = callingProcess(socketKernel(), { domain: "user" });
      const datagram = await caller.callWaiting("sockets.bind-datagram", "127.0.0.1", 0);
      expect(caller.call("sockets.listen", address, 0)).to.equal(-code);
      expect(caller.call("sockets.connect", address, 7)).to.equal(-code);
      expect(caller.call("sockets.send-to", datagram, address, 7, new Uint8Array(1))).to.equal(-code);
      expect(caller.process.capabilities.size, "no socket made").to.equal(3);
      caller.end();
    });
  }

  it("refuses socket and block handles of another process, and of its own after close, with badHandle", async () => {
    const kernel = socketKernel();
    const owner = callingProcess(kernel);
    const stranger = callingProcess(kernel);
    const [listener] = await boundListener(owner);
    const ownersBlock = owner.block(64);
    const strangersSocket = (await boundListener(stranger))[0];
    expect(stranger.call("sockets.accept", listener === strangersSocket ? listener + 1 : listener)).to.equal(-ErrorCode.badHandle);
    expect(stranger.call("sockets.send-block", strangersSocket, ownersBlock, 0, 8)).to.equal(-ErrorCode.badHandle);
    expect(stranger.call("random.fill", ownersBlock, 0, 8)).to.equal(-ErrorCode.badHandle);
    owner.call("sockets.close", listener);
    for (const [name, ...args] of [["sockets.accept", listener], ["sockets.local-port", listener], ["sockets.watch", listener, 1], ["sockets.shutdown", listener], ["sockets.send", listener, new Uint8Array(1)]] as const) {
      expect(owner.call(name, ...args), name).to.equal(-ErrorCode.badHandle);
    }
    owner.end();
    stranger.end();
  });

  it("closes the socket and its host socket of a user-domain process killed while parked in accept, and echod beside it serves on", async () => {
    const kernel = socketKernel();
    const [kernelBefore, hostBefore] = [openSockets(), hostSockets(kernel)];
    const echod = await echodBeside(kernel);
    const { body, data } = withStrings(`(local.set $h (call $listen {127.0.0.1} (i32.const 0))) (call $accept (local.get $h))`);
    const bytes = await assembleWat(conformantModule(`
      (import "singlet:kernel/sockets@0.1.0" "listen" (func $listen (param i32 i32 i32) (result i32)))
      (import "singlet:kernel/sockets@0.1.0" "accept" (func $accept (param i32) (result i32)))`, `(local $h i32) ${body}`, data));
    const image = kernel.load(bytes, { manifest: { name: "parked-acceptor", capabilities: ["console", "network"], entryPoints: { main: { mode: "callers" } } } });
    const process = kernel.spawn(image, { domain: "user", output: () => undefined });
    await eventually(() => openSockets() === kernelBefore + 2, "the probe listening beside echod");
    kernel.kill(process, "killed while parked in accept");
    expect((await process.completion).kind).to.equal("faulted");
    await expectEchoing(echod.port);
    await echod.stop();
    await expectSocketsBackTo(kernel, kernelBefore, hostBefore);
  });
});
