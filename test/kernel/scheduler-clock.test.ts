// When the scheduler reads the clock: before every delivery while a timer is pending (a due timer
// fires between deliveries, at most one delivery late), and with none pending only once the
// deliveries since the last read did enough work for the slice's end to matter.
import { expect } from "chai";
import type { Alarm, TimerDevice } from "../../hal/hil/index.js";
import { ProcessEvents, Scheduler, TimerService, type EventSource } from "../../kernel/events/index.js";
import { SCHEDULER_CLOCK_READ_DELIVERIES, SCHEDULER_CLOCK_READ_FUEL } from "../../kernel/params.js";
import { EventKind } from "../../runtime/abi/index.js";

/** A clock only the test moves, whose alarm never fires: a timer can only fire from the scheduler's own check. */
function handMovedClock() {
  const clock = { time: 0, reads: 0 };
  const alarm: Alarm = { arm: () => undefined, disarm: () => undefined, armed: false };
  const device: TimerDevice = { now: () => clock.time, createAlarm: () => alarm };
  const timers = new TimerService(device);
  const scheduler = new Scheduler(timers, () => { clock.reads++; return clock.time; });
  return { clock, timers, scheduler };
}

/** A process that yields again at each delivery until it has had `deliveries`; `onDelivery` reports each one's fuel. */
function yieldingProcess(scheduler: Scheduler, deliveries: number, onDelivery: () => number | void): ProcessEvents {
  const events = new ProcessEvents(8);
  const source: EventSource = { queued: false };
  let left = deliveries;
  events.addSource("yield");
  scheduler.attach(events, () => {
    const fuel = onDelivery();
    if (--left > 0) events.push(EventKind.yielded, 0, source);
    return fuel;
  });
  events.push(EventKind.yielded, 0, source);
  return events;
}

describe("kernel/scheduler: clock reads", () => {
  const deliveries = 10 * SCHEDULER_CLOCK_READ_DELIVERIES;

  it(`reads the clock once per ${SCHEDULER_CLOCK_READ_DELIVERIES} small deliveries while no timer is pending`, async () => {
    const { clock, scheduler } = handMovedClock();
    yieldingProcess(scheduler, deliveries, () => 1);
    await scheduler.idle();
    expect(scheduler.deliveries).to.equal(deliveries);
    // One at the slice's start, then one before every SCHEDULER_CLOCK_READ_DELIVERIES-th delivery after it.
    expect(clock.reads).to.equal(1 + Math.floor((deliveries - 1) / SCHEDULER_CLOCK_READ_DELIVERIES));
  });

  it(`reads it before the next delivery once ${SCHEDULER_CLOCK_READ_FUEL} fuel was used, or when a delivery's fuel is unknown`, async () => {
    for (const fuelPerDelivery of [SCHEDULER_CLOCK_READ_FUEL, undefined]) {
      const { clock, scheduler } = handMovedClock();
      yieldingProcess(scheduler, 20, () => fuelPerDelivery);
      await scheduler.idle();
      expect(clock.reads).to.equal(20);
    }
  });

  it("fires a timer that fell due during a delivery before the next one, however little fuel deliveries use", async () => {
    const { clock, timers, scheduler } = handMovedClock();
    const log: string[] = [];
    // Each of the busy process's deliveries takes 1 ms of the clock and almost no fuel.
    yieldingProcess(scheduler, 8, () => { log.push("busy"); clock.time += 1; return 1; });
    const sleeper = new ProcessEvents(8);
    sleeper.addSource("timer");
    scheduler.attach(sleeper, () => { log.push(`timer at ${clock.time} ms`); return 1; });
    timers.start(sleeper, 2.5, 0, 7);
    await scheduler.idle();
    // Due at 2.5 ms, seen at 3 ms after the third delivery; the busy process, queued first, has one more turn.
    expect(log.slice(0, 5)).to.deep.equal(["busy", "busy", "busy", "busy", "timer at 4 ms"]);
    expect(clock.reads).to.be.at.least(5);
  });
});
