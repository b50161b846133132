// Conformance: how a process that waits for events ends — killed before it starts, with an event
// queued, while it waits, inside a handler; exiting from a handler; running out of sources; a
// fault in a handler; a missing `dispatch` or `serve`. Every case runs in each domain it applies
// to and checks that the process leaves nothing of the event machinery behind (handles, sources,
// queued events, kernel timers, a place in the run queue, a thread).
import { expect } from "chai";
import type { ExitStatus } from "../../kernel/index.js";
import { ANNOUNCING_APP, eventApp, handlerApp, oneShotApp, periodicApp, startTimer, type Strings } from "../hostile/support/event-apps.js";
import {
  NODE_USER, SIM_KERNEL, SIM_USER, advanceUntil, eventually, expectEventsReleased, expectKilled, liveThreads, loadEventApp, spawnWatched, withEventKernel,
} from "../hostile/support/event-kernels.js";

/** An hour: a timer that never fires while a test runs. */
const HOUR = 3_600_000;

/** What a status shows that must not depend on the domain (as in the fault matrix). */
function comparable(status: ExitStatus): Record<string, unknown> {
  if (status.kind === "exited") return { exited: status.code };
  const { kind, message, functionName, file, line, column } = status.fault;
  return { kind, message, functionName, file, line, column };
}

