// Conformance: one event app, the same output in every domain — the sim HAL's kernel and user
// domains and a worker-backed user domain on the Node HAL — with waits counted as crossings; how
// a process with events ends (main's code, exit in a handler, a fault in a handler, a kill).
import { expect } from "chai";
import type { Domain, ExitStatus } from "../../kernel/index.js";
import { EventKernel, NODE_USER, withEventKernel, type EventProcess } from "../helpers/event-kernel.js";
import { REPORT_EVENT, eventApp, eventManifest, int, line, startTimer, text } from "../helpers/event-apps.js";

const DOMAINS: readonly Domain[] = ["kernel", "user"];

/**
 * A yield, a chain of one-shot timers each started by the last one's handler, then a periodic
 * timer cancelled after three deliveries. It prints delivery counts, never times or expiry
 * numbers, so a late or coalesced expiry on a real clock prints the same: "main", "yield 1",
 * "timer 10" to "timer 12", "tick 1" to "tick 3", "cancel 0"; then it ends with main's 7.
 */
async function tourApp() {
  return eventApp({
    globals: ["ticks", "periodic"],
    main: `
      ${line(text("main"))}
      (drop (call $yield (i32.const 1)))
      (drop ${startTimer(2, 0, 10)})
      (i32.const 7)`,
    dispatch: `
      (if (i32.eq (local.get $kind) (i32.const 2)) (then ${REPORT_EVENT} (return)))
      (if (i32.eq (local.get $tag) (i32.const 20))
        (then
          (global.set $ticks (i32.add (global.get $ticks) (i32.const 1)))
          ${line(text("tick"), int("(global.get $ticks)"))}
          (if (i32.eq (global.get $ticks) (i32.const 3))
            (then ${line(text("cancel"), int("(call $timerCancel (global.get $periodic))"))}))
          (return)))
      ${REPORT_EVENT}
      (if (i32.lt_u (local.get $tag) (i32.const 12))
        (then (drop ${startTimer(2, 0, "(i32.add (local.get $tag) (i32.const 1))")}))
        (else (global.set $periodic ${startTimer(1, 1, 20)})))`,
  });
}

const TOUR_OUTPUT = ["main", "yield 1", "timer 10", "timer 11", "timer 12", "tick 1", "tick 2", "tick 3", "cancel 0"];

/** Clock steps a sim run may take before the test calls it stuck. */
const MAX_STEPS = 100;

/** Lets main run, then moves the virtual clock a millisecond at a time until `app` ends. */
async function runToEnd(system: EventKernel, app: EventProcess): Promise<ExitStatus> {
  await system.settle();
  return system.advanceUntil(app.status, 1, { maxSteps: MAX_STEPS });
}

