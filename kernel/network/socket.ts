// What every socket shares: how a watching process hears of it, and how a parked call learns that
// something changed. One event source per watched socket, so at most one of its events is queued;
// a socket both readable and writable gives one, and the other follows when that one is taken.
import { EventKind } from "../../runtime/abi/index.js";
import type { EventSource, ProcessEvents } from "../events/index.js";
import type { KernelError } from "../errors.js";

interface Watch {
  readonly events: ProcessEvents;
  tag: number;
  readonly source: EventSource;
}

/** Sockets made and not yet closed, over every kernel in this isolate: what a leak check counts. */
let socketsOpen = 0;

export function openSockets(): number {
  return socketsOpen;
}

export abstract class KernelSocket {
  /** The last handle went: the host object is released and nothing more is announced. */
  released = false;
  /** Why the host object failed (a refused connection, a port in use, a reset); calls answer with it. */
  failure: KernelError | undefined;
  /** A send was refused or short, or the socket is binding or connecting: tell a watcher when it can take data. */
  writableWanted = false;
  private watch: Watch | undefined;
  /** The readable event was taken and nothing has changed since: not announced again until something does. */
  private readableTaken = false;
  private waiters: (() => void)[] = [];

  constructor() {
    socketsOpen++;
  }

  /** Data, a connection or the peer's end waits to be taken. */
  protected abstract readable(): boolean;
  /** A send (or, for a listener, a connection) can be taken now. */
  protected abstract writable(): boolean;
  /** Nothing more can come: the host object is gone and everything it left was taken. */
  protected abstract gone(): boolean;
  /** Releases the host object. */
  protected abstract release(): void;

  /** Something the socket's readiness depends on changed: wake parked calls, tell a watcher. */
  changed(readableAgain = true): void {
    if (readableAgain) this.readableTaken = false;
    if (this.waiters.length > 0) for (const wake of this.waiters.splice(0)) wake();
    this.announce();
  }

  /**
   * `changed`, from the host's own callbacks (data, a connection, the peer's end, room, a failure):
   * an in-kernel watcher is served before the event loop moves on. Kernel calls use `changed`, so
   * a process draining a socket in small receives does not chain deliveries ahead of the loop.
   */
  hostChanged(readableAgain = true): void {
    this.changed(readableAgain);
    this.watch?.events.onHostActivity?.();
  }

  /** Settles at the next change (or at once when closed): a user domain's parked call tries again then. */
  change(): Promise<void> {
    if (this.released) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  get watched(): boolean {
    return this.watch !== undefined;
  }

  watchWith(events: ProcessEvents, tag: number): void {
    if (this.watch) {
      this.watch.tag = tag;
      return;
    }
    events.addSource("sockets.watch");
    const source: EventSource = { queued: false, taken: () => this.taken() };
    this.watch = { events, tag, source };
    this.announce();
  }

  private kindToAnnounce(): number | undefined {
    if (this.readable() && !this.readableTaken) return EventKind.readable;
    if (this.writableWanted && this.writable()) return EventKind.writable;
    if (this.gone()) return EventKind.closed;
    return undefined;
  }

  private lastAnnounced = 0;

  private announce(): void {
    const watch = this.watch;
    if (!watch || watch.source.queued || this.released) return;
    const kind = this.kindToAnnounce();
    if (kind !== undefined && watch.events.push(kind, watch.tag, watch.source)) this.lastAnnounced = kind;
  }

  private taken(): void {
    const kind = this.lastAnnounced;
    // The closed event is a socket's last: the watch ends with it, and the process may end if it held nothing else.
    if (kind === EventKind.closed) return this.unwatch();
    if (kind === EventKind.readable) this.readableTaken = true;
    if (kind === EventKind.writable) this.writableWanted = false;
    this.announce();
  }

  unwatch(): void {
    const watch = this.watch;
    if (!watch) return;
    this.watch = undefined;
    watch.events.endSource(watch.source);
  }

  /** The socket's last handle went (or its process ended): the host object is released now. */
  close(): void {
    if (this.released) return;
    this.released = true;
    socketsOpen--;
    this.unwatch();
    this.release();
    for (const wake of this.waiters.splice(0)) wake();
  }
}
