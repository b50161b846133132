// One process's events: the sources it holds (timers, a queued yield), the bounded queue of
// events they have produced, and who hears when the queue stops being empty: the scheduler for
// an in-kernel process, the parked `events.wait` of a user domain.
import { ResourceLimitError } from "../errors.js";
import { frontWorthReclaiming, moveToFront } from "./queue-front.js";

/** Something that produces events for one process; it has at most one event queued at a time. */
export interface EventSource {
  queued: boolean;
  /** Called when its queued event is taken (a one-shot timer releases itself here). */
  taken?(): void;
  /**
   * Set on a channel endpoint subscribed with channels.subscribe: its message events are
   * received for the process as they are delivered in the kernel domain.
   */
  readonly receipt?: MessageReceipt | undefined;
}

/** How an in-kernel delivery receives a subscribed endpoint's message for the process. */
export interface MessageReceipt {
  /**
   * Receives the endpoint's next message: true with `number` and `attachment` (its handle in
   * the process's table, 0: none) set; false when none could be (none is queued any more, or
   * its attachment does not fit), and the event is delivered as a plain one.
   */
  receive(): boolean;
  readonly number: number;
  readonly attachment: number;
}

export interface PendingEvent {
  readonly kind: number;
  readonly tag: number;
}

/** A taken front of the queue longer than this (and than what is left) is reclaimed. */
const COMPACT_AFTER = 64;

/** What `takeNext` answers when no event is queued (event kinds start at 1). */
export const NO_EVENT = 0;

/** Per-process counters for `--stats` and the suites. */
export interface EventStatistics {
  /** Events taken: delivered through `dispatch` in the kernel domain, returned by `events.wait`/`poll` in a user domain. */
  delivered: number;
  /** Times the process went from nothing to run to something: a scheduler wake-up or a parked wait woken. */
  wakeUps: number;
  /** The most events queued at once. */
  queueHighWater: number;
  /** Fuel used by in-kernel deliveries, and how many deliveries that covers. */
  deliveryFuel: number;
  meteredDeliveries: number;
  /** Timer expiries that found the timer's previous event still queued: counted, not queued. */
  coalesced: number;
}

export class ProcessEvents {
  // The queue is three parallel arrays of plain values used from `head` to `tail`, not an array
  // of event objects: an in-kernel process takes one event per message, and an object per event
  // was an allocation on every delivery. A withdrawn event leaves a hole (its source undefined).
  private readonly sourcesQueued: (EventSource | undefined)[] = [];
  private readonly kindsQueued: number[] = [];
  private readonly tagsQueued: number[] = [];
  private head = 0;
  private tail = 0;
  /** Events in the queue, not counting the holes withdrawn ones leave. */
  private count = 0;
  private sourceCount = 0;
  private closedFlag = false;
  private readonly waiters: (() => void)[] = [];
  readonly statistics: EventStatistics = { delivered: 0, wakeUps: 0, queueHighWater: 0, deliveryFuel: 0, meteredDeliveries: 0, coalesced: 0 };
  /** Told when an event arrives at an empty queue (the scheduler, for in-kernel processes). */
  onReady: (() => void) | undefined;
  /**
   * Told when host I/O (a socket's data, a connection, a peer's end), not a kernel call, may have
   * queued an event: the scheduler then delivers right after the host's callback returns.
   */
  onHostActivity: (() => void) | undefined;
  /** The process's one `process.yield`: a source while its event is queued. */
  readonly yieldSource: EventSource = { queued: false, taken: () => this.removeSource() };

  /** `sourceLimit`: the process's `eventSources` limit, which also bounds the queue. */
  constructor(readonly sourceLimit: number) {}

  get queued(): number {
    return this.count;
  }

  get sources(): number {
    return this.sourceCount;
  }

  get closed(): boolean {
    return this.closedFlag;
  }

  /** Whether anything could still wake the process: a source it holds (a queued event has one). */
  get canWake(): boolean {
    return !this.closedFlag && this.sourceCount > 0;
  }

