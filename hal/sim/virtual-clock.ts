// A virtual clock: time moves only when a test says so, and alarms fire in deadline order
// inside `advance`, so timer-driven behaviour is exactly reproducible.
import type { Alarm, AlarmClient, TimerDevice } from "../hil/index.js";

class VirtualAlarm implements Alarm {
  deadline = 0;
  client: AlarmClient | undefined;
  /** Arming order, to break deadline ties deterministically. */
  order = 0;

  constructor(private readonly clock: VirtualClock) {}

  get armed(): boolean { return this.client !== undefined; }

  arm(delayMilliseconds: number, client: AlarmClient): void {
    this.deadline = this.clock.now() + Math.max(0, delayMilliseconds);
    this.client = client;
    this.order = this.clock.nextOrder();
  }

  disarm(): void { this.client = undefined; }
}

export class VirtualClock implements TimerDevice {
  private time = 0;
  private ordering = 0;
  private readonly alarms = new Set<VirtualAlarm>();

  now(): number { return this.time; }

  createAlarm(): Alarm {
    const alarm = new VirtualAlarm(this);
    this.alarms.add(alarm);
    return alarm;
  }

  /** @internal */
  nextOrder(): number { return ++this.ordering; }

  /** Moves time forward by `milliseconds`, firing every alarm that falls due, earliest first. */
  advance(milliseconds: number): void {
    const target = this.time + milliseconds;
    for (;;) {
      let next: VirtualAlarm | undefined;
      for (const alarm of this.alarms) {
        if (!alarm.client || alarm.deadline > target) continue;
        if (!next || alarm.deadline < next.deadline || (alarm.deadline === next.deadline && alarm.order < next.order)) next = alarm;
      }
      if (!next) break;
      this.time = Math.max(this.time, next.deadline);
      const client = next.client!;
      next.client = undefined;
      client.alarmFired(next);
    }
    this.time = target;
  }

  /** Alarms currently armed. */
  get pendingAlarms(): number {
    let count = 0;
    for (const alarm of this.alarms) if (alarm.client) count++;
    return count;
  }
}
