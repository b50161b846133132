// Hostile event code: a timer flood, a timer faster than its handler, timers.start with absurd
// arguments, cancels of handles that are not the caller's timers, a handler that yields forever,
// events.wait where it cannot wait, and a dispatch of the wrong type. Each offender ends alone,
// with a clear status, while apps/ticker runs beside it and prints exactly what it always prints.
import { expect } from "chai";
import { LoadError, loadApp, principalHolding, runApp, type Domain } from "../../kernel/index.js";
import { MAX_EVENT_SOURCES_PER_PROCESS, MAX_TIMER_DELAY_NANOSECONDS } from "../../kernel/params.js";
import { appBytes, tickerOutput } from "../helpers/kernel.js";
import { eventApp, eventManifest, int, line, milliseconds, startTimer, startTimerNanoseconds, text, type EventAppParts } from "../helpers/event-apps.js";
import {
  NODE_KERNEL, NODE_USER, SIM_KERNEL, SIM_USER, eventually, expectKilled, liveThreads, withEventKernel, type EventKernel, type EventProcess,
} from "../helpers/event-kernel.js";

const HOUR = 3_600_000;
/** The bystander: apps/ticker, three ticks ten milliseconds apart. */
const TICKS = 3;
const TICK_MILLISECONDS = 10;

function spawnTicker(system: EventKernel, domain: Domain): EventProcess {
  return system.spawn(system.kernel.load(appBytes("ticker")), { domain, args: [`${TICKS}`, `${TICK_MILLISECONDS}`] });
}

/** The bystander ended normally with its usual output. */
async function expectTickerFinished(ticker: EventProcess): Promise<void> {
  expect(await ticker.status, "the bystander ends normally").to.deep.equal({ kind: "exited", code: 0 });
  expect(ticker.output.stdout, "the bystander prints what it always prints").to.equal(tickerOutput(TICKS, TICK_MILLISECONDS));
}

/** Starts timers of an hour until refused; prints how many and the refusal, then exits with the refusal's code. */
const TIMER_FLOOD: EventAppParts = {
  locals: ["count", "result"],
  main: `
    (loop $more
      (local.set $result ${startTimer(HOUR, 0, "(local.get $count)")})
      (if (i32.ge_s (local.get $result) (i32.const 0)) (then
        (local.set $count (i32.add (local.get $count) (i32.const 1)))
        (br $more))))
    ${line(text("timers started:"), int("(local.get $count)"))}
    ${line(text("then refused with:"), int("(local.get $result)"))}
    (call $exit (i32.sub (i32.const 0) (local.get $result)))
    (i32.const 0)`,
};

/** A 1 ms periodic timer; each event counts (and, with `spinMilliseconds`, spins that long on the clock). */
function everyMillisecondApp(spinMilliseconds = 0): EventAppParts {
  const spin = spinMilliseconds === 0 ? "" : `
    (global.set $until (i64.add (call $now) ${milliseconds(spinMilliseconds)}))
    (loop $spin (br_if $spin (i64.lt_u (call $now) (global.get $until))))`;
  return { main: `(drop ${startTimer(1, 1, 1)}) (i32.const 0)`, dispatch: spin, fields: "(global $until (mut i64) (i64.const 0))" };
}

