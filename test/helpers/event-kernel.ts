// A kernel for the event suites: on the sim HAL (a virtual clock that moves only when the test
// moves it, so every timer case is exact) or the Node HAL, whose user domains are worker threads
// that really park in `events.wait`. Every line a process prints is recorded with the time it
// arrived at; and the check every ending must pass: the process holds nothing of the event
// machinery afterwards.
import { expect } from "chai";
import { createSimHal, type SimHal } from "../../hal/sim/index.js";
import type { NodeCpu } from "../../hal/node/index.js";
import { bootKernel, type Domain, type ExitStatus, type Kernel, type ModuleImage, type Process, type SpawnOptions } from "../../kernel/index.js";
import type { Manifest } from "../../runtime/abi/index.js";

export interface EventSetting {
  readonly name: string;
  readonly hal: "sim" | "node";
  readonly domain: Domain;
}

export const SIM_KERNEL: EventSetting = { name: "kernel domain (sim HAL)", hal: "sim", domain: "kernel" };
export const SIM_USER: EventSetting = { name: "user domain (sim HAL)", hal: "sim", domain: "user" };
export const NODE_KERNEL: EventSetting = { name: "kernel domain (Node HAL)", hal: "node", domain: "kernel" };
export const NODE_USER: EventSetting = { name: "user domain (Node HAL, a worker thread)", hal: "node", domain: "user" };

export interface PrintedLine {
  /** The name the process was spawned with. */
  readonly process: string;
  readonly text: string;
  /** Milliseconds on the kernel's timer (virtual on the sim HAL, since boot) when the line was written. */
  readonly atMilliseconds: number;
}

export interface EventProcess {
  readonly process: Process;
  readonly status: Promise<ExitStatus>;
  /** What the process wrote so far, by stream, exactly as written. */
  readonly output: { stdout: string; stderr: string };
  /** The lines this process printed so far, without their newlines (stderr's marked "stderr: "). */
  lines(): string[];
}

/** Event-loop turns a settle gives: a sim user domain's serve starts on a microtask after an arrival. */
const SETTLE_TURNS = 4;

/** Clock steps `advanceUntil` takes before it calls a process stuck (one that never ends would hang the suite). */
const MAX_ADVANCE_STEPS = 10_000;

export function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

export class EventKernel {
  /** The sim HAL, when the kernel runs on it. */
  readonly sim: SimHal | undefined;
  readonly kernel: Kernel;
  /** Every line of every process, in the order written. */
  readonly printed: PrintedLine[] = [];
  /** Called with each line as it is written (a test watching for one). */
  onLine: ((line: PrintedLine) => void) | undefined;

  constructor(hal: EventSetting["hal"] = "sim") {
    this.sim = hal === "sim" ? createSimHal() : undefined;
    this.kernel = bootKernel({ hal: this.sim, devices: { console: { write: () => { throw new Error("test processes must capture their output"); } } } });
  }

  load(bytes: Uint8Array<ArrayBuffer>, manifest: Manifest): ModuleImage {
    return this.kernel.load(bytes, { name: manifest.name, manifest });
  }

  spawn(image: ModuleImage, options: Omit<SpawnOptions, "output"> = {}): EventProcess {
    const name = options.name ?? image.name;
    const mine: string[] = [];
    const output = { stdout: "", stderr: "" };
    const timer = this.kernel.devices.timer!;
    const process = this.kernel.spawn(image, {
      ...options, name,
      output: (stream, written) => {
        output[stream] += written;
        for (const text of textLines(stream === "stderr" ? `stderr: ${written}` : written)) {
          const printed = { process: name, text, atMilliseconds: timer.now() };
          mine.push(text);
          this.printed.push(printed);
          this.onLine?.(printed);
        }
      },
    });
    return { process, status: process.completion, output, lines: () => [...mine] };
  }

  /**
   * Lets every delivery and serve the kernel has scheduled run (no time passes on the sim HAL).
   * `untilIdle` false: a few turns only, for a run queue that never empties (a process that
   * yields forever).
   */
  async settle(untilIdle = true): Promise<void> {
    for (let turn = 0; turn < SETTLE_TURNS; turn++) {
      if (untilIdle) await this.kernel.scheduler.idle();
      await nextTurn();
    }
  }

