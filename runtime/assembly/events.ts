// Event-driven apps (docs/process-model.md): an app asks for events (a timer, a yield) with a
// callback, `main` returns, and the kernel delivers each event through the exported `dispatch`:
// directly in the kernel domain, from `serve`'s loop in a user domain. The same binary runs in
// both. Callbacks are plain function references (no closures); the tag the kernel hands back
// indexes the registration that holds the callback.
import { Batch } from "./batch";
import * as capabilityCalls from "./bindings/capabilities.generated";
import * as eventCalls from "./bindings/events.generated";
import * as processCalls from "./bindings/process.generated";
import * as timerCalls from "./bindings/timers.generated";

/** Event kinds as numbered at the ABI (runtime/abi/events.ts). */
export const EVENT_TIMER: u32 = 1;
export const EVENT_YIELDED: u32 = 2;
export const EVENT_MESSAGE: u32 = 3;
export const EVENT_CLOSED: u32 = 4;
/** A watched socket can be read without waiting (sockets.watch). */
export const EVENT_READABLE: u32 = 5;
/** A watched socket can take data again. */
export const EVENT_WRITABLE: u32 = 6;

const NANOSECONDS_PER_MILLISECOND: u64 = 1_000_000;

/** What events.wait answers when no event is queued, and when none can ever come. */
const WOULD_BLOCK: i64 = -11;
const NO_EVENT_SOURCES: i64 = -42;

/**
 * Something the app asked events for; `dispatch` calls `fire` with each of its events, and
 * `deliver` calls `deliver` with each message the kernel received for a subscribed endpoint.
 * `completed` hears that calls it queued with the next wait (`Batches.withNextWait`) have run.
 */
export class Registration {
  tag: u32 = 0;
  fire(kind: u32): void {}
  /** The calls queued for this registration ran: entries from `first` on in `batch`. */
  completed(batch: Batch, first: i32): void {}
  /** Only subscribed endpoints take messages; anything else lets what a message carried go. */
  deliver(message: u32, attachment: u32): void {
    if (attachment != 0) capabilityCalls.drop(attachment);
  }
}

// Made on first use, not at start-up: a module-level `new` would give every module that imports
// the runtime a start function (one more crossing to start a user-domain instance).
let registrationTable: Array<Registration | null> | null = null;
let freeTagList: Array<u32> | null = null;

function registrations(): Array<Registration | null> {
  let table = registrationTable;
  if (table === null) registrationTable = table = new Array<Registration | null>();
  return table;
}

function freeTags(): Array<u32> {
  let list = freeTagList;
  if (list === null) freeTagList = list = new Array<u32>();
  return list;
}

export function register(registration: Registration): u32 {
  let tag: u32;
  const table = registrations();
  const free = freeTags();
  if (free.length > 0) {
    tag = free.pop();
    table[<i32>tag] = registration;
  } else {
    tag = <u32>table.length;
    table.push(registration);
  }
  registration.tag = tag;
  return tag;
}

export function unregister(tag: u32): void {
  const table = registrations();
  if (<i32>tag < table.length && table[<i32>tag] !== null) {
    table[<i32>tag] = null;
    freeTags().push(tag);
  }
}

export type TimerCallback = (timer: Timer) => void;

/**
 * Timers' callbacks by tag, beside the registrations rather than in the Timer: a class may not
 * hold a function that takes the class itself (AssemblyScript has no recursive types).
 */
let timerCallbackList: Array<TimerCallback | null> | null = null;

/** By tag; an array, not a Map: tags are small and dense, and a Map's code would be in every app. */
function timerCallbacks(): Array<TimerCallback | null> {
  let list = timerCallbackList;
  if (list === null) timerCallbackList = list = new Array<TimerCallback | null>();
  return list;
}

/** Sets the callback for `tag` in a list of callbacks by tag, growing it with empty places. */
export function setCallbackByTag<T>(list: Array<T | null>, tag: u32, callback: T | null): void {
  while (list.length <= <i32>tag) list.push(null);
  list[<i32>tag] = callback;
}

/** The callback for `tag` in a list of callbacks by tag, or null. */
export function callbackByTag<T>(list: Array<T | null>, tag: u32): T | null {
  return <i32>tag < list.length ? list[<i32>tag] : null;
}

/** A one-shot or periodic timer (needs the clock capability). */
export class Timer extends Registration {
  /** The timer's handle, or the negated error code when the kernel refused it. */
  handle: i32 = 0;
  /** Expiries delivered so far. */
  fired: u32 = 0;
  active: bool = false;
  periodic: bool = false;

