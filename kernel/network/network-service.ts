// The network service: makes sockets as capabilities of kind `socket` in a process's table, after
// checking the address against the process's rules and its socket count against the limit. A
// socket's handle carries read (receive, accept) and write (send); it cannot be granted on, so a
// socket counts against the one process that made it, and closes with that process.
import { isIP } from "node:net";
import type { NetworkDevice } from "../../hal/hil/index.js";
import type { NetworkDirection } from "../../runtime/abi/index.js";
import { CapabilityKind, Rights, type CapabilityTable } from "../capabilities/index.js";
import { InvalidArgumentError, ResourceLimitError } from "../errors.js";
import type { NetworkRules } from "./address-rules.js";
import { DatagramSocket } from "./datagram-socket.js";
import { AddressNotAvailableError } from "./errors.js";
import { MAX_SOCKETS_PER_PROCESS } from "./limits.js";
import { ListenerSocket } from "./listener-socket.js";
import type { KernelSocket } from "./socket.js";
import { StreamSocket } from "./stream-socket.js";

const HIGHEST_PORT = 65535;

/** Sockets each process holds, by its capability table. */
const socketCounts = new WeakMap<CapabilityTable, number>();

export function socketCount(table: CapabilityTable): number {
  return socketCounts.get(table) ?? 0;
}

/** Puts `socket` in `table` as a socket capability, counted against the process; a refusal closes it. */
export function holdSocket(table: CapabilityTable, socket: KernelSocket, call: string): number {
  const count = socketCount(table);
  if (count >= MAX_SOCKETS_PER_PROCESS) {
    socket.close();
    throw new ResourceLimitError(`${call}: the process holds ${count} sockets (limit ${MAX_SOCKETS_PER_PROCESS})`);
  }
  const handle = table.insert({
    object: {
      kind: CapabilityKind.socket, target: socket, revoked: false,
      close: () => {
        socketCounts.set(table, socketCount(table) - 1);
        socket.close();
      },
      // A watch belongs to the process that asked for it.
      leaving: () => socket.unwatch(),
    },
    rights: Rights.read | Rights.write,
  });
  socketCounts.set(table, count + 1);
  return handle;
}

/** The socket behind `handle` with `rights`, of the class asked for. */
export function socketOf<Socket extends KernelSocket>(table: CapabilityTable, handle: number, rights: number, type: abstract new (...args: never[]) => Socket, call: string): Socket {
  const socket = table.lookup(handle, CapabilityKind.socket, rights).object.target as KernelSocket;
  if (!(socket instanceof type)) throw new InvalidArgumentError(`${call}: socket handle ${handle} is a ${describe(socket)}, not a ${describe(type.prototype as KernelSocket)}`);
  return socket;
}

function describe(socket: KernelSocket): string {
  return socket instanceof ListenerSocket ? "TCP listener" : socket instanceof StreamSocket ? "TCP connection" : "UDP socket";
}

/** Checks an address and port given to a call against the process's rules. */
export function checkAddress(rules: NetworkRules, direction: NetworkDirection, address: string, port: number, call: string): void {
  if (isIP(address) === 0) throw new InvalidArgumentError(`${call}: '${address}' is not an IP address (names are not looked up)`);
  const lowest = direction === "listen" ? 0 : 1;
  if (!Number.isInteger(port) || port < lowest || port > HIGHEST_PORT) throw new InvalidArgumentError(`${call}: port ${port} is outside ${lowest}..${HIGHEST_PORT}`);
  if (!rules.allows(direction, address, port)) {
    throw new AddressNotAvailableError(`${call}: ${address} port ${port} is not allowed to ${direction} by the manifest's network field and the system policy`);
  }
}

export class NetworkService {
  constructor(readonly device: NetworkDevice) {}

  listen(table: CapabilityTable, address: string, port: number): { handle: number; socket: ListenerSocket } {
    const socket = new ListenerSocket();
    const handle = holdSocket(table, socket, "sockets.listen");
    socket.listener = this.device.listen(address, port, socket);
    return { handle, socket };
  }

  connect(table: CapabilityTable, address: string, port: number): { handle: number; socket: StreamSocket } {
    const socket = new StreamSocket("connecting");
    const handle = holdSocket(table, socket, "sockets.connect");
    socket.connection = this.device.connect(address, port, socket);
    return { handle, socket };
  }

  bindDatagram(table: CapabilityTable, address: string, port: number): { handle: number; socket: DatagramSocket } {
    const socket = new DatagramSocket();
    const handle = holdSocket(table, socket, "sockets.bind-datagram");
    socket.socket = this.device.bindDatagram(address, port, socket);
    return { handle, socket };
  }
}