describe("kernel/process lifecycle with events", function () {
  this.timeout(60000);

  for (const setting of [SIM_KERNEL, SIM_USER, NODE_USER]) {
    it(`never runs main of a process killed before it starts, and reports the kill (${setting.name})`, async () => {
      await withEventKernel(setting, async (bench) => {
        const watched = spawnWatched(bench.kernel, await loadEventApp(bench, ANNOUNCING_APP, "announcer"), { domain: setting.domain });
        bench.kernel.kill(watched.process, "killed before it started");
        expectKilled(await watched.done, "killed before it started");
        await bench.settle();
        expect(watched.output.stdout, "main never ran").to.equal("");
        await expectEventsReleased(bench, watched.process);
        await eventually(() => liveThreads(bench.kernel) === 0, "the domain's thread to end");
      });
    });
  }

  for (const setting of [SIM_KERNEL, SIM_USER]) {
    it(`ends a process killed while a timer event is queued, not yet delivered, and drops the event (${setting.name})`, async () => {
      await withEventKernel(setting, async (bench) => {
        const watched = spawnWatched(bench.kernel, await loadEventApp(bench, periodicApp(10), "periodic"), { domain: setting.domain });
        await bench.settle();
        expect(watched.output.stdout).to.equal("armed\n");
        // The timer fires and its event is queued; the delivery waits for the scheduler's next turn.
        bench.sim!.timer.advance(10);
        expect(watched.process.events.queued, "the event is queued").to.equal(1);
        bench.kernel.kill(watched.process, "killed with an event queued");
        expectKilled(await watched.done, "killed with an event queued");
        await expectEventsReleased(bench, watched.process);
        expect(watched.output.stdout, "the queued event was never delivered").to.equal("armed\n");
      });
    });
  }

  for (const setting of [SIM_KERNEL, SIM_USER, NODE_USER]) {
    const waiting = setting === NODE_USER ? "parked in events.wait (its thread released)" : "waiting with timers armed";
    it(`ends a process killed while ${waiting} (${setting.name})`, async () => {
      await withEventKernel(setting, async (bench) => {
        const watched = spawnWatched(bench.kernel, await loadEventApp(bench, periodicApp(HOUR), "waiter"), { domain: setting.domain });
        await eventually(() => watched.output.stdout === "armed\n", "main to arm its timer");
        await bench.settle();
        if (setting === NODE_USER) {
          await eventually(() => (watched.process.userDomain!.stats().ringSwitchesByCall["events.wait"] ?? 0) > 0, "serve to wait");
        }
        expect(bench.kernel.services.timers!.pending, "its timer is armed").to.equal(1);
        bench.kernel.kill(watched.process, "killed while it waited");
        expectKilled(await watched.done, "killed while it waited");
        await expectEventsReleased(bench, watched.process);
        await eventually(() => liveThreads(bench.kernel) === 0, "the domain's thread to end");
      });
    });
  }

  it(`ends a user-domain process killed while its handler spins, and its thread (${NODE_USER.name})`, async () => {
    await withEventKernel(NODE_USER, async (bench) => {
      const spinner = await loadEventApp(bench, handlerApp(() => "(loop $forever (br $forever))"), "spinner", { cpuMilliseconds: 60_000 });
      const watched = spawnWatched(bench.kernel, spinner, { domain: "user" });
      await eventually(() => watched.output.stdout === "handler\n", "the handler to start spinning");
      bench.kernel.kill(watched.process, "killed in its handler");
      expectKilled(await watched.done, "killed in its handler");
      await expectEventsReleased(bench, watched.process);
      await eventually(() => liveThreads(bench.kernel) === 0, "the domain's thread to end");
    });
  });

  it(`ends an in-kernel handler that spins by its fuel: nothing else can interrupt it (${SIM_KERNEL.name})`, async () => {
    await withEventKernel(SIM_KERNEL, async (bench) => {
      const spinner = await loadEventApp(bench, handlerApp(() => "(loop $forever (br $forever))"), "spinner", { fuelPerEntry: 100_000 });
      const watched = spawnWatched(bench.kernel, spinner, { domain: "kernel" });
      const status = await advanceUntil(bench, watched.done, 1);
      expect(status.kind).to.equal("faulted");
      if (status.kind === "faulted") expect(status.fault).to.include({ kind: "fuel-exhausted", message: "entry used its fuel budget of 100000" });
      expect(watched.output.stdout).to.equal("handler\n");
      await expectEventsReleased(bench, watched.process);
    });
  });

  for (const setting of [SIM_KERNEL, SIM_USER, NODE_USER]) {
    it(`ends with code 7 when a handler calls process.exit(7) with timers still armed, and releases them (${setting.name})`, async () => {
      await withEventKernel(setting, async (bench) => {
        const exiter = await loadEventApp(bench, eventApp(() => ({
          main: `${startTimer(5, 5, 1)} ${startTimer(HOUR, 0, 2)} (i32.const 0)`,
          dispatch: "(call $exit (i32.const 7))",
        })), "exiter");
        const watched = spawnWatched(bench.kernel, exiter, { domain: setting.domain });
        await bench.settle();
        // On the virtual clock nothing fires before the test moves it: both timers are armed.
        if (bench.sim) expect(bench.kernel.services.timers!.pending, "both timers armed").to.equal(2);
        expect(await advanceUntil(bench, watched.done, 5)).to.deep.equal({ kind: "exited", code: 7 });
        await expectEventsReleased(bench, watched.process);
      });
    });

    it(`ends when its last event source ends, and the exit status is main's return value (${setting.name})`, async () => {
      await withEventKernel(setting, async (bench) => {
        const watched = spawnWatched(bench.kernel, await loadEventApp(bench, oneShotApp(5), "one-shot"), { domain: setting.domain });
        expect(await advanceUntil(bench, watched.done, 5)).to.deep.equal({ kind: "exited", code: 5 });
        expect(watched.output.stdout).to.equal("armed\nfired\n");
        await expectEventsReleased(bench, watched.process);
      });
    });

    it(`exits at once with main's non-zero code when main holds no event source (${setting.name})`, async () => {
      await withEventKernel(setting, async (bench) => {
        const watched = spawnWatched(bench.kernel, await loadEventApp(bench, eventApp(() => ({ main: "(i32.const 3)" })), "three"), { domain: setting.domain });
        // No time passes: nothing could wake it, so it does not wait.
        expect(await watched.done).to.deep.equal({ kind: "exited", code: 3 });
        await expectEventsReleased(bench, watched.process);
      });
    });

    const missing = setting.domain === "kernel" ? "dispatch" : "serve";
    it(`ends an app holding event sources without a '${missing}' export with a killed fault naming it, without waiting for the event (${setting.name})`, async () => {
      await withEventKernel(setting, async (bench) => {
        const app = eventApp(() => ({ main: `${startTimer(HOUR, 0, 1)} (i32.const 0)`, exportDispatch: false, exportServe: false }));
        const watched = spawnWatched(bench.kernel, await loadEventApp(bench, app, "exportless"), { domain: setting.domain });
        // The timer would fire in an hour: the missing export is found when main returns.
        expectKilled(await watched.done, new RegExp(`^the app holds event sources but its main module exports no '${missing}' function`));
        await expectEventsReleased(bench, watched.process);
      });
    });
  }

  const handlerFaults: readonly { name: string; handler: (text: Strings) => string; expected: Record<string, unknown> }[] = [
    { name: "unreachable", handler: () => "(unreachable)", expected: { kind: "trap", message: "unreachable", functionName: "dispatch" } },
    { name: "an out-of-bounds memory access", handler: () => "(drop (i32.load (i32.const 0x7ffffff0)))", expected: { kind: "trap", message: "memory access out of bounds", functionName: "dispatch" } },
    {
      name: "an AssemblyScript-style abort through process.abort",
      handler: (text) => {
        const message = text.place("boom in a handler");
        const file = text.place("handler.ts");
        return `(call $abort (i32.const ${message.address}) (i32.const ${message.units}) (i32.const ${file.address}) (i32.const ${file.units}) (i32.const 12) (i32.const 5))`;
      },
      expected: { kind: "abort", message: "boom in a handler", file: "handler.ts", line: 12, column: 5 },
    },
  ];
  for (const row of handlerFaults) {
    it(`reports ${row.name} inside a handler the same way in every domain`, async () => {
      const statuses: Record<string, unknown>[] = [];
      for (const setting of [SIM_KERNEL, SIM_USER, NODE_USER]) {
        await withEventKernel(setting, async (bench) => {
          const watched = spawnWatched(bench.kernel, await loadEventApp(bench, handlerApp(row.handler), "faulty"), { domain: setting.domain });
          const status = await advanceUntil(bench, watched.done, 1);
          expect(comparable(status), setting.name).to.deep.include(row.expected);
          expect(watched.output.stdout, setting.name).to.equal("handler\n");
          await expectEventsReleased(bench, watched.process);
          statuses.push(comparable(status));
        });
      }
      expect(statuses[1], "the sim user domain reports what the kernel domain reports").to.deep.equal(statuses[0]);
      expect(statuses[2], "a worker-thread user domain reports what the kernel domain reports").to.deep.equal(statuses[0]);
    });
  }
});