  /** Calls `callback` once, `milliseconds` from now. */
  static after(milliseconds: u64, callback: TimerCallback): Timer {
    return Timer.start(milliseconds, 0, callback);
  }

  /** Calls `callback` every `milliseconds` (at least 1), the first time one period from now. */
  static every(milliseconds: u64, callback: TimerCallback): Timer {
    return Timer.start(milliseconds, milliseconds, callback);
  }

  /** The general form: first expiry after `delay`, then every `period` (0: once). */
  static start(delayMilliseconds: u64, periodMilliseconds: u64, callback: TimerCallback): Timer {
    const timer = new Timer();
    timer.periodic = periodMilliseconds > 0;
    const tag = register(timer);
    timer.handle = timerCalls.start(delayMilliseconds * NANOSECONDS_PER_MILLISECOND, periodMilliseconds * NANOSECONDS_PER_MILLISECOND, tag);
    if (timer.handle < 0) {
      unregister(tag);
    } else {
      timer.active = true;
      setCallbackByTag<TimerCallback>(timerCallbacks(), tag, callback);
    }
    return timer;
  }

  /** Whether the kernel accepted the timer. */
  get ok(): bool { return this.handle >= 0; }

  /** Stops the timer; no callback comes after this returns. */
  cancel(): void {
    if (!this.active) return;
    this.active = false;
    timerCalls.cancel(<u32>this.handle);
    setCallbackByTag<TimerCallback>(timerCallbacks(), this.tag, null);
    unregister(this.tag);
  }

  fire(kind: u32): void {
    const callback = callbackByTag<TimerCallback>(timerCallbacks(), this.tag);
    if (callback === null) return;
    this.fired++;
    if (!this.periodic) {
      // The kernel released a one-shot timer's handle when it handed over the event.
      this.active = false;
      setCallbackByTag<TimerCallback>(timerCallbacks(), this.tag, null);
      unregister(this.tag);
    }
    callback(this);
  }
}

export type DeferredCallback = () => void;

class Deferred extends Registration {
  callback: DeferredCallback | null = null;

  fire(kind: u32): void {
    unregister(this.tag);
    const callback = this.callback;
    if (callback !== null) callback();
  }
}

/** Running later, after others. */
export class Scheduler {
  /**
   * Calls `callback` once every other ready process has had a turn (process.yield): a long
   * computation does a slice, defers the rest and returns. Returns 0 or a negative error (12 when
   * a deferral is already pending: one at a time).
   */
  static defer(callback: DeferredCallback): i32 {
    const deferred = new Deferred();
    deferred.callback = callback;
    const tag = register(deferred);
    const result = processCalls.yieldNow(tag);
    if (result < 0) unregister(tag);
    return result;
  }
}

/**
 * Entries a queue of handlers' calls holds before it runs them early: an event's handler queues a
 * few (an echo is two), and 64 keep each queue at 2.5 KB of the app's memory.
 */
const QUEUED_CALL_ENTRIES: i32 = 64;

/** Calls queued by handlers, and whom to tell once they have run. */
class QueuedCalls {
  readonly batch: Batch = new Batch(QUEUED_CALL_ENTRIES);
  readonly waiting: Array<Registration> = new Array<Registration>();
  readonly firsts: Array<i32> = new Array<i32>();
}

// Two queues, made on first use: handlers fill one while the other's calls run and their
// `completed` callbacks (which may queue more) are called.
let fillingCalls: QueuedCalls | null = null;
let spareCalls: QueuedCalls | null = null;
/** The queue whose callbacks are being called: never handed out for filling meanwhile. */
let completingCalls: QueuedCalls | null = null;
/** Set while the runtime delivers an event: calls queued then go at its end or with the next wait. */
let delivering = false;

function fillingQueue(): QueuedCalls {
  let calls = fillingCalls;
  if (calls === null) fillingCalls = calls = new QueuedCalls();
  return calls;
}

/** Takes what is queued, to be run, and leaves handlers an empty queue. */
function takeQueued(): QueuedCalls {
  const taken = fillingQueue();
  let next = spareCalls;
  if (next === null || next === completingCalls) next = new QueuedCalls();
  next.batch.clear();
  next.waiting.length = 0;
  next.firsts.length = 0;
  fillingCalls = next;
  spareCalls = taken;
  return taken;
}

/** Tells each registration that its calls ran (their statuses and results are in the batch). */
function completeQueued(calls: QueuedCalls): void {
  const outer = completingCalls;
  completingCalls = calls;
  for (let index = 0; index < calls.waiting.length; index++) unchecked(calls.waiting[index]).completed(calls.batch, unchecked(calls.firsts[index]));
  completingCalls = outer;
}

