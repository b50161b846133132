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

/**
 * Puts `socket` in `table` as a socket capability, counted against the process. A refusal (the
 * count, a full table) leaves the socket as it was: the caller closes it or queues it again.
 */
export function holdSocket(table: CapabilityTable, socket: KernelSocket, call: string): number {
  const count = socketCount(table);
  if (count >= MAX_SOCKETS_PER_PROCESS) throw new ResourceLimitError(`${call}: the process holds ${count} sockets (limit ${MAX_SOCKETS_PER_PROCESS})`);
  let held = false;
  const handle = table.insert({
    object: {
      kind: CapabilityKind.socket, target: socket, revoked: false,
      close: () => {
        // A grant refused by a full table is released at once: the socket was never held.
        if (!held) return;
        socketCounts.set(table, socketCount(table) - 1);
        socket.close();
      },
      // A watch belongs to the process that asked for it.
      leaving: () => socket.unwatch(),
    },
    rights: Rights.read | Rights.write,
  });
  held = true;
  socketCounts.set(table, count + 1);
  return handle;
}

/** Holds a socket just made; one that cannot be held is closed. */
function holdNew<Socket extends KernelSocket>(table: CapabilityTable, socket: Socket, call: string): { handle: number; socket: Socket } {
  try {
    return { handle: holdSocket(table, socket, call), socket };
  } catch (error) {
    socket.close();
    throw error;
  }
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
    const held = holdNew(table, new ListenerSocket(), "sockets.listen");
    held.socket.listener = this.device.listen(address, port, held.socket);
    return held;
  }

  connect(table: CapabilityTable, address: string, port: number): { handle: number; socket: StreamSocket } {
    const held = holdNew(table, new StreamSocket("connecting"), "sockets.connect");
    held.socket.connection = this.device.connect(address, port, held.socket);
    return held;
  }

  bindDatagram(table: CapabilityTable, address: string, port: number): { handle: number; socket: DatagramSocket } {
    const held = holdNew(table, new DatagramSocket(), "sockets.bind-datagram");
    held.socket.socket = this.device.bindDatagram(address, port, held.socket);
    return held;
  }
}