describe("kernel/events", () => {
  it("prints the same for one event app in the sim HAL's kernel and user domains, at the same virtual times", async () => {
    const timelines: string[][] = [];
    for (const domain of DOMAINS) {
      const system = new EventKernel();
      const app = system.spawn(system.load(await tourApp(), eventManifest("tour")), { domain });
      expect(await runToEnd(system, app)).to.deep.equal({ kind: "exited", code: 7 });
      expect(app.lines()).to.deep.equal(TOUR_OUTPUT);
      expect(app.process.events.statistics.delivered).to.equal(7);
      timelines.push(system.timeline("tour"));
    }
    expect(timelines[1]).to.deep.equal(timelines[0]);
    expect(timelines[0]).to.deep.equal(["0: main", "0: yield 1", "2: timer 10", "4: timer 11", "6: timer 12", "7: tick 1", "8: tick 2", "9: tick 3", "9: cancel 0"]);
  });

  it("counts each events.wait of a user domain as a crossing: one per event, and one per time it found nothing", async () => {
    const system = new EventKernel();
    const app = system.spawn(system.load(await tourApp(), eventManifest("tour")), { domain: "user" });
    await runToEnd(system, app);
    const stats = app.process.userDomain!.stats();
    const waits = stats.trapsByCall["events.wait"]!;
    // The simulated CPU cannot park a wait: serve returns on wouldBlock and runs again when an
    // event arrives, so each wake-up costs one wait that finds nothing, besides one wait per event.
    const statistics = app.process.events.statistics;
    expect(statistics.delivered).to.equal(7);
    expect(waits).to.equal(statistics.delivered + statistics.wakeUps);
    // A crossing is two ring switches: into the kernel and back.
    expect(stats.ringSwitchesByCall["events.wait"]).to.equal(2 * waits);
  });

  it("prints the same in a worker-backed user domain on the Node HAL, where the waits park", async function () {
    this.timeout(20000);
    await withEventKernel(NODE_USER, async (system) => {
      const run = system.spawn(system.load(await tourApp(), eventManifest("tour")), { domain: "user" });
      expect(await run.status).to.deep.equal({ kind: "exited", code: 7 });
      expect(run.output.stdout).to.equal(TOUR_OUTPUT.map((text) => `${text}\n`).join(""));
      const statistics = run.process.events.statistics;
      expect(statistics.delivered).to.equal(7);
      // Each event is taken by one wait; a worker's wait parks instead of returning empty, so
      // there is one more, the last, which finds nothing left to wait for.
      const stats = run.process.userDomain!.stats();
      expect(stats.trapsByCall["events.wait"]).to.equal(statistics.delivered + 1);
      expect(stats.ringSwitchesByCall["events.wait"]).to.equal(2 * (statistics.delivered + 1));
    });
  });

  for (const domain of DOMAINS) {
    it(`ends a process in the ${domain} domain with the code process.exit gives in a handler, its timers stopped`, async () => {
      const system = new EventKernel();
      const bytes = await eventApp({ main: `(drop ${startTimer(2, 2, 1)}) (i32.const 0)`, dispatch: `${REPORT_EVENT} (call $exit (i32.const 5))` });
      const app = system.spawn(system.load(bytes, eventManifest("exiting")), { domain });
      expect(await runToEnd(system, app)).to.deep.equal({ kind: "exited", code: 5 });
      expect(app.lines()).to.deep.equal(["timer 1"]);
      expect(system.kernel.services.timers!.pending).to.equal(0);
      expect(app.process.capabilities.size).to.equal(0);
    });

    it(`ends a process in the ${domain} domain with the fault of a trapping handler, its timers stopped`, async () => {
      const system = new EventKernel();
      const bytes = await eventApp({ main: `(drop ${startTimer(2, 2, 1)}) (i32.const 0)`, dispatch: `${REPORT_EVENT} (unreachable)` });
      const app = system.spawn(system.load(bytes, eventManifest("trapping")), { domain });
      const status = await runToEnd(system, app);
      expect(status).to.deep.include({ kind: "faulted" });
      if (status.kind === "faulted") expect(status.fault.message).to.match(/unreachable/);
      expect(app.lines()).to.deep.equal(["timer 1"]);
      expect(system.kernel.services.timers!.pending).to.equal(0);
    });

    it(`kills a process in the ${domain} domain that waits for a timer 100 days off, at once`, async () => {
      const system = new EventKernel();
      const bytes = await eventApp({ main: `(drop ${startTimer(100 * 86_400_000, 0, 1)}) (i32.const 0)` });
      const app = system.spawn(system.load(bytes, eventManifest("patient")), { domain });
      await system.settle();
      expect(app.process.events.canWake).to.equal(true);
      system.kernel.kill(app.process, "killed by the test");
      const status = await app.status;
      expect(status).to.deep.include({ kind: "faulted" });
      if (status.kind === "faulted") expect(status.fault.message).to.equal("killed by the test");
      expect(system.kernel.services.timers!.pending).to.equal(0);
      expect(system.kernel.processes.count).to.equal(0);
    });
  }

  it("kills a worker-backed user-domain process parked in events.wait on the Node HAL", async function () {
    this.timeout(20000);
    await withEventKernel(NODE_USER, async (system) => {
      const bytes = await eventApp({ main: `(drop ${startTimer(100 * 86_400_000, 0, 1)}) (i32.const 0)` });
      const { process, status } = system.spawn(system.load(bytes, eventManifest("patient")), { domain: "user" });
      while (!(process.userDomain?.stats().ringSwitchesByCall["events.wait"] ?? 0)) await new Promise((resolve) => setTimeout(resolve, 1));
      system.kernel.kill(process, "killed by the test");
      const ending = await status;
      expect(ending).to.deep.include({ kind: "faulted" });
      if (ending.kind === "faulted") expect(ending.fault.message).to.equal("killed by the test");
      expect(system.kernel.services.timers!.pending).to.equal(0);
    });
  });
});