  /** Counts a new source; refused past the limit, so the queue, one event per source, cannot overflow. */
  addSource(what: string): void {
    if (this.closedFlag) throw new ResourceLimitError(`${what}: the process is ending`);
    if (this.sourceCount >= this.sourceLimit) {
      throw new ResourceLimitError(`${what}: the process holds ${this.sourceCount} event sources (limit ${this.sourceLimit})`);
    }
    this.sourceCount++;
  }

  removeSource(): void {
    if (this.sourceCount > 0) this.sourceCount--;
  }

  /** A source goes for good (a watch ended): its queued event, if any, is withdrawn and it no longer counts. */
  endSource(source: EventSource): void {
    this.withdraw(source);
    this.removeSource();
  }

  /** Queues `source`'s event unless one of its events is already queued; true when queued. */
  push(kind: number, tag: number, source: EventSource): boolean {
    if (this.closedFlag || source.queued) return false;
    source.queued = true;
    const wasEmpty = this.count === 0;
    const tail = this.tail++;
    this.sourcesQueued[tail] = source;
    this.kindsQueued[tail] = kind;
    this.tagsQueued[tail] = tag >>> 0;
    const queued = ++this.count;
    if (queued > this.statistics.queueHighWater) this.statistics.queueHighWater = queued;
    if (wasEmpty) {
      this.statistics.wakeUps++;
      this.onReady?.();
      // Only user-domain waits wait here; an in-kernel process has none, and copies no array per event.
      if (this.waiters.length > 0) for (const wake of this.waiters.splice(0)) wake();
    }
    return true;
  }

  /** Takes the oldest event, or undefined when none is queued. */
  take(): PendingEvent | undefined {
    const kind = this.takeNext();
    return kind === NO_EVENT ? undefined : { kind, tag: this.takenTag };
  }

  /** The tag and source of the event `takeNext` took last. */
  takenTag = 0;
  takenSource: EventSource | undefined;

  /**
   * Takes the oldest event: returns its kind, its tag left in `takenTag`; NO_EVENT when none is
   * queued. The scheduler's form, which allocates nothing per event.
   */
  takeNext(): number {
    const sources = this.sourcesQueued;
    while (this.head < this.tail) {
      const index = this.head++;
      const source = sources[index];
      // Withdrawn events leave a hole.
      if (!source) continue;
      const kind = this.kindsQueued[index]!;
      this.takenTag = this.tagsQueued[index]!;
      this.takenSource = source;
      sources[index] = undefined;
      if (this.head === this.tail || frontWorthReclaiming(this.head, this.tail, COMPACT_AFTER)) this.compact();
      this.count--;
      source.queued = false;
      this.statistics.delivered++;
      // Read before this runs: it may queue the source's next event (a channel's closed event).
      source.taken?.();
      return kind;
    }
    return NO_EVENT;
  }

  /** Removes `source`'s queued event, if any (a cancelled timer's expiry). */
  withdraw(source: EventSource): void {
    if (!source.queued) return;
    source.queued = false;
    const sources = this.sourcesQueued;
    for (let index = this.head; index < this.tail; index++) {
      if (sources[index] === source) {
        sources[index] = undefined;
        this.count--;
        break;
      }
    }
    while (this.head < this.tail && sources[this.head] === undefined) this.head++;
    if (this.head === this.tail) this.compact();
  }

  /** Settles when an event arrives or the process ends: a user domain's parked wait. */
  arrival(): Promise<void> {
    if (this.closedFlag || this.queued > 0) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** The process ended: every queued event is dropped, every waiter released, nothing more queues. */
  close(): void {
    this.closedFlag = true;
    for (let index = this.head; index < this.tail; index++) {
      const source = this.sourcesQueued[index];
      if (source) source.queued = false;
      this.sourcesQueued[index] = undefined;
    }
    this.head = this.tail;
    this.compact();
    this.takenSource = undefined;
    this.count = 0;
    this.sourceCount = 0;
    this.onReady = undefined;
    for (const wake of this.waiters.splice(0)) wake();
  }

  /** Reclaims the taken front of the queue: an emptied queue starts again at 0 over the same arrays. */
  private compact(): void {
    this.tail = this.head < this.tail ? moveToFront(this.head, this.tail, [this.kindsQueued, this.tagsQueued], [this.sourcesQueued]) : 0;
    this.head = 0;
  }
}
