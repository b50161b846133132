// Conformance: timers on the sim HAL's virtual clock — exact deadlines, periods without drift,
// cancelling and dropping, handles released, ordering and coalescing — in both domains.
import { expect } from "chai";
import type { Domain } from "../../kernel/index.js";
import { EventKernel } from "../helpers/event-kernel.js";
import { eventApp, eventManifest, int, line, long, startTimer, text } from "../helpers/event-apps.js";

const DOMAINS: readonly Domain[] = ["kernel", "user"];

/** Starts one timer in main and returns 0; every event is printed with its virtual time. */
async function oneTimerApp(delayMilliseconds: number, periodMilliseconds: number, tag: number) {
  return eventApp({ main: `(drop ${startTimer(delayMilliseconds, periodMilliseconds, tag)}) (i32.const 0)` });
}

/** What clock.now reads at `milliseconds` of virtual time: nanoseconds since boot. */
const nanosecondsAt = (milliseconds: number) => String(milliseconds * 1_000_000);

for (const domain of DOMAINS) {
  describe(`kernel/timers in the ${domain} domain`, () => {
    it("fires a one-shot timer exactly at its deadline, then the process ends with main's code", async () => {
      const system = new EventKernel();
      const app = system.spawn(system.load(await oneTimerApp(10, 0, 7), eventManifest("once")), { domain });
      await system.settle();
      await system.stepThrough(15);
      expect(system.timeline("once")).to.deep.equal([`10: timer 7 at ${nanosecondsAt(10)}`]);
      expect(await app.status).to.deep.equal({ kind: "exited", code: 0 });
      expect(app.process.events.statistics.delivered).to.equal(1);
    });

    it("fires a periodic timer at delay, delay + period, delay + 2·period…, to the nanosecond", async () => {
      const system = new EventKernel();
      const app = system.spawn(system.load(await oneTimerApp(5, 3, 2), eventManifest("periodic")), { domain });
      await system.settle();
      await system.stepThrough(15);
      expect(system.timeline("periodic")).to.deep.equal([5, 8, 11, 14].map((time) => `${time}: timer 2 at ${nanosecondsAt(time)}`));
      system.kernel.kill(app.process, "the test is over");
      expect((await app.status).kind).to.equal("faulted");
    });

    it("keeps a periodic timer's deadlines on its grid when a delivery comes late: no drift", async () => {
      const system = new EventKernel();
      const app = system.spawn(system.load(await oneTimerApp(5, 3, 1), eventManifest("late")), { domain });
      await system.settle();
      // The first expiry is delivered at 7 ms, 2 ms late; the next deadline is still 8, not 10.
      await system.advance(7);
      await system.advance(1);
      await system.advance(3);
      expect(system.timeline("late")).to.deep.equal([`7: timer 1 at ${nanosecondsAt(7)}`, `8: timer 1 at ${nanosecondsAt(8)}`, `11: timer 1 at ${nanosecondsAt(11)}`]);
      system.kernel.kill(app.process, "the test is over");
      await app.status;
    });

    it("counts a periodic expiry whose previous event is still queued as coalesced, and queues it once", async () => {
      const system = new EventKernel();
      const app = system.spawn(system.load(await oneTimerApp(5, 3, 1), eventManifest("coalesced")), { domain });
      await system.settle();
      // Expiries at 5, 8 and 11 ms happen inside one clock step, before any delivery can run.
      await system.advance(12);
      const statistics = app.process.events.statistics;
      expect(system.timeline("coalesced")).to.deep.equal([`12: timer 1 at ${nanosecondsAt(12)}`]);
      expect(statistics.coalesced).to.equal(2);
      expect(statistics.queueHighWater).to.equal(1);
      expect(statistics.delivered).to.equal(1);
      await system.advance(2);
      expect(system.timeline("coalesced")).to.have.length(2);
      system.kernel.kill(app.process, "the test is over");
      await app.status;
    });

    it("fires timers with equal deadlines in the order they were started", async () => {
      const system = new EventKernel();
      const main = [3, 1, 2, 0].map((tag) => `(drop ${startTimer(5, 0, tag)})`).join(" ") + " (i32.const 0)";
      const app = system.spawn(system.load(await eventApp({ main }), eventManifest("ordered")), { domain });
      await system.settle();
      await system.stepThrough(6);
      expect(system.timeline("ordered")).to.deep.equal([3, 1, 2, 0].map((tag) => `5: timer ${tag} at ${nanosecondsAt(5)}`));
      expect(await app.status).to.deep.equal({ kind: "exited", code: 0 });
    });

    it("fires a timer set later for the same deadline after the one set first", async () => {
      const system = new EventKernel();
      // Timer 1 is set at 0 ms for 10 ms; timer 2's handler at 4 ms sets timer 3, also for 10 ms.
      const bytes = await eventApp({
        main: `(drop ${startTimer(10, 0, 1)}) (drop ${startTimer(4, 0, 2)}) (i32.const 0)`,
        dispatch: `${line(text("timer"), int("(local.get $tag)"))} (if (i32.eq (local.get $tag) (i32.const 2)) (then (drop ${startTimer(6, 0, 3)})))`,
      });
      const app = system.spawn(system.load(bytes, eventManifest("later")), { domain });
      await system.settle();
      await system.stepThrough(10);
      expect(system.timeline("later")).to.deep.equal(["4: timer 2", "10: timer 1", "10: timer 3"]);
      expect(await app.status).to.deep.equal({ kind: "exited", code: 0 });
    });

    for (const how of ["timers.cancel", "capabilities.drop"] as const) {
      const call = how === "timers.cancel" ? "$timerCancel" : "$capabilityDrop";

      it(`stops a periodic timer with ${how}: no event after it, and the process ends`, async () => {
        const system = new EventKernel();
        const bytes = await eventApp({
          globals: ["handle", "fired"],
          main: `(global.set $handle ${startTimer(2, 2, 4)}) (i32.const 3)`,
          dispatch: `
            (global.set $fired (i32.add (global.get $fired) (i32.const 1)))
            ${line(text("timer"), int("(global.get $fired)"), text("at"), long("(call $now)"))}
            (if (i32.eq (global.get $fired) (i32.const 2))
              (then ${line(text(how === "timers.cancel" ? "cancel" : "drop"), int(`(call ${call} (global.get $handle))`))}))`,
        });
        const app = system.spawn(system.load(bytes, eventManifest("stopped")), { domain });
        await system.settle();
        await system.stepThrough(10);
        expect(system.timeline("stopped")).to.deep.equal([`2: timer 1 at ${nanosecondsAt(2)}`, `4: timer 2 at ${nanosecondsAt(4)}`, `4: ${how === "timers.cancel" ? "cancel" : "drop"} 0`]);
        expect(await app.status).to.deep.equal({ kind: "exited", code: 3 });
        expect(system.kernel.services.timers!.pending).to.equal(0);
      });

      it(`withdraws an expiry already queued when the timer is stopped with ${how}`, async () => {
        const system = new EventKernel();
        // Both expire at 5 ms; the first one's handler stops the second, whose event is queued.
        const bytes = await eventApp({
          globals: ["second"],
          main: `(drop ${startTimer(5, 0, 1)}) (global.set $second ${startTimer(5, 0, 2)}) (i32.const 0)`,
          dispatch: `
            ${line(text("timer"), int("(local.get $tag)"))}
            (if (i32.eq (local.get $tag) (i32.const 1))
              (then ${line(text(how === "timers.cancel" ? "cancel" : "drop"), int(`(call ${call} (global.get $second))`))}))`,
        });
        const app = system.spawn(system.load(bytes, eventManifest("withdrawn")), { domain });
        await system.settle();
        await system.advance(5);
        expect(app.process.events.statistics.queueHighWater).to.equal(2);
        expect(system.timeline("withdrawn")).to.deep.equal(["5: timer 1", `5: ${how === "timers.cancel" ? "cancel" : "drop"} 0`]);
        expect(await app.status).to.deep.equal({ kind: "exited", code: 0 });
        expect(app.process.events.statistics.delivered).to.equal(1);
      });
    }

    it("releases a one-shot timer's handle when its event is taken", async () => {
      const system = new EventKernel();
      // A periodic timer keeps the process alive after the one-shot; its handler asks about the one-shot's handle.
      const bytes = await eventApp({
        globals: ["once"],
        main: `(global.set $once ${startTimer(3, 0, 1)}) (drop ${startTimer(5, 5, 2)}) (i32.const 0)`,
        dispatch: `
          ${line(text("timer"), int("(local.get $tag)"))}
          (if (i32.eq (local.get $tag) (i32.const 2))
            (then ${line(text("kind"), int("(call $capabilityKind (global.get $once))"))}))`,
      });
      const app = system.spawn(system.load(bytes, eventManifest("released")), { domain });
      await system.settle();
      // console, clock and two timers.
      expect(app.process.capabilities.size).to.equal(4);
      await system.advance(3);
      expect(app.process.capabilities.size).to.equal(3);
      expect(app.process.events.sources).to.equal(1);
      await system.advance(2);
      // badHandle (9): the handle is gone from the app's view too.
      expect(system.timeline("released")).to.deep.equal(["3: timer 1", "5: timer 2", "5: kind -9"]);
      system.kernel.kill(app.process, "the test is over");
      await app.status;
      expect(system.kernel.services.timers!.pending).to.equal(0);
    });
  });
}
