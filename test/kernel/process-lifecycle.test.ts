// Conformance: how a process that waits for events ends — killed before it starts, with an event
// queued, while it waits, inside a handler; exiting from a handler; running out of sources; a
// fault in a handler; a missing `dispatch` or `serve`. Every case runs in each domain it applies
// to and checks that the process leaves nothing of the event machinery behind (handles, sources,
// queued events, kernel timers, a place in the run queue, a thread).
import { expect } from "chai";
import type { ExitStatus } from "../../kernel/index.js";
import { eventApp, eventManifest, line, startTimer, text, textAt, type EventAppParts } from "../helpers/event-apps.js";
import {
  NODE_USER, SIM_KERNEL, SIM_USER, eventually, expectKilled, liveThreads, withEventKernel,
} from "../helpers/event-kernel.js";

/** An hour: a timer that never fires while a test runs. */
const HOUR = 3_600_000;

/** Prints `main ran` and returns 0: whether main ran shows in the output. */
function announcingApp() {
  return eventApp({ main: `${line(text("main ran"))} (i32.const 0)` });
}

/** A periodic timer of `periodMilliseconds`; each event prints `tick`; it never ends by itself. */
function periodicApp(periodMilliseconds: number) {
  return eventApp({ main: `(drop ${startTimer(periodMilliseconds, periodMilliseconds, 1)}) ${line(text("armed"))} (i32.const 0)`, dispatch: line(text("tick")) });
}

/** A one-shot timer; its event prints `fired`; main returns `mainCode`, so that is the exit code. */
function oneShotApp(mainCode: number) {
  return eventApp({ main: `(drop ${startTimer(5, 0, 1)}) ${line(text("armed"))} (i32.const ${mainCode})`, dispatch: line(text("fired")) });
}

/** A one-shot timer whose handler prints `handler` and then runs `handler` (a fault, a loop): main returns 0. */
function handlerApp(handler: string) {
  return eventApp({ main: `(drop ${startTimer(1, 0, 1)}) (i32.const 0)`, dispatch: `${line(text("handler"))} ${handler}` });
}

