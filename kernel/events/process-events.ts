// One process's events: the sources it holds (timers, a queued yield), the bounded queue of
// events they have produced, and who hears when the queue stops being empty: the scheduler for
// an in-kernel process, the parked `events.wait` of a user domain.
import { ResourceLimitError } from "../errors.js";

/** Something that produces events for one process; it has at most one event queued at a time. */
export interface EventSource {
  queued: boolean;
  /** Called when its queued event is taken (a one-shot timer releases itself here). */
  taken?(): void;
}

export interface PendingEvent {
  readonly kind: number;
  readonly tag: number;
  readonly source: EventSource;
}

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
  private readonly queue: (PendingEvent | undefined)[] = [];
  private head = 0;
  /** Events in the queue, not counting the holes withdrawn ones leave. */
  private count = 0;
  private sourceCount = 0;
  private closedFlag = false;
  private readonly waiters: (() => void)[] = [];
  readonly statistics: EventStatistics = { delivered: 0, wakeUps: 0, queueHighWater: 0, deliveryFuel: 0, meteredDeliveries: 0, coalesced: 0 };
  /** Told when an event arrives at an empty queue (the scheduler, for in-kernel processes). */
  onReady: (() => void) | undefined;
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
    this.queue.push({ kind, tag, source });
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
    while (this.head < this.queue.length) {
      const event = this.queue[this.head];
      this.queue[this.head++] = undefined;
      if (this.head > 64 && this.head * 2 > this.queue.length) this.compact();
      // Withdrawn events leave a hole.
      if (!event) continue;
      this.count--;
      event.source.queued = false;
      this.statistics.delivered++;
      event.source.taken?.();
      return event;
    }
    return undefined;
  }

  /** Removes `source`'s queued event, if any (a cancelled timer's expiry). */
  withdraw(source: EventSource): void {
    if (!source.queued) return;
    source.queued = false;
    for (let index = this.head; index < this.queue.length; index++) {
      if (this.queue[index]?.source === source) {
        this.queue[index] = undefined;
        this.count--;
        break;
      }
    }
    while (this.head < this.queue.length && this.queue[this.head] === undefined) this.head++;
    if (this.head === this.queue.length) this.compact();
  }

  /** Settles when an event arrives or the process ends: a user domain's parked wait. */
  arrival(): Promise<void> {
    if (this.closedFlag || this.queued > 0) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** The process ended: every queued event is dropped, every waiter released, nothing more queues. */
  close(): void {
    this.closedFlag = true;
    for (let index = this.head; index < this.queue.length; index++) {
      const event = this.queue[index];
      if (event) event.source.queued = false;
    }
    this.queue.length = 0;
    this.head = 0;
    this.count = 0;
    this.sourceCount = 0;
    this.onReady = undefined;
    for (const wake of this.waiters.splice(0)) wake();
  }

  private compact(): void {
    this.queue.splice(0, this.head);
    this.head = 0;
  }
}
