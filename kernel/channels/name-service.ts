// The name service: a directory of named services, each a listener channel. A process publishes
// a name and gets the listener's server end; a process connects to a name and gets the client end
// of a new channel, whose server end arrives at the publisher as the attachment of a message on its
// listener. Least privilege: a process may publish or connect to a name only if its manifest says
// so (`provides`, `uses`) and the system policy allows its principal that name.
import { CapabilityTable, Rights } from "../capabilities/index.js";
import { KernelError, NotPermittedError, ResourceLimitError } from "../errors.js";
import { MAX_PUBLISHED_NAMES, NAME_SERVICE_SPARE_HANDLES } from "../params.js";
import { ErrorCode } from "../../runtime/abi/index.js";
import { createChannel, endpointOf, sendMessage, type Endpoint } from "./channel.js";
import type { Contract } from "./contract.js";

/** The message a connection arrives as on a listener; its attachment is the new channel's server end. */
export const CONNECTION_MESSAGE = 0;

class NameTakenError extends KernelError {
  constructor(name: string) {
    super(`the name '${name}' is published already`, ErrorCode.alreadyExists);
  }
}

class NameNotFoundError extends KernelError {
  constructor(name: string) {
    super(`no service is published as '${name}'`, ErrorCode.notFound);
  }
}

interface Registration {
  /** The name service's own end of the listener channel: connections are sent from it. */
  readonly handle: number;
  readonly endpoint: Endpoint;
  readonly contract: Contract | undefined;
}

export class NameService {
  /** Holds the name service's ends of the listeners, so they live in a table like every end. */
  private readonly table = new CapabilityTable(MAX_PUBLISHED_NAMES + NAME_SERVICE_SPARE_HANDLES);
  private readonly names = new Map<string, Registration>();

  /** Live registrations; one whose publisher closed its listener is gone at the next look. */
  get published(): number {
    for (const name of [...this.names.keys()]) this.live(name);
    return this.names.size;
  }

  /** Publishes `name` for a process: returns the listener's server end, put in `table`. */
  publish(table: CapabilityTable, name: string, contract: Contract | undefined): number {
    if (this.live(name)) throw new NameTakenError(name);
    if (this.names.size >= MAX_PUBLISHED_NAMES) {
      for (const published of [...this.names.keys()]) this.live(published);
      if (this.names.size >= MAX_PUBLISHED_NAMES) throw new ResourceLimitError(`names.publish: the name service holds ${this.names.size} names (limit ${MAX_PUBLISHED_NAMES})`);
    }
    const [own, server] = createChannel(this.table, undefined);
    let listener: number;
    try {
      listener = this.table.transfer(server, table);
    } catch (error) {
      this.table.remove(own);
      this.table.remove(server);
      throw error;
    }
    this.names.set(name, { handle: own, endpoint: endpointOf(this.table, own, Rights.read), contract });
    return listener;
  }

  /**
   * Connects a process to `name`: a new channel following the service's contract; its client end
   * goes in `table` and its server end to the publisher, on the listener. Returns the client end,
   * or false when the listener's queue is full (wouldBlock; nothing is made).
   */
  connect(table: CapabilityTable, name: string): number | false {
    const registration = this.live(name);
    if (!registration) throw new NameNotFoundError(name);
    const [client, server] = createChannel(this.table, registration.contract);
    let sent = false;
    try {
      sent = sendMessage(this.table, registration.handle, CONNECTION_MESSAGE, server);
    } finally {
      if (!sent) {
        this.table.remove(client);
        this.table.remove(server);
      }
    }
    if (!sent) return false;
    try {
      return this.table.transfer(client, table);
    } catch (error) {
      // The caller's table is full: the publisher's new end sees its peer closed at once.
      this.table.remove(client);
      throw error;
    }
  }

  private live(name: string): Registration | undefined {
    const registration = this.names.get(name);
    if (registration && registration.endpoint.peer.closed) {
      this.names.delete(name);
      this.table.remove(registration.handle);
      return undefined;
    }
    return registration;
  }
}

/** Least privilege: the manifest asks for the name and the principal may have it. */
export function requireService(asked: ReadonlySet<string>, allowed: (name: string) => boolean, name: string, call: string, field: "provides" | "uses"): void {
  if (!asked.has(name)) throw new NotPermittedError(`${call}: the process's manifests do not list '${name}' under '${field}'`);
  if (!allowed(name)) throw new NotPermittedError(`${call}: the system policy does not let this principal use the service '${name}'`);
}
