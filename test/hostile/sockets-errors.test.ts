// Every error code of every socket and random call, as tables of { call, setup, expected }: missing
// capabilities, addresses the manifest or the policy refuse, bad, forged, stale and wrong-kind
// handles, ports in use, refused connections, datagrams too long, and the limits.
import { expect } from "chai";
import { CapabilityKind, Rights } from "../../kernel/index.js";
import { networkLimits } from "../../kernel/network/index.js";
import { manifestProblems, type SyscallName } from "../../runtime/abi/index.js";
import type { AbiValue } from "../../hal/hil/index.js";
import { eventually } from "../helpers/event-kernel.js";
import { acceptedConnection, boundListener, callingProcess, nodeClient, closeSocketKernels, socketKernel, type CallingProcess, type CallingProcessOptions } from "../helpers/socket-kernel.js";

const code = { notPermitted: -1, badHandle: -9, wouldBlock: -11, noMemory: -12, invalidArgument: -22, messageTooLong: -90, addressInUse: -98, addressNotAvailable: -99, connectionReset: -104, notConnected: -107, connectionRefused: -111 };
const FORGED = 0x1234_5678 & 0x7fff_ffff;

interface Row {
  readonly name: string;
  readonly options?: CallingProcessOptions;
  /** Makes the call's arguments (and whatever they need) in the caller. */
  readonly setup: (caller: CallingProcess) => Promise<[SyscallName, ...AbiValue[]]> | [SyscallName, ...AbiValue[]];
  /** The call is made as a user domain's parked call is: again each time what it waits on changes. */
  readonly waits?: boolean;
  readonly expected: number;
}

const networkRead: CallingProcessOptions = { holds: [[CapabilityKind.network, Rights.read]] };
const networkWrite: CallingProcessOptions = { holds: [[CapabilityKind.network, Rights.write]] };

async function closedSocket(caller: CallingProcess): Promise<number> {
  const [listener] = await boundListener(caller);
  caller.call("sockets.close", listener);
  return listener;
}

