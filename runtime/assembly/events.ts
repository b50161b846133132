// Event-driven apps (docs/process-model.md): an app asks for events (a timer, a yield) with a
// callback, `main` returns, and the kernel delivers each event through the exported `dispatch`:
// directly in the kernel domain, from `serve`'s loop in a user domain. The same binary runs in
// both. Callbacks are plain function references (no closures); the tag the kernel hands back
// indexes the registration that holds the callback.
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

/**
 * Something the app asked events for; `dispatch` calls `fire` with each of its events, and
 * `deliver` calls `deliver` with each message the kernel received for a subscribed endpoint.
 */
export class Registration {
  tag: u32 = 0;
  fire(kind: u32): void {}
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

/** The world's `dispatch` export: delivers one event to its registration. Apps re-export it. */
export function dispatch(kind: u32, tag: u32): void {
  const table = registrations();
  if (<i32>tag >= table.length) return;
  const registration = table[<i32>tag];
  if (registration !== null) registration.fire(kind);
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
  if (registration !== null) registration.deliver(message, attachment);
  else if (attachment != 0) capabilityCalls.drop(attachment);
}

/**
 * The world's `serve` export: a user domain's event loop, run by the kernel after `main`. Waits
 * in `events.wait` (a kernel call that holds no CPU while nothing is queued) and delivers each
 * event until none can come. Apps re-export it.
 */
export function serve(): void {
  for (;;) {
    const event = eventCalls.wait();
    if (event < 0) return;
    dispatch(<u32>(event >>> 32), <u32>event);
  }
}
