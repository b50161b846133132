// Conformance: what the event and timer calls refuse, with their codes: no clock capability, bad
// delays and periods, past the eventSources limit (the queue stays within it), forged and stale
// timer handles, a second yield, a wait with nothing to wait for.
import { expect } from "chai";
import { principalHolding, type Domain } from "../../kernel/index.js";
import { EventKernel } from "../helpers/event-kernel.js";
import { REPORT_EVENT, eventApp, eventManifest, int, line, long, outcome, startTimer, startTimerNanoseconds, text } from "../helpers/event-apps.js";

const DOMAINS: readonly Domain[] = ["kernel", "user"];

const MILLISECOND = 1_000_000n;
const ONE_HUNDRED_DAYS = 100n * 86_400n * 1_000_000_000n;
const U64_MAX = (1n << 64n) - 1n;

/** `timers.start` arguments and what the kernel answers: "ok" for a handle, else the error code. */
const START_ARGUMENT_ROWS: readonly { name: string; delay: bigint; period: bigint; expected: string }[] = [
  { name: "a period under 1 ms", delay: MILLISECOND, period: MILLISECOND - 1n, expected: "-22" },
  { name: "a period of exactly 1 ms", delay: MILLISECOND, period: MILLISECOND, expected: "ok" },
  { name: "a delay past 100 days", delay: ONE_HUNDRED_DAYS + 1n, period: 0n, expected: "-22" },
  { name: "a delay of exactly 100 days", delay: ONE_HUNDRED_DAYS, period: 0n, expected: "ok" },
  { name: "a period past 100 days", delay: MILLISECOND, period: ONE_HUNDRED_DAYS + 1n, expected: "-22" },
  { name: "the largest u64 delay (all bits set)", delay: U64_MAX, period: 0n, expected: "-22" },
  { name: "the largest u64 period (all bits set)", delay: MILLISECOND, period: U64_MAX, expected: "-22" },
  { name: "a delay of 0", delay: 0n, period: 0n, expected: "ok" },
];

