// Time: a monotonic clock and one-shot alarms whose expiry is delivered to a client, as Tock's
// Alarm/AlarmClient pair.

export interface Clock {
  /** Monotonic milliseconds (fractional). */
  now(): number;
  /**
   * The same monotonic clock in whole nanoseconds, from an origin of the device's choosing, when
   * the device can read it as a 64-bit integer directly. Optional: the kernel's u64 clock call
   * uses it when present, because converting `now()` to a bigint costs more than the reading.
   */
  monotonicNanoseconds?(): bigint;
}

export interface AlarmClient {
  alarmFired(alarm: Alarm): void;
}

export interface Alarm {
  /** Fires `client.alarmFired` once, `delayMilliseconds` from now; re-arming replaces the previous setting. */
  arm(delayMilliseconds: number, client: AlarmClient): void;
  disarm(): void;
  readonly armed: boolean;
}

export interface TimerDevice extends Clock {
  createAlarm(): Alarm;
}
