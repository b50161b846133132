// Socket calls (kernel/network): listen, accept, connect, send, receive, shutdown, close, watch,
// and UDP's bind, send-to and receive-from. Making a socket needs the network capability (read to
// listen or bind, write to connect or send datagrams) and an address the process's rules allow.
//
// Binding and connecting finish later on every host. In the kernel domain the new handle is the
// answer and a watcher hears how it went. A user domain waits instead: the call answers wouldBlock
// and parks with the new socket noted as the process's opening; served again, the same call finds
// it and answers its handle, or its failure.
import { ErrorCode, type NetworkDirection } from "../../runtime/abi/index.js";
import { CapabilityKind, Rights } from "../capabilities/index.js";
import { NotImplementedError, NotPermittedError } from "../errors.js";
import { blockOf, checkBlockRange } from "../exchange/index.js";
import {
  DatagramSocket, ListenerSocket, MessageTooLongError, StreamSocket, checkAddress, holdSocket, networkLimits, socketOf,
  type KernelSocket, type NetworkService,
} from "../network/index.js";
import type { Process } from "../process/index.js";
import { chargeForWork, type CallContext } from "../syscalls/context.js";

const WOULD_BLOCK = -ErrorCode.wouldBlock;

function networkOf(context: CallContext, call: string, rights: number): NetworkService {
  const network = context.services.network;
  if (!network) throw new NotImplementedError(`${call}: this kernel has no network device`);
  if (!context.process.capabilities.holds(CapabilityKind.network, rights)) {
    throw new NotPermittedError(`${call}: process ${context.process.processId} holds no network capability with ${rights === Rights.read ? "read" : "write"} rights`);
  }
  return network;
}

/** A user domain's socket being opened while its call waits: the same call, served again, answers from it. */
interface Opening {
  readonly call: string;
  readonly address: string;
  readonly port: number;
  readonly handle: number;
  readonly socket: KernelSocket;
  /** Whether the opening is done: bound or connected. */
  readonly ready: () => boolean;
}

const openings = new WeakMap<Process, Opening>();

/** The socket a user domain's parked open waits on, for its wait condition (blocking-calls.ts). */
export function openingSocket(process: Process): KernelSocket | undefined {
  return openings.get(process)?.socket;
}

type Open = (network: NetworkService) => { handle: number; socket: KernelSocket };

function open(context: CallContext, call: string, direction: NetworkDirection, address: string, port: number, make: Open, ready: (socket: KernelSocket) => boolean): number {
  const process = context.process;
  const table = process.capabilities;
  const opening = openings.get(process);
  if (opening && opening.call === call && opening.address === address && opening.port === port) {
    if (opening.socket.failure) {
      openings.delete(process);
      const failure = opening.socket.failure;
      if (table.has(opening.handle)) table.remove(opening.handle);
      throw failure;
    }
    if (!opening.ready()) return WOULD_BLOCK;
    openings.delete(process);
    return opening.handle;
  }
  // A different call: the opening it left was never served again (the caller could not wait); it is abandoned.
  if (opening) {
    openings.delete(process);
    if (table.has(opening.handle)) table.remove(opening.handle);
  }
  const network = networkOf(context, call, direction === "listen" ? Rights.read : Rights.write);
  checkAddress(process.network, direction, address, port, call);
  chargeForWork(context, 0);
  const made = make(network);
  if (process.domain !== "user") return made.handle;
  openings.set(process, { call, address, port, handle: made.handle, socket: made.socket, ready: () => ready(made.socket) });
  return WOULD_BLOCK;
}

export function socketListen(context: CallContext, address: string, port: number): number {
  return open(context, "sockets.listen", "listen", address, port, (network) => network.listen(context.process.capabilities, address, port),
    (socket) => (socket as ListenerSocket).port !== undefined);
}

export function socketConnect(context: CallContext, address: string, port: number): number {
  return open(context, "sockets.connect", "connect", address, port, (network) => network.connect(context.process.capabilities, address, port),
    (socket) => (socket as StreamSocket).state !== "connecting");
}

export function socketBindDatagram(context: CallContext, address: string, port: number): number {
  return open(context, "sockets.bind-datagram", "listen", address, port, (network) => network.bindDatagram(context.process.capabilities, address, port),
    (socket) => (socket as DatagramSocket).port !== undefined);
}

