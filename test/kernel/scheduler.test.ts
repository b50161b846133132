// Conformance: the scheduler of in-kernel processes — round robin, yield behind every other ready
// process, a busy process delaying another's timer by at most one delivery, and each delivery
// bounded by the `dispatch` entry's own fuel.
import { expect } from "chai";
import type { Domain } from "../../kernel/index.js";
import { EventKernel, nextTurn, type PrintedLine } from "../helpers/event-kernel.js";
import { REPORT_EVENT, eventApp, eventManifest, int, line, startTimer, text } from "../helpers/event-apps.js";

/** Yields `rounds` times, printing "yield n" at each turn, then ends with 0. */
async function yieldingApp(rounds: number) {
  return eventApp({
    globals: ["round"],
    main: `(drop (call $yield (i32.const 0))) (i32.const 0)`,
    dispatch: `
      (global.set $round (i32.add (global.get $round) (i32.const 1)))
      ${line(text("yield"), int("(global.get $round)"))}
      (if (i32.lt_u (global.get $round) (i32.const ${rounds})) (then (drop (call $yield (i32.const 0)))))`,
  });
}

/** Iterations of the busy handler's loop: most of BUSY_DISPATCH_FUEL, measured below. */
const BUSY_ITERATIONS = 3000;
const BUSY_DISPATCH_FUEL = 30_000;

/** Burns most of its fuel in every delivery and yields again, forever. */
async function busyApp() {
  return eventApp({
    locals: ["index"],
    main: `(drop (call $yield (i32.const 0))) (i32.const 0)`,
    dispatch: `
      (loop $burn
        (local.set $index (i32.add (local.get $index) (i32.const 1)))
        (br_if $burn (i32.lt_u (local.get $index) (i32.const ${BUSY_ITERATIONS}))))
      (drop (call $yield (i32.const 0)))`,
  });
}

describe("kernel/scheduler", () => {
  it("runs in-kernel processes round robin: each yield goes behind every other ready process", async () => {
    const system = new EventKernel();
    const image = system.load(await yieldingApp(3), eventManifest("yielding"));
    const processes = ["A", "B", "C"].map((name) => system.spawn(image, { name, domain: "kernel" }));
    for (const process of processes) expect(await process.status).to.deep.equal({ kind: "exited", code: 0 });
    const order = system.printed.map((printed) => `${printed.process} ${printed.text}`);
    expect(order).to.deep.equal(["A yield 1", "B yield 1", "C yield 1", "A yield 2", "B yield 2", "C yield 2", "A yield 3", "B yield 3", "C yield 3"]);
    expect(system.kernel.scheduler.deliveries).to.equal(9);
  });

  it("delays another process's timer by at most one delivery of a busy process that yields forever", async () => {
    const system = new EventKernel();
    const busy = system.spawn(system.load(await busyApp(), eventManifest("busy", { dispatchFuel: BUSY_DISPATCH_FUEL })), { domain: "kernel" });
    const timed = system.spawn(system.load(await eventApp({ main: `(drop ${startTimer(5, 0, 1)}) (i32.const 0)`, dispatch: REPORT_EVENT }), eventManifest("timed")), { domain: "kernel" });
    const busyEvents = busy.process.events.statistics;
    while (busyEvents.delivered < 10) await nextTurn();
    let deliveredAtHandler: number | undefined;
    const handled = new Promise<PrintedLine>((resolve) => {
      system.onLine = (printed) => {
        deliveredAtHandler = busyEvents.delivered;
        resolve(printed);
      };
    });
    // The timer expires inside this step: from here on, the busy process may have one turn before it.
    system.sim!.timer.advance(5);
    const deliveredAtExpiry = busyEvents.delivered;
    expect(await handled).to.deep.equal({ process: "timed", text: "timer 1", atMilliseconds: 5 });
    expect(deliveredAtHandler! - deliveredAtExpiry).to.be.at.most(1);
    expect(await timed.status).to.deep.equal({ kind: "exited", code: 0 });
    // The busy handler did spend most of its budget each time: the bound above is not a cheap one.
    expect(busyEvents.deliveryFuel / busyEvents.meteredDeliveries).to.be.greaterThan(BUSY_DISPATCH_FUEL / 2).and.at.most(BUSY_DISPATCH_FUEL);
    system.kernel.kill(busy.process, "the test is over");
    const ending = await busy.status;
    expect(ending).to.deep.include({ kind: "faulted" });
    await system.settle();
    expect(system.kernel.scheduler.runnable).to.equal(0);
  });

  it("ends a handler that loops forever with fuel-exhausted after the dispatch entry's own budget, while other processes run on", async () => {
    const system = new EventKernel();
    const looping = await eventApp({ main: `(drop (call $yield (i32.const 0))) (i32.const 0)`, dispatch: `(loop $forever (br $forever))` });
    const looper = system.spawn(system.load(looping, eventManifest("looper", { dispatchFuel: 50_000 })), { domain: "kernel" });
    const neighbour = system.spawn(system.load(await yieldingApp(5), eventManifest("neighbour")), { domain: "kernel" });
    expect(await looper.status).to.deep.equal({ kind: "faulted", fault: { kind: "fuel-exhausted", message: "entry used its fuel budget of 50000" } });
    expect(await neighbour.status).to.deep.equal({ kind: "exited", code: 0 });
    expect(neighbour.lines()).to.deep.equal(["yield 1", "yield 2", "yield 3", "yield 4", "yield 5"]);
    expect(looper.process.capabilities.size).to.equal(0);
  });
});

for (const domain of ["kernel", "user"] as const satisfies readonly Domain[]) {
  describe(`kernel/scheduler: one process's events in the ${domain} domain`, () => {
    it("queues a yield behind the events the process already has queued", async () => {
      const system = new EventKernel();
      const bytes = await eventApp({
        main: `(drop ${startTimer(5, 0, 1)}) (drop ${startTimer(5, 0, 2)}) (i32.const 0)`,
        dispatch: `
          ${REPORT_EVENT}
          (if (i32.eq (local.get $kind) (i32.const 1)) (then (if (i32.eq (local.get $tag) (i32.const 1)) (then (drop (call $yield (i32.const 9)))))))`,
      });
      const app = system.spawn(system.load(bytes, eventManifest("queued")), { domain });
      await system.settle();
      await system.advance(5);
      expect(await app.status).to.deep.equal({ kind: "exited", code: 0 });
      expect(app.lines()).to.deep.equal(["timer 1", "timer 2", "yield 9"]);
    });
  });
}