const rows: Row[] = [
  // listen
  { name: "listen without the network capability", options: { holds: [] }, setup: () => ["sockets.listen", "127.0.0.1", 0], expected: code.notPermitted },
  { name: "listen with network write only", options: networkWrite, setup: () => ["sockets.listen", "127.0.0.1", 0], expected: code.notPermitted },
  { name: "listen at an address off loopback by default", setup: () => ["sockets.listen", "10.0.0.1", 0], expected: code.addressNotAvailable },
  { name: "listen at a port the manifest does not list", options: { network: { listen: ["127.0.0.1:2000-2001"] } }, setup: () => ["sockets.listen", "127.0.0.1", 3000], expected: code.addressNotAvailable },
  { name: "listen at port 0 when the manifest lists only some ports", options: { network: { listen: ["127.0.0.1:2000-2001"] } }, setup: () => ["sockets.listen", "127.0.0.1", 0], expected: code.addressNotAvailable },
  { name: "listen where the manifest allows any address but the policy only loopback", options: { network: { listen: ["*:*"] } }, setup: () => ["sockets.listen", "0.0.0.0", 0], expected: code.addressNotAvailable },
  { name: "listen at a port the policy narrowed away", options: { policy: { listen: ["127.0.0.1:5000"] } }, setup: () => ["sockets.listen", "127.0.0.1", 5001], expected: code.addressNotAvailable },
  { name: "listen at a name, not an address", setup: () => ["sockets.listen", "localhost", 0], expected: code.invalidArgument },
  { name: "listen at a port over 65535", setup: () => ["sockets.listen", "127.0.0.1", 70_000], expected: code.invalidArgument },
  { name: "listen at a port in use, in a user domain", options: { domain: "user" }, setup: async () => ["sockets.listen", "127.0.0.1", await portInUse()], waits: true, expected: code.addressInUse },
  { name: "local-port of a listener whose port was in use, in the kernel domain", setup: async (caller) => {
    const listener = caller.call("sockets.listen", "127.0.0.1", await portInUse());
    await eventually(() => caller.call("sockets.local-port", listener) !== code.wouldBlock, "the binding to fail");
    return ["sockets.local-port", listener];
  }, expected: code.addressInUse },
  { name: "accept on a listener whose port was in use, in the kernel domain", setup: async (caller) => {
    const listener = caller.call("sockets.listen", "127.0.0.1", await portInUse());
    await eventually(() => caller.call("sockets.local-port", listener) !== code.wouldBlock, "the binding to fail");
    return ["sockets.accept", listener];
  }, expected: code.addressInUse },
  { name: "listen past the process's 256 sockets", setup: (caller) => {
    for (let socket = 0; socket < networkLimits.MAX_SOCKETS_PER_PROCESS; socket++) expect(caller.call("sockets.listen", "127.0.0.1", 0)).to.be.above(0);
    return ["sockets.listen", "127.0.0.1", 0];
  }, expected: code.noMemory },
  { name: "accept past the process's 256 sockets (the connection stays queued)", setup: async (caller) => {
    const [listener, port] = await boundListener(caller);
    await nodeClient(port);
    await eventually(() => (caller.process.capabilities.lookup(listener).object.target as { pending: unknown[] }).pending.length === 1, "a connection waiting");
    for (let socket = 1; socket < networkLimits.MAX_SOCKETS_PER_PROCESS; socket++) caller.call("sockets.listen", "127.0.0.1", 0);
    expect(caller.call("sockets.accept", listener)).to.equal(code.noMemory);
    return ["sockets.accept", listener];
  }, expected: code.noMemory },
  // local-port
  { name: "local-port of a forged handle", setup: () => ["sockets.local-port", FORGED], expected: code.badHandle },
  { name: "local-port of a closed socket", setup: async (caller) => ["sockets.local-port", await closedSocket(caller)], expected: code.badHandle },
  { name: "local-port of a listener still binding, in the kernel domain", setup: (caller) => ["sockets.local-port", caller.call("sockets.listen", "127.0.0.1", 0)], expected: code.wouldBlock },
  { name: "local-port of a block handle", setup: (caller) => ["sockets.local-port", caller.block(8)], expected: code.badHandle },
  // accept
  { name: "accept on a forged handle", setup: () => ["sockets.accept", FORGED], expected: code.badHandle },
  { name: "accept with nothing waiting", setup: async (caller) => ["sockets.accept", (await boundListener(caller))[0]], expected: code.wouldBlock },
  { name: "accept on a UDP socket", options: { domain: "user" }, setup: async (caller) => ["sockets.accept", await caller.callWaiting("sockets.bind-datagram", "127.0.0.1", 0)], expected: code.invalidArgument },
  { name: "accept on a closed listener", setup: async (caller) => ["sockets.accept", await closedSocket(caller)], expected: code.badHandle },
  // connect
  { name: "connect without the network capability", options: { holds: [] }, setup: () => ["sockets.connect", "127.0.0.1", 9], expected: code.notPermitted },
  { name: "connect with network read only", options: networkRead, setup: () => ["sockets.connect", "127.0.0.1", 9], expected: code.notPermitted },
  { name: "connect to an address off loopback", setup: () => ["sockets.connect", "192.0.2.1", 80], expected: code.addressNotAvailable },
  { name: "connect where nothing listens, in a user domain", options: { domain: "user" }, setup: async (caller) => ["sockets.connect", "127.0.0.1", await freePort(caller)], waits: true, expected: code.connectionRefused },
  { name: "receive on a connection refused, in the kernel domain", setup: async (caller) => {
    const connection = caller.call("sockets.connect", "127.0.0.1", await freePort(caller));
    const block = caller.block(8);
    await eventually(() => caller.call("sockets.receive", connection, block, 0, 8) !== code.wouldBlock, "the refusal");
    return ["sockets.receive", connection, block, 0, 8];
  }, expected: code.connectionRefused },
  { name: "connect to port 0", setup: () => ["sockets.connect", "127.0.0.1", 0], expected: code.invalidArgument },
  // send, send-block
  { name: "send on a forged handle", setup: () => ["sockets.send", FORGED, new Uint8Array(1)], expected: code.badHandle },
  { name: "send on a listener", setup: async (caller) => ["sockets.send", (await boundListener(caller))[0], new Uint8Array(1)], expected: code.invalidArgument },
  { name: "send on a connection still being made, in the kernel domain", setup: async (caller) => ["sockets.send", caller.call("sockets.connect", "127.0.0.1", (await boundListener(caller))[1]), new Uint8Array(1)], expected: code.wouldBlock },
  { name: "send-block from a range outside the block", setup: async (caller) => ["sockets.send-block", await connected(caller), caller.block(8), 4, 8], expected: code.invalidArgument },
  { name: "send-block from a forged block", setup: async (caller) => ["sockets.send-block", await connected(caller), FORGED, 0, 1], expected: code.badHandle },
  // receive
  { name: "receive of length 0", setup: async (caller) => ["sockets.receive", await connected(caller), caller.block(8), 0, 0], expected: code.invalidArgument },
  { name: "receive into a range outside the block", setup: async (caller) => ["sockets.receive", await connected(caller), caller.block(8), 0, 9], expected: code.invalidArgument },
  { name: "receive with nothing arrived", setup: async (caller) => ["sockets.receive", await connected(caller), caller.block(8), 0, 8], expected: code.wouldBlock },
  { name: "receive on a UDP socket", options: { domain: "user" }, setup: async (caller) => ["sockets.receive", await caller.callWaiting("sockets.bind-datagram", "127.0.0.1", 0), caller.block(8), 0, 8], expected: code.invalidArgument },
  // shutdown, close, watch
  { name: "shutdown of a connection still being made", setup: async (caller) => ["sockets.shutdown", caller.call("sockets.connect", "127.0.0.1", (await boundListener(caller))[1])], expected: code.notConnected },
  { name: "shutdown of a forged handle", setup: () => ["sockets.shutdown", FORGED], expected: code.badHandle },
  { name: "close of a block handle", setup: (caller) => ["sockets.close", caller.block(8)], expected: code.badHandle },
  { name: "close of a closed socket", setup: async (caller) => ["sockets.close", await closedSocket(caller)], expected: code.badHandle },
  { name: "watch of a forged handle", setup: () => ["sockets.watch", FORGED, 1], expected: code.badHandle },
  { name: "watch past the process's event sources", options: { eventSourceLimit: 1 }, setup: async (caller) => {
    const [listener] = await boundListener(caller);
    caller.call("sockets.watch", listener, 1);
    return ["sockets.watch", await connected(caller), 2];
  }, expected: code.noMemory },
  // bind-datagram, send-to, receive-from
  { name: "bind-datagram without the network capability", options: { holds: [] }, setup: () => ["sockets.bind-datagram", "127.0.0.1", 0], expected: code.notPermitted },
  { name: "bind-datagram off loopback", setup: () => ["sockets.bind-datagram", "198.51.100.7", 0], expected: code.addressNotAvailable },
  { name: "bind-datagram at a port in use, in a user domain", options: { domain: "user" }, setup: async (caller) => {
    const port = caller.call("sockets.local-port", await caller.callWaiting("sockets.bind-datagram", "127.0.0.1", 0));
    return ["sockets.bind-datagram", "127.0.0.1", port];
  }, waits: true, expected: code.addressInUse },
  { name: "send-to with a datagram over 65507 bytes", options: { domain: "user" }, setup: async (caller) => ["sockets.send-to", await caller.callWaiting("sockets.bind-datagram", "127.0.0.1", 0), "127.0.0.1", 9, new Uint8Array(networkLimits.MAX_DATAGRAM_BYTES + 1)], expected: code.messageTooLong },
  { name: "send-to an address off loopback", options: { domain: "user" }, setup: async (caller) => ["sockets.send-to", await caller.callWaiting("sockets.bind-datagram", "127.0.0.1", 0), "203.0.113.9", 9, new Uint8Array(1)], expected: code.addressNotAvailable },
  { name: "send-to a name", options: { domain: "user" }, setup: async (caller) => ["sockets.send-to", await caller.callWaiting("sockets.bind-datagram", "127.0.0.1", 0), "example.com", 9, new Uint8Array(1)], expected: code.invalidArgument },
  { name: "send-to on a TCP connection", setup: async (caller) => ["sockets.send-to", await connected(caller), "127.0.0.1", 9, new Uint8Array(1)], expected: code.invalidArgument },
  { name: "receive-from with nothing arrived", options: { domain: "user" }, setup: async (caller) => ["sockets.receive-from", await caller.callWaiting("sockets.bind-datagram", "127.0.0.1", 0), caller.block(64), 0, 64], expected: code.wouldBlock },
  { name: "receive-from into too little room for header and datagram", options: { domain: "user" }, setup: async (caller) => {
    const socket = await caller.callWaiting("sockets.bind-datagram", "127.0.0.1", 0);
    caller.call("sockets.send-to", socket, "127.0.0.1", caller.call("sockets.local-port", socket), new Uint8Array(8));
    const block = caller.block(64);
    // Waits for the datagram with room for it, then puts it back by asking with too little.
    await eventually(() => caller.call("sockets.receive-from", socket, block, 0, 27) === code.messageTooLong, "the datagram");
    return ["sockets.receive-from", socket, block, 0, 27];
  }, expected: code.messageTooLong },
  // random
  { name: "random.fill without the random capability", options: { holds: [] }, setup: (caller) => ["random.fill", caller.block(8), 0, 8], expected: code.notPermitted },
  { name: "random.fill outside the block", setup: (caller) => ["random.fill", caller.block(8), 4, 8], expected: code.invalidArgument },
  { name: "random.fill of a forged block", setup: () => ["random.fill", FORGED, 0, 8], expected: code.badHandle },
];