/** Whether a handler queued calls; false, without making a queue, when none ever did. */
function anyQueued(): bool {
  const calls = fillingCalls;
  return calls !== null && calls.batch.length > 0;
}

/** Runs what is queued now, with batch.submit, and then its callbacks, until nothing is queued. */
function runQueued(): void {
  while (anyQueued()) {
    const calls = takeQueued();
    const completed = calls.batch.submit();
    if (completed < 0) calls.batch.failAll(completed);
    completeQueued(calls);
  }
}

function nothingToDo(): void {}

/** Kernel calls that go to the kernel together: see `Batches.withNextWait`. */
export class Batches {
  /**
   * The batch that goes to the kernel with the process's next wait, with room for `count` more
   * entries, which the caller adds now; they are `registration`'s. They run after the handler
   * that queued them returns and before the next event is delivered, in one kernel entry with
   * that event's wait in a user domain (batch.submit-and-wait: one crossing per event), at the
   * end of the delivery in the kernel domain (one batch.submit, a function call there). Then
   * `registration.completed(batch, first)` is called, `first` the index of its first entry.
   * Queued outside a handler (in `main`), they go with the first delivery, for which the runtime
   * asks (a `Scheduler.defer`). When the batch is full, what it holds runs at once and its
   * callbacks are called before this returns.
   */
  static withNextWait(registration: Registration, count: i32): Batch {
    let calls = fillingQueue();
    if (calls.batch.length + count > calls.batch.capacity) {
      runQueued();
      calls = fillingQueue();
    }
    if (!delivering && calls.batch.length == 0) Scheduler.defer(nothingToDo);
    calls.waiting.push(registration);
    calls.firsts.push(calls.batch.length);
    return calls.batch;
  }
}

/** Delivers one event to its registration. */
function deliverEvent(kind: u32, tag: u32): void {
  const table = registrations();
  if (<i32>tag >= table.length) return;
  const registration = table[<i32>tag];
  if (registration !== null) registration.fire(kind);
}

/**
 * The world's `dispatch` export (the kernel domain's delivery): delivers one event to its
 * registration, then runs the calls its handler queued. Apps re-export it.
 */
export function dispatch(kind: u32, tag: u32): void {
  delivering = true;
  deliverEvent(kind, tag);
  if (anyQueued()) runQueued();
  delivering = false;
}

/**
 * The `deliver` export (outside the WIT world; docs/abi/channels.md): in the kernel domain, a
 * message the kernel received for a subscribed endpoint. Apps re-export it with `dispatch`; an app
 * that never subscribes is never called through it.
 */
export function deliver(tag: u32, message: u32, attachment: u32): void {
  // The hot path of a request/reply: the table as it is (a delivery comes only after a
  // registration made it) and no second bounds check.
  const table = registrationTable;
  const registration = table !== null && <i32>tag < table.length ? unchecked(table[<i32>tag]) : null;
  delivering = true;
  if (registration !== null) registration.deliver(message, attachment);
  else if (attachment != 0) capabilityCalls.drop(attachment);
  if (anyQueued()) runQueued();
  delivering = false;
}

/**
 * The world's `serve` export: a user domain's event loop, run by the kernel after `main`. Waits
 * for each event (a kernel call that holds no CPU while nothing is queued) and delivers it, until
 * none can come. What the last handler queued (`Batches.withNextWait`) goes with the wait, in one
 * crossing (batch.submit-and-wait); with nothing queued the wait is `events.wait`. Apps re-export it.
 */
export function serve(): void {
  delivering = true;
  for (;;) {
    let event: i64;
    if (anyQueued()) {
      const calls = takeQueued();
      const batch = calls.batch;
      event = batch.submitAndWait();
      // An error other than the wait's own two concerns the whole batch: none of it ran.
      if (event < 0 && event != WOULD_BLOCK && event != NO_EVENT_SOURCES) batch.failAll(<i32>event);
      completeQueued(calls);
      // It did not wait because an entry failed (or its host cannot wait): the callbacks have
      // seen to that, and the next round waits, with whatever they queued.
      if (event == WOULD_BLOCK) continue;
    } else {
      event = eventCalls.wait();
    }
    if (event < 0) {
      // No event, but the callbacks queued more: those still go to the kernel.
      if (anyQueued()) continue;
      delivering = false;
      return;
    }
    deliverEvent(<u32>(event >>> 32), <u32>event);
  }
}