export function socketLocalPort(context: CallContext, handle: number): number {
  const socket = context.process.capabilities.lookup(handle, CapabilityKind.socket).object.target as KernelSocket;
  if (socket instanceof StreamSocket) return socketOf(context.process.capabilities, handle, 0, ListenerSocket, "sockets.local-port").port!;
  const bound = socket as ListenerSocket | DatagramSocket;
  if (bound.failure) throw bound.failure;
  return bound.port ?? WOULD_BLOCK;
}

export function socketAccept(context: CallContext, listenerHandle: number): number {
  const table = context.process.capabilities;
  const listener = socketOf(table, listenerHandle, Rights.read, ListenerSocket, "sockets.accept");
  chargeForWork(context, 0);
  const connection = listener.takeConnection();
  if (!connection) return WOULD_BLOCK;
  try {
    return holdSocket(table, connection, "sockets.accept");
  } catch (error) {
    if (!connection.released) listener.returnConnection(connection);
    throw error;
  }
}

/** Sends the kernel's own copy of the bytes; the host keeps it until it has gone. */
function sendOn(context: CallContext, handle: number, bytes: Uint8Array): number {
  const socket = socketOf(context.process.capabilities, handle, Rights.write, StreamSocket, "sockets.send");
  chargeForWork(context, bytes.byteLength);
  return socket.send(bytes) ?? WOULD_BLOCK;
}

export function socketSend(context: CallContext, handle: number, data: Uint8Array): number {
  // Lifted arguments are copies already (the caller's memory is never aliased).
  return sendOn(context, handle, data);
}

export function socketSendBlock(context: CallContext, handle: number, blockHandle: number, offset: number, length: number): number {
  const block = blockOf(context.process.capabilities, blockHandle, Rights.read);
  checkBlockRange(block, offset, length, "sockets.send-block");
  return sendOn(context, handle, block.bytes.slice(offset, offset + length));
}

/** Moves bytes into `length` bytes at `offset` of the caller's block with `take`: how many, or wouldBlock. */
function receiveInto(context: CallContext, blockHandle: number, offset: number, length: number, call: string, take: (into: Uint8Array) => number | undefined): number {
  const block = blockOf(context.process.capabilities, blockHandle, Rights.write);
  checkBlockRange(block, offset, length, call);
  const received = take(block.bytes.subarray(offset, offset + length));
  chargeForWork(context, received ?? 0);
  return received ?? WOULD_BLOCK;
}

export function socketReceive(context: CallContext, handle: number, blockHandle: number, offset: number, length: number): number {
  const socket = socketOf(context.process.capabilities, handle, Rights.read, StreamSocket, "sockets.receive");
  return receiveInto(context, blockHandle, offset, length, "sockets.receive", (into) => socket.receive(into));
}

export function socketShutdown(context: CallContext, handle: number): number {
  socketOf(context.process.capabilities, handle, Rights.write, StreamSocket, "sockets.shutdown").shutdown();
  return 0;
}

export function socketClose(context: CallContext, handle: number): number {
  const table = context.process.capabilities;
  table.lookup(handle, CapabilityKind.socket);
  table.remove(handle);
  return 0;
}

export function socketWatch(context: CallContext, handle: number, tag: number): number {
  const socket = context.process.capabilities.lookup(handle, CapabilityKind.socket, Rights.read).object.target as KernelSocket;
  socket.watchWith(context.process.events, tag >>> 0);
  return 0;
}

export function socketSendTo(context: CallContext, handle: number, address: string, port: number, data: Uint8Array): number {
  const socket = socketOf(context.process.capabilities, handle, Rights.write, DatagramSocket, "sockets.send-to");
  if (data.byteLength > networkLimits.MAX_DATAGRAM_BYTES) {
    throw new MessageTooLongError(`sockets.send-to: a datagram of ${data.byteLength} bytes (limit ${networkLimits.MAX_DATAGRAM_BYTES})`);
  }
  checkAddress(context.process.network, "connect", address, port, "sockets.send-to");
  if (socket.failure) throw socket.failure;
  chargeForWork(context, data.byteLength);
  socket.socket!.sendTo(data, address, port);
  return data.byteLength;
}

export function socketReceiveFrom(context: CallContext, handle: number, blockHandle: number, offset: number, length: number): number {
  const socket = socketOf(context.process.capabilities, handle, Rights.read, DatagramSocket, "sockets.receive-from");
  return receiveInto(context, blockHandle, offset, length, "sockets.receive-from", (into) => socket.receiveFrom(into));
}
