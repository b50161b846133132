// Kernels for the event suites: the sim HAL (a virtual clock that moves only when the test moves
// it, so every timer case is exact) in either domain, and the Node HAL, whose user domains are
// worker threads that really park in `events.wait`. Plus the check every ending must pass: the
// process holds nothing of the event machinery afterwards.
import { expect } from "chai";
import { createSimHal, type SimHal } from "../../../hal/sim/index.js";
import type { NodeCpu } from "../../../hal/node/index.js";
import { bootKernel, type Domain, type ExitStatus, type Kernel, type ModuleImage, type Process, type SpawnOptions } from "../../../kernel/index.js";
import type { Manifest } from "../../../runtime/abi/index.js";
import { assembleWat } from "../../helpers/wat.js";
import { eventManifest } from "./event-apps.js";

export interface EventSetting {
  readonly name: string;
  readonly hal: "sim" | "node";
  readonly domain: Domain;
}

export const SIM_KERNEL: EventSetting = { name: "kernel domain (sim HAL)", hal: "sim", domain: "kernel" };
export const SIM_USER: EventSetting = { name: "user domain (sim HAL)", hal: "sim", domain: "user" };
export const NODE_KERNEL: EventSetting = { name: "kernel domain (Node HAL)", hal: "node", domain: "kernel" };
export const NODE_USER: EventSetting = { name: "user domain (Node HAL, a worker thread)", hal: "node", domain: "user" };

/** A kernel on one setting's HAL; `advance` moves time (the virtual clock, or real time passing). */
export interface EventKernel {
  readonly kernel: Kernel;
  /** The sim HAL, when the setting runs on it. */
  readonly sim: SimHal | undefined;
  /**
   * Lets `milliseconds` pass and the deliveries they cause run: the virtual clock jumps; on the
   * Node HAL real time passes. `untilIdle` false: a few turns only, for a run queue that never
   * empties (a process that yields forever).
   */
  advance(milliseconds: number, untilIdle?: boolean): Promise<void>;
  /** Lets every delivery and serve the kernel has scheduled run (no time passes on the sim HAL). */
  settle(untilIdle?: boolean): Promise<void>;
  shutdown(): Promise<void>;
}

/** Event-loop turns a settle gives: a sim user domain's serve starts on a microtask after an arrival. */
const SETTLE_TURNS = 4;

export function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

export function eventKernel(setting: EventSetting): EventKernel {
  const sim = setting.hal === "sim" ? createSimHal() : undefined;
  const kernel = bootKernel({ hal: sim, devices: { console: { write: () => { throw new Error("test processes must capture their output"); } } } });
  const settle = async (untilIdle = true): Promise<void> => {
    for (let turn = 0; turn < SETTLE_TURNS; turn++) {
      if (untilIdle) await kernel.scheduler.idle();
      await nextTurn();
    }
  };
  return {
    kernel, sim, settle,
    advance: async (milliseconds, untilIdle = true) => {
      if (sim) sim.timer.advance(milliseconds);
      else await new Promise((resolve) => setTimeout(resolve, milliseconds));
      await settle(untilIdle);
    },
    shutdown: () => kernel.shutdown(),
  };
}

/** Runs `body` on a fresh kernel for `setting`, shut down afterwards whatever happens. */
export async function withEventKernel(setting: EventSetting, body: (bench: EventKernel) => Promise<void>): Promise<void> {
  const bench = eventKernel(setting);
  try {
    await body(bench);
  } finally {
    await bench.shutdown();
  }
}

/** Assembles and loads an event fixture under its event manifest. */
export async function loadEventApp(bench: EventKernel, wat: string, name: string, limits: Manifest["limits"] = {}): Promise<ModuleImage> {
  return bench.kernel.load(await assembleWat(wat), { manifest: eventManifest(name, limits) });
}

/**
 * Moves time in `stepMilliseconds` steps until `done` settles; fails after `maxSteps` (a process
 * that never ends would otherwise hang the suite).
 */
export async function advanceUntil<T>(bench: EventKernel, done: Promise<T>, stepMilliseconds: number, options: { maxSteps?: number; untilIdle?: boolean } = {}): Promise<T> {
  const maxSteps = options.maxSteps ?? 10_000;
  let settled = false;
  const result = done.then((value) => { settled = true; return value; });
  for (let step = 0; step < maxSteps && !settled; step++) await bench.advance(stepMilliseconds, options.untilIdle);
  expect(settled, `still running after ${maxSteps} steps of ${stepMilliseconds} ms`).to.equal(true);
  return result;
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

/**
 * After a process ended: it holds no handle, no event source and no queued event; the kernel's
 * timers are back to `timersBefore`; the scheduler's run queue has drained; no thread is left.
 */
export async function expectEventsReleased(bench: EventKernel, process: Process, timersBefore = 0): Promise<void> {
  await bench.settle();
  const { kernel } = bench;
  expect(process.status, "the process has ended").to.not.equal(undefined);
  expect(process.capabilities.size, "handles released").to.equal(0);
  expect(process.events.sources, "event sources released").to.equal(0);
  expect(process.events.queued, "queued events dropped").to.equal(0);
  expect(kernel.services.timers!.pending, "timers released").to.equal(timersBefore);
  expect(kernel.scheduler.runnable, "the run queue drained").to.equal(0);
  expect(kernel.processes.get(process.processId), "the process table forgot it").to.equal(undefined);
}

/** A spawned process whose output can be read while it runs. */
export interface WatchedProcess {
  readonly process: Process;
  readonly output: { stdout: string; stderr: string };
  readonly done: Promise<ExitStatus>;
}

export function spawnWatched(kernel: Kernel, image: ModuleImage, options: SpawnOptions = {}): WatchedProcess {
  const output = { stdout: "", stderr: "" };
  const process = kernel.spawn(image, { ...options, output: (stream, text) => { output[stream] += text; } });
  return { process, output, done: process.completion };
}

/** The fault of a `killed` ending, failing the test for any other ending. */
export function expectKilled(status: ExitStatus, reason: string | RegExp): void {
  expect(status.kind, JSON.stringify(status)).to.equal("faulted");
  if (status.kind !== "faulted") return;
  expect(status.fault.kind, JSON.stringify(status.fault)).to.equal("killed");
  if (typeof reason === "string") expect(status.fault.message).to.equal(reason);
  else expect(status.fault.message).to.match(reason);
}

/** What apps/ticker prints for `ticker ticks milliseconds`: its whole output. */
export function tickerOutput(ticks: number, milliseconds: number): string {
  const lines = [`ticker: ${ticks} ticks ${milliseconds} ms apart`];
  for (let tick = 1; tick <= ticks; tick++) lines.push(`tick ${tick} of ${ticks}`);
  lines.push("ticker: done");
  return `${lines.join("\n")}\n`;
}