/** `process.abort` as AssemblyScript calls it: the message and the file as (address, units), then line and column. */
function abortCall(message: string, file: string, lineNumber: number, column: number): string {
  const [messageText, fileText] = [textAt(message), textAt(file)];
  return `(call $abort (i32.const ${messageText.address}) (i32.const ${messageText.units}) (i32.const ${fileText.address}) (i32.const ${fileText.units}) (i32.const ${lineNumber}) (i32.const ${column}))`;
}

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
      await withEventKernel(setting, async (system) => {
        const watched = system.spawn(system.load(await announcingApp(), eventManifest("announcer")), { domain: setting.domain });
        system.kernel.kill(watched.process, "killed before it started");
        expectKilled(await watched.status, "killed before it started");
        await system.settle();
        expect(watched.output.stdout, "main never ran").to.equal("");
        await system.expectEventsReleased(watched.process);
        await eventually(() => liveThreads(system.kernel) === 0, "the domain's thread to end");
      });
    });
  }

  for (const setting of [SIM_KERNEL, SIM_USER]) {
    it(`ends a process killed while a timer event is queued, not yet delivered, and drops the event (${setting.name})`, async () => {
      await withEventKernel(setting, async (system) => {
        const watched = system.spawn(system.load(await periodicApp(10), eventManifest("periodic")), { domain: setting.domain });
        await system.settle();
        expect(watched.output.stdout).to.equal("armed\n");
        // The timer fires and its event is queued; the delivery waits for the scheduler's next turn.
        system.sim!.timer.advance(10);
        expect(watched.process.events.queued, "the event is queued").to.equal(1);
        system.kernel.kill(watched.process, "killed with an event queued");
        expectKilled(await watched.status, "killed with an event queued");
        await system.expectEventsReleased(watched.process);
        expect(watched.output.stdout, "the queued event was never delivered").to.equal("armed\n");
      });
    });
  }

  for (const setting of [SIM_KERNEL, SIM_USER, NODE_USER]) {
    const waiting = setting === NODE_USER ? "parked in events.wait (its thread released)" : "waiting with timers armed";
    it(`ends a process killed while ${waiting} (${setting.name})`, async () => {
      await withEventKernel(setting, async (system) => {
        const watched = system.spawn(system.load(await periodicApp(HOUR), eventManifest("waiter")), { domain: setting.domain });
        await eventually(() => watched.output.stdout === "armed\n", "main to arm its timer");
        await system.settle();
        if (setting === NODE_USER) {
          await eventually(() => (watched.process.userDomain!.stats().ringSwitchesByCall["events.wait"] ?? 0) > 0, "serve to wait");
        }
        expect(system.kernel.services.timers!.pending, "its timer is armed").to.equal(1);
        system.kernel.kill(watched.process, "killed while it waited");
        expectKilled(await watched.status, "killed while it waited");
        await system.expectEventsReleased(watched.process);
        await eventually(() => liveThreads(system.kernel) === 0, "the domain's thread to end");
      });
    });
  }

  it(`ends a user-domain process killed while its handler spins, and its thread (${NODE_USER.name})`, async () => {
    await withEventKernel(NODE_USER, async (system) => {
      const spinner = system.load(await handlerApp("(loop $forever (br $forever))"), eventManifest("spinner", { limits: { cpuMilliseconds: 60_000 } }));
      const watched = system.spawn(spinner, { domain: "user" });
      await eventually(() => watched.output.stdout === "handler\n", "the handler to start spinning");
      system.kernel.kill(watched.process, "killed in its handler");
      expectKilled(await watched.status, "killed in its handler");
      await system.expectEventsReleased(watched.process);
      await eventually(() => liveThreads(system.kernel) === 0, "the domain's thread to end");
    });
  });

  it(`ends an in-kernel handler that spins by its fuel: nothing else can interrupt it (${SIM_KERNEL.name})`, async () => {
    await withEventKernel(SIM_KERNEL, async (system) => {
      const spinner = system.load(await handlerApp("(loop $forever (br $forever))"), eventManifest("spinner", { limits: { fuelPerEntry: 100_000 } }));
      const watched = system.spawn(spinner, { domain: "kernel" });
      const status = await system.advanceUntil(watched.status, 1);
      expect(status.kind).to.equal("faulted");
      if (status.kind === "faulted") expect(status.fault).to.include({ kind: "fuel-exhausted", message: "entry used its fuel budget of 100000" });
      expect(watched.output.stdout).to.equal("handler\n");
      await system.expectEventsReleased(watched.process);
    });
  });

  for (const setting of [SIM_KERNEL, SIM_USER, NODE_USER]) {
    it(`ends with code 7 when a handler calls process.exit(7) with timers still armed, and releases them (${setting.name})`, async () => {
      await withEventKernel(setting, async (system) => {
        const exiter = system.load(await eventApp({
          main: `(drop ${startTimer(5, 5, 1)}) (drop ${startTimer(HOUR, 0, 2)}) (i32.const 0)`,
          dispatch: "(call $exit (i32.const 7))",
        }), eventManifest("exiter"));
        const watched = system.spawn(exiter, { domain: setting.domain });
        await system.settle();
        // On the virtual clock nothing fires before the test moves it: both timers are armed.
        if (system.sim) expect(system.kernel.services.timers!.pending, "both timers armed").to.equal(2);
        expect(await system.advanceUntil(watched.status, 5)).to.deep.equal({ kind: "exited", code: 7 });
        await system.expectEventsReleased(watched.process);
      });
    });

    it(`ends when its last event source ends, and the exit status is main's return value (${setting.name})`, async () => {
      await withEventKernel(setting, async (system) => {
        const watched = system.spawn(system.load(await oneShotApp(5), eventManifest("one-shot")), { domain: setting.domain });
        expect(await system.advanceUntil(watched.status, 5)).to.deep.equal({ kind: "exited", code: 5 });
        expect(watched.output.stdout).to.equal("armed\nfired\n");
        await system.expectEventsReleased(watched.process);
      });
    });

    it(`exits at once with main's non-zero code when main holds no event source (${setting.name})`, async () => {
      await withEventKernel(setting, async (system) => {
        const watched = system.spawn(system.load(await eventApp({ main: "(i32.const 3)" }), eventManifest("three")), { domain: setting.domain });
        // No time passes: nothing could wake it, so it does not wait.
        expect(await watched.status).to.deep.equal({ kind: "exited", code: 3 });
        await system.expectEventsReleased(watched.process);
      });
    });

    const missing = setting.domain === "kernel" ? "dispatch" : "serve";
    it(`ends an app holding event sources without a '${missing}' export with a killed fault naming it, without waiting for the event (${setting.name})`, async () => {
      await withEventKernel(setting, async (system) => {
        const app: EventAppParts = { main: `(drop ${startTimer(HOUR, 0, 1)}) (i32.const 0)`, exports: [] };
        const watched = system.spawn(system.load(await eventApp(app), eventManifest("exportless")), { domain: setting.domain });
        // The timer would fire in an hour: the missing export is found when main returns.
        expectKilled(await watched.status, new RegExp(`^the app holds event sources but its main module exports no '${missing}' function`));
        await system.expectEventsReleased(watched.process);
      });
    });
  }

  const handlerFaults: readonly { name: string; handler: string; expected: Record<string, unknown> }[] = [
    { name: "unreachable", handler: "(unreachable)", expected: { kind: "trap", message: "unreachable", functionName: "dispatch" } },
    { name: "an out-of-bounds memory access", handler: "(drop (i32.load (i32.const 0x7ffffff0)))", expected: { kind: "trap", message: "memory access out of bounds", functionName: "dispatch" } },
    {
      name: "an AssemblyScript-style abort through process.abort",
      handler: abortCall("boom in a handler", "handler.ts", 12, 5),
      expected: { kind: "abort", message: "boom in a handler", file: "handler.ts", line: 12, column: 5 },
    },
  ];
  for (const row of handlerFaults) {
    it(`reports ${row.name} inside a handler the same way in every domain`, async () => {
      const statuses: Record<string, unknown>[] = [];
      for (const setting of [SIM_KERNEL, SIM_USER, NODE_USER]) {
        await withEventKernel(setting, async (system) => {
          const watched = system.spawn(system.load(await handlerApp(row.handler), eventManifest("faulty")), { domain: setting.domain });
          const status = await system.advanceUntil(watched.status, 1);
          expect(comparable(status), setting.name).to.deep.include(row.expected);
          expect(watched.output.stdout, setting.name).to.equal("handler\n");
          await system.expectEventsReleased(watched.process);
          statuses.push(comparable(status));
        });
      }
      expect(statuses[1], "the sim user domain reports what the kernel domain reports").to.deep.equal(statuses[0]);
      expect(statuses[2], "a worker-thread user domain reports what the kernel domain reports").to.deep.equal(statuses[0]);
    });
  }
});
