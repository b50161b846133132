// The scheduler: one run queue of in-kernel processes that have events to deliver, served round
// robin, one delivery per turn. A delivery runs to completion under its own fuel budget, and due
// timers are fired between deliveries, so a busy process delays another's timer by at most one
// delivery. User-domain processes are not queued here: their own threads take events with
// `events.wait`, and an arriving event wakes the parked call.
import { MAX_DELIVERIES_PER_SLICE, SCHEDULER_CLOCK_READ_DELIVERIES, SCHEDULER_CLOCK_READ_FUEL, SCHEDULER_SLICE_MILLISECONDS } from "../params.js";
import { NO_EVENT, type EventSource, type ProcessEvents } from "./process-events.js";
import { frontWorthReclaiming, moveToFront } from "./queue-front.js";
import type { TimerService } from "./timers.js";

/**
 * Runs one event of an in-kernel process: calls its `dispatch` and ends the process if need be.
 * Returns the fuel the delivery used, which bounds how long it took; nothing when that is not
 * known (the scheduler then reads the clock before the next delivery).
 */
export type Deliver = (kind: number, tag: number, source: EventSource) => number | void;

/** A taken front of the run queue longer than this (and than what is left) is reclaimed. */
const RUN_QUEUE_COMPACT_AFTER = 1024;

interface Runnable {
  readonly events: ProcessEvents;
  readonly deliver: Deliver;
  inRunQueue: boolean;
}

export class Scheduler {
  // The run queue is used from `head` to `tail` and starts again at 0 whenever it empties, which a
  // pair of processes talking to each other makes it do on every delivery.
  private readonly runQueue: (Runnable | undefined)[] = [];
  private head = 0;
  private tail = 0;
  private scheduled = false;
  private readonly idleWaiters: (() => void)[] = [];
  /** Deliveries made, over all processes (for benchmarks and statistics). */
  deliveries = 0;

  /** `timers`: fired between deliveries when due; `now`: the clock slices are measured by. */
  constructor(private readonly timers: TimerService | undefined, private readonly now: () => number) {}

  /** Delivers `events` through `deliver` from now on, starting with whatever is already queued. */
  attach(events: ProcessEvents, deliver: Deliver): void {
    const runnable: Runnable = { events, deliver, inRunQueue: false };
    events.onReady = () => this.enqueue(runnable);
    events.onHostActivity = this.deliverSoon;
    if (events.queued > 0) this.enqueue(runnable);
  }

  /** Processes waiting for their turn. */
  get runnable(): number {
    return this.tail - this.head;
  }

  /** Settles once the run queue is empty (tests use it after moving a virtual clock). */
  idle(): Promise<void> {
    if (this.runnable === 0 && !this.scheduled) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private soon = false;

  /**
   * Host I/O made a process ready (a socket's data arrived): deliver right after the host's
   * callback returns, from inside the event-loop phase that read the data, instead of a whole turn
   * later, so an in-kernel server answers as soon as a plain Node server would. A microtask runs
   * only once the callback's stack is empty, so no handler runs inside anything else; the slice
   * it runs is bounded as every slice is, and what it leaves continues through setImmediate. Only
   * host I/O asks for this: readiness from kernel calls and timers keeps the turn-based order
   * (processes started together take turns from their first event).
   */
  private readonly deliverSoon = (): void => {
    if (this.soon || this.head === this.tail) return;
    this.soon = true;
    queueMicrotask(this.runSoon);
  };

  private readonly runSoon = (): void => {
    this.soon = false;
    // A setImmediate slice may also be pending: whichever runs first delivers, the other finds less or nothing.
    if (this.head < this.tail) this.runSlice();
  };

  private enqueue(runnable: Runnable): void {
    if (runnable.inRunQueue) return;
    this.append(runnable);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.runSlice);
    }
  }

  private append(runnable: Runnable): void {
    runnable.inRunQueue = true;
    this.runQueue[this.tail++] = runnable;
  }

  /** Takes the runnable at the head; the queue starts again at 0 once it is empty. */
  private next(): Runnable {
    const runnable = this.runQueue[this.head]!;
    this.runQueue[this.head++] = undefined;
    if (this.head === this.tail) {
      this.head = 0;
      this.tail = 0;
    } else if (frontWorthReclaiming(this.head, this.tail, RUN_QUEUE_COMPACT_AFTER)) {
      this.tail = moveToFront(this.head, this.tail, [], [this.runQueue]);
      this.head = 0;
    }
    runnable.inRunQueue = false;
    return runnable;
  }

  /**
   * Delivers round robin until the queue empties, the slice's time is up or its delivery count is
   * (a virtual clock never moves inside a slice), then lets Node's event loop turn. The clock is
   * read before every delivery while a timer is pending, so a due timer is fired between
   * deliveries, at most one delivery late; with none pending, only after enough work for the
   * slice's end to matter (SCHEDULER_CLOCK_READ_FUEL, SCHEDULER_CLOCK_READ_DELIVERIES).
   */
  private readonly runSlice = (): void => {
    const timers = this.timers;
    let now = this.now();
    const sliceEnd = now + SCHEDULER_SLICE_MILLISECONDS;
    let delivered = 0;
    let fuelSinceClockRead = 0;
    let deliveriesSinceClockRead = 0;
    while (this.head < this.tail) {
      if ((timers && timers.pending > 0) || fuelSinceClockRead >= SCHEDULER_CLOCK_READ_FUEL || deliveriesSinceClockRead >= SCHEDULER_CLOCK_READ_DELIVERIES) {
        now = this.now();
        fuelSinceClockRead = 0;
        deliveriesSinceClockRead = 0;
        if (timers && timers.nextDeadline <= now) timers.fireDue(now);
        if (delivered > 0 && now >= sliceEnd) break;
      }
      const runnable = this.next();
      const events = runnable.events;
      const kind = events.takeNext();
      if (kind !== NO_EVENT) {
        const fuel = runnable.deliver(kind, events.takenTag, events.takenSource!);
        fuelSinceClockRead += typeof fuel === "number" ? fuel : Infinity;
        deliveriesSinceClockRead++;
        this.deliveries++;
        delivered++;
      }
      // Back of the queue: every other runnable process has its turn first. An event the delivery
      // itself queued (a yield) may have put it there already: once is all, or each yielding turn
      // would add a place and a busy process would take ever more turns than the others.
      if (!runnable.inRunQueue && runnable.events.queued > 0 && !runnable.events.closed) this.append(runnable);
      if (delivered >= MAX_DELIVERIES_PER_SLICE) break;
    }
    if (this.head === this.tail) {
      this.scheduled = false;
      for (const wake of this.idleWaiters.splice(0)) wake();
      return;
    }
    setImmediate(this.runSlice);
  };
}