describe("hostile/events", function () {
  this.timeout(60000);

  for (const setting of [SIM_KERNEL, SIM_USER, NODE_USER]) {
    it(`refuses a timer flood at the event-source limit with -12 (noMemory), and the flood's exit leaks no timer (${setting.name})`, async () => {
      await withEventKernel(setting, async (system) => {
        const ticker = spawnTicker(system, setting.domain);
        const flood = system.spawn(system.load(await eventApp(TIMER_FLOOD), eventManifest("flood")), { domain: setting.domain });
        expect(await flood.status).to.deep.equal({ kind: "exited", code: 12 });
        expect(flood.output.stdout).to.equal(`timers started: ${MAX_EVENT_SOURCES_PER_PROCESS}\nthen refused with: -12\n`);
        await system.advanceUntil(ticker.status, TICK_MILLISECONDS);
        await expectTickerFinished(ticker);
        await system.expectEventsReleased(flood.process);
        await system.expectEventsReleased(ticker.process);
      });
    });
  }

  for (const setting of [SIM_KERNEL, SIM_USER]) {
    it(`coalesces a 1 ms timer whose handler never keeps up: one event queued at most, the rest counted (${setting.name})`, async () => {
      await withEventKernel(setting, async (system) => {
        const ticker = spawnTicker(system, setting.domain);
        const hasty = system.spawn(system.load(await eventApp(everyMillisecondApp()), eventManifest("hasty")), { domain: setting.domain });
        // Both mains run (and arm their timers) before time moves.
        await system.settle();
        // Fifty periods pass between two deliveries: the handler is always fifty behind.
        const step = 50;
        const steps = await advanceCounting(system, ticker.status, step);
        await expectTickerFinished(ticker);
        const statistics = hasty.process.events.statistics;
        expect(statistics.queueHighWater, "never more than one event queued").to.equal(1);
        expect(statistics.delivered, "one delivery per step").to.equal(steps);
        expect(statistics.coalesced, "every other expiry counted, not queued").to.equal(steps * (step - 1));
        system.kernel.kill(hasty.process, "the test is over");
        expectKilled(await hasty.status, "the test is over");
        await system.expectEventsReleased(hasty.process);
      });
    });
  }

  it(`coalesces a 1 ms timer whose handler spins 3 ms on the real clock: one event queued at most (${NODE_USER.name})`, async () => {
    await withEventKernel(NODE_USER, async (system) => {
      const ticker = spawnTicker(system, "user");
      const slow = system.spawn(system.load(await eventApp(everyMillisecondApp(3)), eventManifest("slow")), { domain: "user" });
      await expectTickerFinished(ticker);
      await eventually(() => slow.process.events.statistics.delivered >= 3, "a few slow deliveries");
      const statistics = slow.process.events.statistics;
      expect(statistics.queueHighWater, "never more than one event queued").to.equal(1);
      expect(statistics.coalesced, "expiries during a 3 ms handler are counted, not queued").to.be.greaterThan(0);
      system.kernel.kill(slow.process, "the test is over");
      expectKilled(await slow.status, "the test is over");
      await system.expectEventsReleased(slow.process);
      await eventually(() => liveThreads(system.kernel) === 0, "the domains' threads to end");
    });
  });

  const U64_MAX = (1n << 64n) - 1n;
  const badArguments: readonly { name: string; delay: bigint; period: bigint; accepted?: boolean }[] = [
    { name: "a delay of 2^64 - 1 ns (-1 as u64)", delay: U64_MAX, period: 0n },
    { name: "a delay of 2^63 ns (negative as s64)", delay: 1n << 63n, period: 0n },
    { name: "a delay one past 100 days", delay: MAX_TIMER_DELAY_NANOSECONDS + 1n, period: 0n },
    { name: "a period of 2^64 - 1 ns (-1 as u64)", delay: 0n, period: U64_MAX },
    { name: "a period one past 100 days", delay: 0n, period: MAX_TIMER_DELAY_NANOSECONDS + 1n },
    { name: "a period of 1 ns", delay: 0n, period: 1n },
    { name: "a period just under 1 ms", delay: 0n, period: 999_999n },
    { name: "a delay and a period of exactly 100 days", delay: MAX_TIMER_DELAY_NANOSECONDS, period: MAX_TIMER_DELAY_NANOSECONDS, accepted: true },
  ];
  for (const setting of [SIM_KERNEL, SIM_USER]) {
    it(`answers timers.start with -22 (invalidArgument) for absurd delays and periods, arming nothing (${setting.name})`, async () => {
      await withEventKernel(setting, async (system) => {
        const ticker = spawnTicker(system, setting.domain);
        const tries = await Promise.all(badArguments.map(async (row) => {
          // Exits with what timers.start answered; a timer it was given is cancelled first.
          const app: EventAppParts = {
            locals: ["result"],
            main: `
              (local.set $result ${startTimerNanoseconds(row.delay, row.period, 0)})
              (if (i32.ge_s (local.get $result) (i32.const 0)) (then (drop (call $timerCancel (local.get $result)))))
              (local.get $result)`,
          };
          return { row, watched: system.spawn(system.load(await eventApp(app), eventManifest("absurd")), { domain: setting.domain }) };
        }));
        await system.advanceUntil(ticker.status, TICK_MILLISECONDS);
        await expectTickerFinished(ticker);
        for (const { row, watched } of tries) {
          const status = await watched.status;
          if (row.accepted) expect(status.kind === "exited" && status.code >= 0, `${row.name}: ${JSON.stringify(status)}`).to.equal(true);
          else expect(status, row.name).to.deep.equal({ kind: "exited", code: -22 });
          await system.expectEventsReleased(watched.process);
        }
      });
    });
  }

  for (const setting of [SIM_KERNEL, SIM_USER]) {
    it(`answers -9 (badHandle) to timers.cancel of a forged, stale, spent or console handle and to a second cancel, and the console still works (${setting.name})`, async () => {
      await withEventKernel(setting, async (system) => {
        const abuser: EventAppParts = {
          globals: ["oneShot"],
          locals: ["first", "second"],
          main: `
            ${line(text("forged:"), int("(call $timerCancel (i32.const 0x7fff1234))"))}
            ${line(text("console handle:"), int("(call $timerCancel (call $initialGet (i32.const 0)))"))}
            ${line(text("the console still works"))}
            (local.set $first ${startTimer(HOUR, 0, 1)})
            ${line(text("first cancel:"), int("(call $timerCancel (local.get $first))"))}
            ${line(text("second cancel:"), int("(call $timerCancel (local.get $first))"))}
            (local.set $second ${startTimer(HOUR, 0, 2)})
            ${line(text("stale handle, its slot reused:"), int("(call $timerCancel (local.get $first))"))}
            ${line(text("the new timer's cancel:"), int("(call $timerCancel (local.get $second))"))}
            (global.set $oneShot ${startTimer(1, 0, 3)})
            (i32.const 0)`,
          // The one-shot's handle was released when its event was taken.
          dispatch: line(text("spent one-shot:"), int("(call $timerCancel (global.get $oneShot))")),
        };
        const ticker = spawnTicker(system, setting.domain);
        const watched = system.spawn(system.load(await eventApp(abuser), eventManifest("abuser")), { domain: setting.domain });
        await system.advanceUntil(ticker.status, TICK_MILLISECONDS);
        await expectTickerFinished(ticker);
        expect(await watched.status).to.deep.equal({ kind: "exited", code: 0 });
        expect(watched.output.stdout).to.equal([
          "forged: -9", "console handle: -9", "the console still works", "first cancel: 0", "second cancel: -9",
          "stale handle, its slot reused: -9", "the new timer's cancel: 0", "spent one-shot: -9", "",
        ].join("\n"));
        await system.expectEventsReleased(watched.process);
      });
    });
  }

  // Not on the sim HAL's user domain: its CPU runs a domain to completion on the kernel's own
  // thread, so a serve loop that always has an event never gives the thread back (sim-cpu.ts).
  for (const setting of [SIM_KERNEL, NODE_USER]) {
    it(`keeps other processes' timers running beside a handler that yields in a tight loop forever, until it is killed (${setting.name})`, async () => {
      await withEventKernel(setting, async (system) => {
        const yielder: EventAppParts = { main: "(drop (call $yield (i32.const 1))) (i32.const 0)", dispatch: "(drop (call $yield (i32.const 1)))" };
        const ticker = spawnTicker(system, setting.domain);
        const watched = system.spawn(system.load(await eventApp(yielder), eventManifest("yielder")), { domain: setting.domain });
        // The run queue never empties while the yielder lives: time moves without waiting for idle.
        await system.advanceUntil(ticker.status, TICK_MILLISECONDS, { untilIdle: false });
        await expectTickerFinished(ticker);
        await eventually(() => watched.process.events.statistics.delivered > TICKS, "the yielder to have run");
        expect(watched.process.status, "the yielder still runs").to.equal(undefined);
        system.kernel.kill(watched.process, "yielded for too long");
        expectKilled(await watched.status, "yielded for too long");
        await system.expectEventsReleased(watched.process);
        await eventually(() => liveThreads(system.kernel) === 0, "the domains' threads to end");
      });
    });
  }

  for (const setting of [SIM_KERNEL, NODE_KERNEL]) {
    it(`answers events.wait in the kernel domain at once, -42 with no sources and -11 with a timer armed, in main and in a handler (${setting.name})`, async () => {
      await withEventKernel(setting, async (system) => {
        const waiter: EventAppParts = {
          globals: ["hourly"],
          main: `${line(text("no sources:"), int("(i32.wrap_i64 (call $wait))"))}
            (global.set $hourly ${startTimer(HOUR, 0, 1)})
            ${line(text("a timer armed:"), int("(i32.wrap_i64 (call $wait))"))}
            ${line(text("poll:"), int("(i32.wrap_i64 (call $poll))"))}
            (drop ${startTimer(1, 0, 2)})
            (i32.const 0)`,
          dispatch: `${line(text("in a handler:"), int("(i32.wrap_i64 (call $wait))"))}
            (drop (call $timerCancel (global.get $hourly)))`,
        };
        const ticker = spawnTicker(system, "kernel");
        const watched = system.spawn(system.load(await eventApp(waiter), eventManifest("waiter")), { domain: "kernel" });
        await system.advanceUntil(ticker.status, TICK_MILLISECONDS);
        await expectTickerFinished(ticker);
        expect(await watched.status).to.deep.equal({ kind: "exited", code: 0 });
        expect(watched.output.stdout).to.equal("no sources: -42\na timer armed: -11\npoll: -11\nin a handler: -11\n");
        await system.expectEventsReleased(watched.process);
      });
    });
  }

  /** A start function that arms a 1 ms one-shot (tag 7) and waits; main prints what the wait answered. */
  const WAIT_IN_START: EventAppParts = {
    main: `${line(text("kind:"), int("(i32.wrap_i64 (i64.shr_s (global.get $answer) (i64.const 32)))"))}
      ${line(text("tag or error:"), int("(i32.wrap_i64 (global.get $answer))"))}
      (i32.const 0)`,
    dispatch: line(text("dispatched tag:"), int("(local.get $tag)")),
    fields: `(global $answer (mut i64) (i64.const 0))
      (func $init
        (drop ${startTimer(1, 0, 7)})
        (global.set $answer (call $wait)))
      (start $init)`,
  };

  it(`parks events.wait in a user domain's start function until the event comes, without deadlock (${NODE_USER.name})`, async () => {
    await withEventKernel(NODE_USER, async (system) => {
      const watched = system.spawn(system.load(await eventApp(WAIT_IN_START), eventManifest("early")), { domain: "user" });
      expect(await watched.status).to.deep.equal({ kind: "exited", code: 0 });
      // The start function runs as main does, off the kernel thread: the wait parks and takes the timer's event.
      expect(watched.output.stdout).to.equal("kind: 1\ntag or error: 7\n");
      await system.expectEventsReleased(watched.process);
    });
  });

  it(`answers events.wait in a start function at once where the host cannot park (${SIM_USER.name}); the event comes later through serve`, async () => {
    await withEventKernel(SIM_USER, async (system) => {
      const watched = system.spawn(system.load(await eventApp(WAIT_IN_START), eventManifest("early")), { domain: "user" });
      expect(await system.advanceUntil(watched.status, 1)).to.deep.equal({ kind: "exited", code: 0 });
      expect(watched.output.stdout).to.equal("kind: -1\ntag or error: -11\ndispatched tag: 7\n");
      await system.expectEventsReleased(watched.process);
    });
  });

  it("answers events.wait at once inside an upcall into a user domain, where the kernel thread waits for the answer: -11, no deadlock", async () => {
    await withEventKernel(NODE_USER, async (system) => {
      const front = await eventApp({
        imports: `(import "waiter" "probe" (func $probe (result i32)))`,
        main: `(drop ${startTimer(HOUR, 0, 1)}) (call $exit (call $probe)) (i32.const 0)`,
      });
      const waiter = await eventApp({
        main: "(i32.const 0)",
        fields: `(func (export "probe") (result i32) (i32.wrap_i64 (call $wait)))`,
      });
      const app = loadApp(system.kernel.loader, "upcall", "front", [
        { name: "front", bytes: front, manifest: { ...eventManifest("front"), entryPoints: { main: { mode: "kernel" } }, links: ["waiter"] } },
        { name: "waiter", bytes: waiter, manifest: { name: "waiter", entryPoints: { probe: { mode: "user" } } } },
      ]);
      const { process, status } = await runApp(system.kernel, app, { principal: principalHolding("user", ["kernelModeByPage"]), output: () => undefined });
      expect(status).to.deep.equal({ kind: "exited", code: -11 });
      await system.expectEventsReleased(process);
      await eventually(() => liveThreads(system.kernel) === 0, "the domain's thread to end");
    });
  });

  for (const setting of [NODE_USER, SIM_USER]) {
    it(`ends a user-domain app whose serve returns without taking its queued events, instead of serving it again forever (${setting.name})`, async () => {
      await withEventKernel(setting, async (system) => {
        const idle: EventAppParts = {
          main: `(drop ${startTimer(1, 1, 1)}) (i32.const 0)`,
          exports: [],
          fields: `(func (export "serve"))`,
        };
        const ticker = spawnTicker(system, setting.domain);
        const watched = system.spawn(system.load(await eventApp(idle), eventManifest("idle")), { domain: setting.domain });
        await system.advanceUntil(watched.status, 1);
        expectKilled(await watched.status, /^'serve' returned without taking the events queued for it/);
        await system.advanceUntil(ticker.status, TICK_MILLISECONDS);
        await expectTickerFinished(ticker);
        await system.expectEventsReleased(watched.process);
      });
    });
  }

  const wrongTypes: readonly { name: string; field: string; type: string }[] = [
    { name: "dispatch taking one parameter", field: "dispatch", type: "(param i32)" },
    { name: "dispatch returning a value", field: "dispatch", type: "(param i32 i32) (result i32)" },
    { name: "dispatch taking i64 parameters", field: "dispatch", type: "(param i64 i64)" },
    { name: "serve taking a parameter", field: "serve", type: "(param i32)" },
    { name: "serve returning a value", field: "serve", type: "(result i32)" },
  ];
  for (const row of wrongTypes) {
    it(`refuses to load a module with ${row.name} as entry-point-signature-mismatch`, async () => {
      await withEventKernel(SIM_KERNEL, async (system) => {
        const body = row.type.includes("result") ? "(unreachable)" : "";
        const wrong = `(func (export "${row.field}") ${row.type} ${body})`;
        const bytes = await eventApp({ main: "(i32.const 0)", exports: row.field === "dispatch" ? ["serve"] : ["dispatch"], fields: wrong });
        expect(() => system.kernel.load(bytes, { manifest: eventManifest("mistyped") }))
          .to.throw(LoadError, new RegExp(`entry-point-signature-mismatch.*'${row.field}' has type`));
        expect(system.kernel.processes.count).to.equal(0);
      });
    });
  }
});

/** `advanceUntil`, also saying how many steps it took. */
async function advanceCounting<T>(system: EventKernel, done: Promise<T>, stepMilliseconds: number): Promise<number> {
  let steps = 0;
  let settled = false;
  void done.then(() => { settled = true; });
  while (!settled) {
    expect(steps, "steps").to.be.below(1000);
    await system.advance(stepMilliseconds);
    steps++;
  }
  return steps;
}
