// Timers: every process's timers in one deadline-ordered heap, behind one HAL alarm armed for the
// earliest deadline (hal/hil/time.ts). On the sim HAL the alarm is the virtual clock's, so timer
// behaviour is exact and reproducible.
import type { Alarm, AlarmClient, TimerDevice } from "../../hal/hil/index.js";
import { EventKind } from "../../runtime/abi/index.js";
import { MAX_TIMER_MILLISECONDS } from "../params.js";
import type { EventSource, ProcessEvents } from "./process-events.js";

export class KernelTimer implements EventSource {
  queued = false;
  /** Position in the service's heap; -1 once it left it (a fired one-shot, a cancelled timer). */
  heapIndex = -1;
  /** Arming order, so equal deadlines fire in the order they were set. */
  sequence = 0;
  /** Released: cancelled, or a one-shot whose event was taken. */
  released = false;
  /** Called once when a one-shot timer's event is taken: its handle is released then. */
  onSpent: (() => void) | undefined;

  constructor(
    readonly owner: ProcessEvents,
    /** Monotonic milliseconds (the HAL timer's clock) of the next expiry. */
    public deadline: number,
    /** 0 for a one-shot timer. */
    readonly periodMilliseconds: number,
    readonly tag: number,
  ) {}

  taken(): void {
    if (this.periodMilliseconds === 0 && this.heapIndex < 0) this.onSpent?.();
  }
}

export class TimerService implements AlarmClient {
  private readonly heap: KernelTimer[] = [];
  private readonly alarm: Alarm;
  private sequence = 0;
  /** The deadline the alarm is armed for, so re-arming happens only when the earliest one changes. */
  private armedFor = Infinity;

  constructor(private readonly device: TimerDevice) {
    this.alarm = device.createAlarm();
  }

  now(): number {
    return this.device.now();
  }

  /** The earliest deadline of any timer, Infinity with none. */
  get nextDeadline(): number {
    return this.heap[0]?.deadline ?? Infinity;
  }

  /** Timers waiting to expire, over all processes. */
  get pending(): number {
    return this.heap.length;
  }

  /** A new timer for `owner` (its source is counted by the caller). */
  start(owner: ProcessEvents, delayMilliseconds: number, periodMilliseconds: number, tag: number): KernelTimer {
    const timer = new KernelTimer(owner, this.device.now() + delayMilliseconds, periodMilliseconds, tag);
    this.insert(timer);
    this.rearm();
    return timer;
  }

  /** Stops `timer` and withdraws its queued event; its source is released. Idempotent. */
  cancel(timer: KernelTimer): void {
    if (timer.released) return;
    timer.released = true;
    if (timer.heapIndex >= 0) {
      this.remove(timer.heapIndex);
      this.rearm();
    }
    timer.owner.withdraw(timer);
    timer.owner.removeSource();
  }

  /** Fires every timer whose deadline has passed, earliest first. */
  fireDue(now: number = this.device.now()): void {
    for (;;) {
      const timer = this.heap[0];
      if (!timer || timer.deadline > now) break;
      this.remove(0);
      if (!timer.owner.push(EventKind.timer, timer.tag, timer)) timer.owner.statistics.coalesced++;
      if (timer.periodMilliseconds > 0) {
        // The next deadline follows the last, not the firing time: no drift. Missed periods
        // (a kernel busier than the period) are counted as coalesced, not fired in a burst.
        timer.deadline += timer.periodMilliseconds;
        if (timer.deadline <= now) {
          const missed = Math.floor((now - timer.deadline) / timer.periodMilliseconds) + 1;
          timer.owner.statistics.coalesced += missed;
          timer.deadline += missed * timer.periodMilliseconds;
        }
        this.insert(timer);
      }
    }
    this.rearm();
  }

  alarmFired(): void {
    this.armedFor = Infinity;
    this.fireDue();
  }

  private rearm(): void {
    const next = this.nextDeadline;
    if (next === this.armedFor) return;
    this.armedFor = next;
    if (next === Infinity) {
      this.alarm.disarm();
      return;
    }
    // Node's timers take at most 2^31 − 1 ms; a later deadline re-arms when that alarm fires.
    this.alarm.arm(Math.min(Math.max(0, next - this.device.now()), MAX_TIMER_MILLISECONDS), this);
  }

  // --- the heap, ordered by (deadline, sequence) ------------------------------------------

  private before(a: KernelTimer, b: KernelTimer): boolean {
    return a.deadline < b.deadline || (a.deadline === b.deadline && a.sequence < b.sequence);
  }

  private insert(timer: KernelTimer): void {
    timer.sequence = ++this.sequence;
    timer.heapIndex = this.heap.length;
    this.heap.push(timer);
    this.siftUp(timer.heapIndex);
  }

  private remove(index: number): void {
    const heap = this.heap;
    const removed = heap[index]!;
    const last = heap.pop()!;
    removed.heapIndex = -1;
    if (index === heap.length) return;
    heap[index] = last;
    last.heapIndex = index;
    this.siftDown(index);
    this.siftUp(last.heapIndex);
  }

  private siftUp(index: number): void {
    const heap = this.heap;
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if (!this.before(heap[index]!, heap[parent]!)) break;
      this.swap(index, parent);
      index = parent;
    }
  }

  private siftDown(index: number): void {
    const heap = this.heap;
    for (;;) {
      const left = index * 2 + 1;
      const right = left + 1;
      let smallest = index;
      if (left < heap.length && this.before(heap[left]!, heap[smallest]!)) smallest = left;
      if (right < heap.length && this.before(heap[right]!, heap[smallest]!)) smallest = right;
      if (smallest === index) break;
      this.swap(index, smallest);
      index = smallest;
    }
  }

  private swap(a: number, b: number): void {
    const heap = this.heap;
    const first = heap[a]!;
    const second = heap[b]!;
    heap[a] = second;
    heap[b] = first;
    first.heapIndex = b;
    second.heapIndex = a;
  }
}
