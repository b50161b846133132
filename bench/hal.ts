// HAL benchmarks: the price of the user/kernel boundary. A user-mode kernel call round trip
// against the floor (a bare Atomics ping-pong between two threads), batched calls per call at
// several batch sizes, and the time to start a user domain. Prints tables; asserts nothing.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { performance } from "node:perf_hooks";
import { Worker } from "node:worker_threads";
import type { KernelTrapHandler, UserDomainSpec } from "../hal/hil/index.js";
import { NodeCpu, NodeTimer, type NodeCpuOptions } from "../hal/node/index.js";
import { Syscall } from "../runtime/abi/index.js";
import type { BenchTable } from "./table.js";

const projectRoot = fileURLToPath(new URL("../../", import.meta.url));
const CALLS_PER_RUN = 10_000;
/** Many short runs: on a shared two-CPU machine one descheduled thread spoils a run, and the median shrugs that off. */
const RUNS = 11;
const START_RUNS = 10;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

const round = (value: number, digits = 0) => Number(value.toFixed(digits));

async function assemble(name: string, text: string): Promise<Uint8Array<ArrayBuffer>> {
  const { default: wabtInit } = await import("wabt");
  const wabt = await wabtInit();
  const module = wabt.parseWat(name, text);
  try { return new Uint8Array(module.toBinary({}).buffer); } finally { module.destroy(); }
}

/** The floor: two threads bouncing one word with Atomics, both sides polling. */
async function atomicsPingPongNanoseconds(roundTrips: number): Promise<number> {
  const words = new Int32Array(new SharedArrayBuffer(8));
  const worker = new Worker(`
    const { workerData } = require("node:worker_threads");
    const words = new Int32Array(workerData.buffer);
    for (let trip = 1; trip <= workerData.roundTrips; trip++) {
      while (Atomics.load(words, 0) !== trip) {}
      Atomics.store(words, 1, trip);
      Atomics.notify(words, 1, 1);
    }`, { eval: true, workerData: { buffer: words.buffer, roundTrips } });
  await new Promise((resolve) => worker.once("online", resolve));
  const start = performance.now();
  for (let trip = 1; trip <= roundTrips; trip++) {
    Atomics.store(words, 0, trip);
    while (Atomics.load(words, 1) !== trip) { /* poll */ }
  }
  const elapsed = performance.now() - start;
  await new Promise((resolve) => worker.once("exit", resolve));
  return (elapsed * 1e6) / roundTrips;
}

/** Runs `binary` in a user domain and returns nanoseconds per kernel call seen by the handler. */
async function nanosecondsPerCall(cpu: NodeCpu, binary: Uint8Array<ArrayBuffer>, expectedCalls: number): Promise<number> {
  let calls = 0;
  let first = 0;
  let last = 0;
  const handler: KernelTrapHandler = {
    handleTrap(_domain, syscallNumber, args) {
      const now = performance.now();
      if (calls++ === 0) first = now;
      last = now;
      if (syscallNumber === Syscall.consoleWrite) return { kind: "return", value: (args[0] as string).length };
      return { kind: "return", value: 7 };
    },
  };
  const outcome = await cpu.createUserDomain(spec(binary), handler).completion;
  if (outcome.kind !== "returned" || calls !== expectedCalls) throw new Error(`benchmark domain ended badly: ${JSON.stringify(outcome)} after ${calls} calls`);
  return ((last - first) * 1e6) / (calls - 1);
}

function spec(module: Uint8Array<ArrayBuffer>): UserDomainSpec {
  return { processId: 1, name: "bench", module, entry: "main", memoryLimitPages: 16, cpuBudgetMilliseconds: 60_000, badPointerPolicy: "efault" };
}

function callLoopModule(calls: number, call: "id" | "write"): string {
  const body = call === "id" ? "(drop (call $id))" : "(drop (call $write (i32.const 16) (i32.const 16)))";
  return `(module
    (import "singlet:kernel/process@0.1.0" "id" (func $id (result i32)))
    (import "singlet:kernel/console@0.1.0" "write" (func $write (param i32 i32) (result i32)))
    (memory (export "memory") 1)
    (data (i32.const 16) "0123456789abcdef0123456789abcdef")
    (func (export "main") (result i32) (local $i i32)
      (loop $again ${body}
        (br_if $again (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (i32.const ${calls}))))
      (i32.const 0)))`;
}

function batchLoopModule(batchSize: number, submissions: number): string {
  return `(module
    (import "singlet:kernel/batch@0.1.0" "submit" (func $submit (param i32 i32) (result i32)))
    (memory (export "memory") 1)
    (func (export "main") (result i32) (local $i i32)
      (loop $fill
        (i32.store (i32.add (i32.const 1024) (i32.mul (local.get $i) (i32.const 40))) (i32.const ${Syscall.processId}))
        (br_if $fill (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (i32.const ${batchSize}))))
      (local.set $i (i32.const 0))
      (loop $again
        (drop (call $submit (i32.const 1024) (i32.const ${batchSize})))
        (br_if $again (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (i32.const ${submissions}))))
      (i32.const 0)))`;
}

interface Sample { readonly median: number; readonly best: number }

async function sample(runs: number, measure: () => Promise<number>): Promise<Sample> {
  const values: number[] = [];
  for (let run = 0; run < runs; run++) values.push(await measure());
  return { median: median(values), best: Math.min(...values) };
}