for (const domain of DOMAINS) {
  describe(`kernel/event-refusals in the ${domain} domain`, () => {
    it("refuses timers.start without the clock capability: notPermitted (-1)", async () => {
      const system = new EventKernel();
      const bytes = await eventApp({ main: `${line(text("start"), outcome(startTimer(5, 0, 1)))} (i32.const 0)` });
      const app = system.spawn(system.load(bytes, eventManifest("clockless", { capabilities: ["console"] })), { domain });
      expect(await app.status).to.deep.equal({ kind: "exited", code: 0 });
      expect(app.lines()).to.deep.equal(["start -1"]);
      expect(app.process.events.sources).to.equal(0);
    });

    it("refuses out-of-range delays and periods with invalidArgument (-22) and accepts the limits themselves", async () => {
      const system = new EventKernel();
      const main = START_ARGUMENT_ROWS.map((row) => `
        (local.set $result ${startTimerNanoseconds(row.delay, row.period, 0)})
        ${line(text("start"), outcome("(local.get $result)"))}
        (if (i32.ge_s (local.get $result) (i32.const 0)) (then (drop (call $timerCancel (local.get $result)))))`).join("");
      const app = system.spawn(system.load(await eventApp({ locals: ["result"], main: `${main} (i32.const 0)` }), eventManifest("ranges")), { domain });
      expect(await app.status).to.deep.equal({ kind: "exited", code: 0 });
      const answers = app.lines();
      START_ARGUMENT_ROWS.forEach((row, index) => expect(answers[index], row.name).to.equal(`start ${row.expected}`));
      expect(system.kernel.services.timers!.pending).to.equal(0);
    });

    it("refuses the event source past the eventSources limit with noMemory (-12), and the queue never holds more than the limit", async () => {
      const system = new EventKernel();
      const limit = system.kernel.defaultPrincipal().limits.eventSources;
      // `limit` one-shot timers, all due at 5 ms; then one more timer and a yield.
      const bytes = await eventApp({
        locals: ["index"],
        main: `
          (loop $more
            (drop ${startTimer(5, 0, "(local.get $index)")})
            (local.set $index (i32.add (local.get $index) (i32.const 1)))
            (br_if $more (i32.lt_u (local.get $index) (i32.const ${limit}))))
          ${line(text("limit"), outcome(startTimer(5, 0, limit)))}
          ${line(text("yield"), int("(call $yield (i32.const 0))"))}
          (i32.const 0)`,
        dispatch: REPORT_EVENT,
      });
      const app = system.spawn(system.load(bytes, eventManifest("many")), { domain });
      await system.settle();
      expect(app.process.events.sources).to.equal(limit);
      await system.advance(5);
      expect(await app.status).to.deep.equal({ kind: "exited", code: 0 });
      const expiries = Array.from({ length: limit }, (_, tag) => `timer ${tag}`);
      expect(app.lines()).to.deep.equal(["limit -12", "yield -12", ...expiries]);
      const statistics = app.process.events.statistics;
      expect(statistics.queueHighWater).to.equal(limit);
      expect(statistics.queueHighWater).to.be.at.most(app.process.events.sourceLimit);
      expect(statistics.delivered).to.equal(limit);
    });

    it("holds a principal's lower eventSources limit, and many expiries of its periodic timers coalesce within it", async () => {
      const system = new EventKernel();
      const limit = 4;
      const principal = principalHolding("small", ["kernelModeByPage"], { eventSources: limit });
      const starts = Array.from({ length: limit + 1 }, (_, tag) => line(text("start"), outcome(startTimer(1, 1, tag)))).join(" ");
      const app = system.spawn(system.load(await eventApp({ main: `${starts} (i32.const 0)`, dispatch: REPORT_EVENT }), eventManifest("small")), { domain, principal });
      await system.settle();
      // Every timer expires ten times inside one step of the clock.
      await system.advance(10);
      const statistics = app.process.events.statistics;
      expect(app.lines()).to.deep.equal(["start ok", "start ok", "start ok", "start ok", "start -12", "timer 0", "timer 1", "timer 2", "timer 3"]);
      expect(statistics.queueHighWater).to.equal(limit);
      expect(statistics.coalesced).to.equal(limit * 9);
      system.kernel.kill(app.process, "the test is over");
      await app.status;
      expect(system.kernel.services.timers!.pending).to.equal(0);
    });

    it("refuses timers.cancel of a forged, stale, wrong-kind or spent handle with badHandle (-9)", async () => {
      const system = new EventKernel();
      // The console capability is the first handle: generation 1, index 0.
      const consoleHandle = 1 << 16;
      const bytes = await eventApp({
        globals: ["once"],
        locals: ["handle"],
        main: `
          ${line(text("cancel"), int("(call $timerCancel (i32.const 0))"))}
          ${line(text("cancel"), int("(call $timerCancel (i32.const 12345))"))}
          ${line(text("cancel"), int(`(call $timerCancel (i32.const ${consoleHandle}))`))}
          (local.set $handle ${startTimer(5, 5, 1)})
          ${line(text("cancel"), int("(call $timerCancel (local.get $handle))"))}
          ${line(text("cancel"), int("(call $timerCancel (local.get $handle))"))}
          ${line(text("drop"), int("(call $capabilityDrop (local.get $handle))"))}
          (global.set $once ${startTimer(5, 0, 2)})
          (i32.const 0)`,
        dispatch: `${line(text("cancel"), int("(call $timerCancel (global.get $once))"))}`,
      });
      const app = system.spawn(system.load(bytes, eventManifest("forger")), { domain });
      await system.settle();
      await system.advance(5);
      expect(await app.status).to.deep.equal({ kind: "exited", code: 0 });
      expect(app.lines()).to.deep.equal(["cancel -9", "cancel -9", "cancel -9", "cancel 0", "cancel -9", "drop -9", "cancel -9"]);
    });

    it("refuses a second process.yield before the first is delivered with noMemory (-12), and takes one again after", async () => {
      const system = new EventKernel();
      const bytes = await eventApp({
        globals: ["again"],
        main: `
          ${line(text("yield"), int("(call $yield (i32.const 1))"))}
          ${line(text("yield"), int("(call $yield (i32.const 2))"))}
          (i32.const 0)`,
        dispatch: `
          ${line("(call $kindText (local.get $kind))", int("(local.get $tag)"))}
          (if (i32.eqz (global.get $again))
            (then
              (global.set $again (i32.const 1))
              ${line(text("again"), int("(call $yield (i32.const 3))"))}))`,
      });
      const app = system.spawn(system.load(bytes, eventManifest("yielder")), { domain });
      expect(await app.status).to.deep.equal({ kind: "exited", code: 0 });
      expect(app.lines()).to.deep.equal(["yield 0", "yield -12", "yield 1", "again 0", "yield 3"]);
    });

    it("answers events.wait with noEventSources (-42) when nothing could ever send an event", async () => {
      const system = new EventKernel();
      const bytes = await eventApp({ main: `${line(text("wait"), long("(call $wait)"))} (i32.const 0)` });
      const app = system.spawn(system.load(bytes, eventManifest("waiter")), { domain });
      expect(await app.status).to.deep.equal({ kind: "exited", code: 0 });
      expect(app.lines()).to.deep.equal(["wait -42"]);
    });

    it("ends a process that reads clock.now without the clock capability with a fault naming the call", async () => {
      const system = new EventKernel();
      const bytes = await eventApp({ main: `${line(text("at"), long("(call $now)"))} (i32.const 0)` });
      const app = system.spawn(system.load(bytes, eventManifest("clockless", { capabilities: ["console"] })), { domain });
      const status = await app.status;
      expect(status.kind).to.equal("faulted");
      if (status.kind === "faulted") expect(status.fault.message).to.match(/clock\.now: process \d+ holds no clock capability/);
      expect(app.lines()).to.deep.equal([]);
    });
  });
}

describe("kernel/event-refusals in the kernel domain only", () => {
  it("answers events.wait in the kernel domain with wouldBlock (-11) while a timer could still send an event", async () => {
    const system = new EventKernel();
    const bytes = await eventApp({ main: `(drop ${startTimer(5, 0, 1)}) ${line(text("wait"), long("(call $wait)"))} (i32.const 0)`, dispatch: REPORT_EVENT });
    const app = system.spawn(system.load(bytes, eventManifest("impatient")), { domain: "kernel" });
    await system.settle();
    await system.advance(5);
    expect(await app.status).to.deep.equal({ kind: "exited", code: 0 });
    expect(app.lines()).to.deep.equal(["wait -11", "timer 1"]);
  });
});
