// The Node timer device: a monotonic clock from performance.now (and hrtime as a bigint) and
// alarms on setTimeout.
import { performance } from "node:perf_hooks";
import type { Alarm, AlarmClient, TimerDevice } from "../hil/index.js";

class NodeAlarm implements Alarm {
  private timeout: NodeJS.Timeout | undefined;

  get armed(): boolean { return this.timeout !== undefined; }

  arm(delayMilliseconds: number, client: AlarmClient): void {
    this.disarm();
    this.timeout = setTimeout(() => {
      this.timeout = undefined;
      client.alarmFired(this);
    }, Math.max(0, delayMilliseconds));
  }

  disarm(): void {
    if (this.timeout !== undefined) clearTimeout(this.timeout);
    this.timeout = undefined;
  }
}

export class NodeTimer implements TimerDevice {
  now(): number { return performance.now(); }
  /** Both read the same monotonic clock (uv_hrtime); hrtime.bigint skips the float and its conversion. */
  monotonicNanoseconds(): bigint { return process.hrtime.bigint(); }
  createAlarm(): Alarm { return new NodeAlarm(); }
}
