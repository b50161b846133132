// Time: a monotonic clock and one-shot alarms whose expiry is delivered to a client, as Tock's
// Alarm/AlarmClient pair.

export interface Clock {
  /** Monotonic milliseconds (fractional). */
  now(): number;
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