async function medianOf(runs: number, measure: () => Promise<number>): Promise<number> {
  return (await sample(runs, measure)).median;
}

export async function runHalBenchmarks(): Promise<BenchTable[]> {
  const tuned = (options: NodeCpuOptions) => new NodeCpu(new NodeTimer(), options);
  const cpu = tuned({});
  const floorSample = await sample(RUNS, () => atomicsPingPongNanoseconds(CALLS_PER_RUN));
  const floor = floorSample.median;
  const idLoop = await assemble("id-loop", callLoopModule(CALLS_PER_RUN, "id"));
  const writeLoop = await assemble("write-loop", callLoopModule(CALLS_PER_RUN, "write"));
  const idSample = await sample(RUNS, () => nanosecondsPerCall(cpu, idLoop, CALLS_PER_RUN));
  const idCall = idSample.median;
  const writeSample = await sample(RUNS, () => nanosecondsPerCall(cpu, writeLoop, CALLS_PER_RUN));
  const sleepingCalls = 2_000;
  const sleepingLoop = await assemble("id-loop-short", callLoopModule(sleepingCalls, "id"));
  const sleepingSample = await sample(3, () => nanosecondsPerCall(tuned({ kernelPollMicroseconds: 0, userSpinIterations: 0 }), sleepingLoop, sleepingCalls));
  const floorRow = (label: string, measured: Sample) =>
    [label, round(measured.median), round(measured.best), round(measured.median / floor, 1), round(measured.best / floorSample.best, 1)];
  const roundTrips: BenchTable = {
    title: "HAL: user-mode kernel call round trip (ns per call, median)",
    columns: ["path", "median ns", "best ns", "× floor (median)", "× floor (best)"],
    rows: [floorRow("bare Atomics ping-pong between two threads (floor)", floorSample),
      floorRow("process.id from a user domain (spin-then-wait)", idSample),
      floorRow("console.write of 16 code units (copyin through the TLB)", writeSample),
      floorRow("process.id with no polling on either side (sleep/wake)", sleepingSample)],
    notes: [
      `${CALLS_PER_RUN} calls per run, ${RUNS} runs; per call = handler-to-handler time / (calls - 1).`,
      "both sides busy-poll in the floor and in the fast path: with two CPUs, any other load on the machine shows up as outliers; read best and median together.",
      "spin-then-wait: user side polls 2000 times before Atomics.wait; kernel polls 20 µs before Atomics.waitAsync (hal/node/params.ts).",
    ],
  };
  const batchRows: (string | number)[][] = [];
  for (const batchSize of [1, 8, 64]) {
    const submissions = Math.ceil(CALLS_PER_RUN / batchSize);
    const binary = await assemble(`batch-${batchSize}`, batchLoopModule(batchSize, submissions));
    const perCall = await sample(RUNS, () => nanosecondsPerCall(cpu, binary, submissions * batchSize));
    batchRows.push([batchSize, round(perCall.median), round(perCall.best), round(perCall.median / idCall, 2), round(perCall.median / floor, 1)]);
  }
  const batches: BenchTable = {
    title: "HAL: batched kernel calls (ns per call, median)",
    columns: ["batch size", "median ns per call", "best ns per call", "× unbatched call (median)", "× floor (median)"],
    rows: batchRows,
    notes: ["each entry is process.id; one crossing per batch.submit; the ring is copied in and out of the trap page."],
  };
  const trivial = await assemble("trivial", `(module (memory (export "memory") 1) (func (export "main") (result i32) (i32.const 0)))`);
  const hello = new Uint8Array(readFileSync(`${projectRoot}apps/hello/build/hello.wasm`));
  const helloHandler: KernelTrapHandler = { handleTrap: (_domain, syscallNumber) => ({ kind: "return", value: syscallNumber === Syscall.processArgGet ? "" : 0 }) };
  const warmCpu = tuned({ prewarmedDomains: 1 });
  const startMilliseconds = (binary: Uint8Array<ArrayBuffer> | WebAssembly.Module, on = cpu) => medianOf(START_RUNS, async () => {
    // Give the pool time to start its next thread, as a kernel between process starts would.
    if (on === warmCpu) await new Promise((resolve) => setTimeout(resolve, 100));
    const start = performance.now();
    await on.createUserDomain({ ...spec(trivial), module: binary }, helloHandler).completion;
    return performance.now() - start;
  });
  const starts: BenchTable = {
    title: "HAL: user domain start to completion (ms, median)",
    columns: ["module", "ms"],
    rows: [
      ["trivial main, bytes", round(await startMilliseconds(trivial), 1)],
      ["apps/hello, bytes", round(await startMilliseconds(hello), 1)],
      ["apps/hello, compiled module", round(await startMilliseconds(new WebAssembly.Module(hello)), 1)],
      ["apps/hello, compiled module, prewarmed thread", round(await startMilliseconds(new WebAssembly.Module(hello), warmCpu), 1)],
    ],
    notes: [`median of ${START_RUNS}; includes Worker start, instantiation, the run and the thread's exit.`],
  };
  await warmCpu.terminateAll("benchmarks done");
  return [roundTrips, batches, starts];
}

if (process.argv[1]?.endsWith("hal.js")) {
  for (const table of await runHalBenchmarks()) console.log(JSON.stringify(table, null, 1));
}
