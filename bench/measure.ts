// Measurement helpers: medians of repeated timed runs, side by side in one process.
import { performance } from "node:perf_hooks";
import { Worker } from "node:worker_threads";

/** Runs `body` `repetitions` times after `warmups`, returning the median time per call in ns. */
export function medianNanosecondsPerCall(body: (iterations: number) => void, iterations: number, repetitions = 15, warmups = 3): number {
  for (let index = 0; index < warmups; index++) body(iterations);
  const samples: number[] = [];
  for (let index = 0; index < repetitions; index++) {
    const started = process.hrtime.bigint();
    body(iterations);
    samples.push(Number(process.hrtime.bigint() - started) / iterations);
  }
  return median(samples);
}

export async function medianMilliseconds(body: () => Promise<void> | void, repetitions = 15, warmups = 3): Promise<number> {
  for (let index = 0; index < warmups; index++) await body();
  const samples: number[] = [];
  for (let index = 0; index < repetitions; index++) {
    const started = process.hrtime.bigint();
    await body();
    samples.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  return median(samples);
}

export function median(values: number[]): number {
  const sorted = [...values].sort((left, right) => left - right);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

export function round(value: number, digits = 2): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

/** The value below which `fraction` of `values` lie (nearest rank): 0.99 for a p99. */
export function percentile(values: number[], fraction: number): number {
  const sorted = [...values].sort((left, right) => left - right);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1))]!;
}

/**
 * The floor: two threads bouncing one word with Atomics, both sides polling, or with `sleep`
 * both sides waiting in Atomics.wait and woken by Atomics.notify on every pass (the floor of a
 * wake-up: what a parked thread costs to bring back).
 */
export async function atomicsPingPongNanoseconds(roundTrips: number, { sleep = false } = {}): Promise<number> {
  const words = new Int32Array(new SharedArrayBuffer(8));
  const worker = new Worker(`
    const { workerData } = require("node:worker_threads");
    const words = new Int32Array(workerData.buffer);
    for (let trip = 1; trip <= workerData.roundTrips; trip++) {
      while (Atomics.load(words, 0) !== trip) { if (workerData.sleep) Atomics.wait(words, 0, trip - 1); }
      Atomics.store(words, 1, trip);
      Atomics.notify(words, 1, 1);
    }`, { eval: true, workerData: { buffer: words.buffer, roundTrips, sleep } });
  await new Promise((resolve) => worker.once("online", resolve));
  const start = performance.now();
  for (let trip = 1; trip <= roundTrips; trip++) {
    Atomics.store(words, 0, trip);
    if (sleep) Atomics.notify(words, 0, 1);
    while (Atomics.load(words, 1) !== trip) { if (sleep) Atomics.wait(words, 1, trip - 1); }
  }
  const elapsed = performance.now() - start;
  await new Promise((resolve) => worker.once("exit", resolve));
  return (elapsed * 1e6) / roundTrips;
}