/** A connection accepted at a listener of the caller's own: the accepted end's handle. */
async function connected(caller: CallingProcess): Promise<number> {
  return (await acceptedConnection(caller)).handle;
}

/** A port nothing listens at: one a listener had, closed again. */
async function freePort(caller: CallingProcess): Promise<number> {
  const owner = caller.process.domain === "kernel" ? caller : callingProcess(socketKernel());
  const [listener, port] = await boundListener(owner);
  owner.call("sockets.close", listener);
  return port;
}

/** A port a listener of another process holds. */
async function portInUse(): Promise<number> {
  return (await boundListener(callingProcess(socketKernel())))[1];
}

describe("hostile/sockets: every error code", function () {
  this.timeout(30_000);
  afterEach(closeSocketKernels);

  for (const row of rows) {
    it(`${row.name} answers ${row.expected}`, async () => {
      const caller = callingProcess(socketKernel(), row.options);
      // A setup that needs no waiting is followed by the call in the same turn: nothing has settled in between.
      const made = row.setup(caller);
      const [name, ...args] = made instanceof Promise ? await made : made;
      expect(row.waits ? await caller.callWaiting(name, ...args) : caller.call(name, ...args)).to.equal(row.expected);
      caller.end();
    });
  }
});

describe("hostile/sockets: the manifest's network field", () => {
  const problems: [string, unknown, string | undefined][] = [
    ["a listen and a connect list of rules", { listen: ["127.0.0.1:1024-65535", "[::1]:*"], connect: ["*:443"] }, undefined],
    ["a list that is not a list", { listen: "127.0.0.1:80" }, "'network' 'listen' must be a list of ADDRESS:PORTS rules"],
    ["an unknown direction", { bind: [] }, "'network' has unknown field 'bind' (known: listen, connect)"],
    ["a name instead of an address", { connect: ["example.com:80"] }, "'network' 'connect': 'example.com:80' has address 'example.com': expected an IPv4 address, [an IPv6 address] or *"],
    ["a port range upside down", { listen: ["127.0.0.1:90-80"] }, "'network' 'listen': '127.0.0.1:90-80' has ports '90-80': expected a port, LOW-HIGH within 1..65535, or *"],
    ["port 0 in a rule", { listen: ["127.0.0.1:0"] }, "'network' 'listen': '127.0.0.1:0' has ports '0': expected a port, LOW-HIGH within 1..65535, or *"],
    ["an IPv6 address without brackets", { listen: ["::1:80"] }, "'network' 'listen': '::1:80' has address '::1': expected an IPv4 address, [an IPv6 address] or *"],
    ["not an object", ["127.0.0.1:80"], "'network' must be an object with 'listen' and/or 'connect' lists"],
  ];
  for (const [name, network, expected] of problems) {
    it(`${name}: ${expected ?? "valid"}`, () => {
      const found = manifestProblems({ name: "app", network });
      expect(found.map((problem) => problem.message)).to.deep.equal(expected === undefined ? [] : [expected]);
      if (expected !== undefined) expect(found[0]!.item).to.equal("network");
    });
  }
});