  /** Lets `milliseconds` pass in one step, then settles: the virtual clock jumps; on the Node HAL real time passes. */
  async advance(milliseconds: number, untilIdle = true): Promise<void> {
    if (this.sim) this.sim.timer.advance(milliseconds);
    else await new Promise((resolve) => setTimeout(resolve, milliseconds));
    await this.settle(untilIdle);
  }

  /** Moves time one millisecond at a time, settling after each, so each line's time is the first at which it could be printed. */
  async stepThrough(milliseconds: number): Promise<void> {
    for (let step = 0; step < milliseconds; step++) await this.advance(1);
  }

  /** Moves time in `stepMilliseconds` steps until `done` settles; fails after `maxSteps`. */
  async advanceUntil<T>(done: Promise<T>, stepMilliseconds: number, options: { maxSteps?: number; untilIdle?: boolean } = {}): Promise<T> {
    const maxSteps = options.maxSteps ?? MAX_ADVANCE_STEPS;
    let settled = false;
    const result = done.then((value) => { settled = true; return value; });
    for (let step = 0; step < maxSteps && !settled; step++) await this.advance(stepMilliseconds, options.untilIdle);
    expect(settled, `still running after ${maxSteps} steps of ${stepMilliseconds} ms`).to.equal(true);
    return result;
  }

  /** What `name` printed, each line with the millisecond it arrived at: "12: timer 1 at 12000000". */
  timeline(name: string): string[] {
    return this.printed.filter((printed) => printed.process === name).map((printed) => `${printed.atMilliseconds}: ${printed.text}`);
  }

  /**
   * After a process ended: it holds no handle, no event source and no queued event; the kernel's
   * timers are back to `timersBefore`; the scheduler's run queue has drained; the process table
   * forgot it.
   */
  async expectEventsReleased(process: Process, timersBefore = 0): Promise<void> {
    await this.settle();
    expect(process.status, "the process has ended").to.not.equal(undefined);
    expect(process.capabilities.size, "handles released").to.equal(0);
    expect(process.events.sources, "event sources released").to.equal(0);
    expect(process.events.queued, "queued events dropped").to.equal(0);
    expect(this.kernel.services.timers!.pending, "timers released").to.equal(timersBefore);
    expect(this.kernel.scheduler.runnable, "the run queue drained").to.equal(0);
    expect(this.kernel.processes.get(process.processId), "the process table forgot it").to.equal(undefined);
  }

  shutdown(): Promise<void> {
    return this.kernel.shutdown();
  }
}

/** Runs `body` on a fresh kernel on `setting`'s HAL, shut down afterwards whatever happens. */
export async function withEventKernel(setting: EventSetting, body: (system: EventKernel) => Promise<void>): Promise<void> {
  const system = new EventKernel(setting.hal);
  try {
    await body(system);
  } finally {
    await system.shutdown();
  }
}

/** Polls (a turn at a time, real time passing) until `condition` holds; fails after `limitMilliseconds`. */
export async function eventually(condition: () => boolean, what: string, limitMilliseconds = 20_000): Promise<void> {
  const started = performance.now();
  while (!condition()) {
    expect(performance.now() - started, `waited for ${what}`).to.be.below(limitMilliseconds);
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}

/** The Node HAL's live worker threads; 0 on the sim HAL, which has none. */
export function liveThreads(kernel: Kernel): number {
  const cpu = kernel.devices.cpu as Partial<NodeCpu> | undefined;
  return cpu?.liveDomains ?? 0;
}

/** The fault of a `killed` ending, failing the test for any other ending. */
export function expectKilled(status: ExitStatus, reason: string | RegExp): void {
  expect(status.kind, JSON.stringify(status)).to.equal("faulted");
  if (status.kind !== "faulted") return;
  expect(status.fault.kind, JSON.stringify(status.fault)).to.equal("killed");
  if (typeof reason === "string") expect(status.fault.message).to.equal(reason);
  else expect(status.fault.message).to.match(reason);
}

function textLines(text: string): string[] {
  const lines = text.split("\n");
  if (lines.at(-1) === "") lines.pop();
  return lines;
}
