// HAL benchmarks: the price of the user/kernel boundary. A user-mode kernel call round trip
// against the in-kernel call and the floor (a bare Atomics ping-pong between two threads),
// batched calls per call at several batch sizes, and process start in user mode against
// in-kernel, all in one run. Prints tables; asserts nothing.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { performance } from "node:perf_hooks";
import type { KernelTrapHandler } from "../hal/hil/index.js";
import { NodeCpu, NodeTimer, createNodeHal, params, runModule, type ModuleRunSpec, type NodeCpuOptions } from "../hal/node/index.js";
import { bootKernel, type Kernel, type ModuleImage } from "../kernel/index.js";
import { instantiateInKernel } from "../kernel/sip/run-in-kernel.js";
import { setFuel } from "../verifier/index.js";
import { Syscall, syscallDescriptors } from "../runtime/abi/index.js";
import { serviceBatch } from "../kernel/services/batch-ring.js";
import { atomicsPingPongNanoseconds, median, medianNanosecondsPerCall, round } from "./measure.js";
import type { BenchTable } from "./table.js";
import { assemble } from "./wat.js";

const projectRoot = fileURLToPath(new URL("../../", import.meta.url));
/** Calls a fresh domain makes before the measured stretch: its thread's JIT and Wasm tiers settle. */
const WARM_UP_CALLS = 20_000;
const MEASURED_CALLS = 10_000;
/** Many short runs: on a shared two-CPU machine one descheduled thread spoils a run, and the median shrugs that off. */
const RUNS = 11;
const START_RUNS = 10;
/** Untimed process starts before the reused-thread rows: a pool that has been in use, kernel code optimised. */
const WARM_POOL_RUNS = 50;
/** Enough fuel that the in-kernel loop is never stopped; fuel is still charged per iteration. */
const BENCH_FUEL = 10_000_000_000;

interface Sample { readonly median: number; readonly best: number }

function sampleOf(values: number[]): Sample {
  return { median: median(values), best: Math.min(...values) };
}

/**
 * A kernel hiccup inside the warm-up: this many answers come this late, so the user side sleeps
 * repeatedly and its budget falls to the floor. The steady stretch then shows whether both sides
 * find their way back to polling.
 */
const HICCUP_START = 15_000;
const HICCUP_CALLS = 200;
const HICCUP_MILLISECONDS = 0.06;

function busyWait(milliseconds: number): void {
  const until = performance.now() + milliseconds;
  while (performance.now() < until) { /* the kernel is busy elsewhere */ }
}

/** One domain's run: ns per call over its first calls (cold) and after the warm-up (steady). */
interface DomainRun { readonly cold: number; readonly steady: number; readonly sleepsPerThousand: number }

/**
 * Runs `binary`, which makes `calls` kernel calls, in a user domain. The handler reads the clock
 * only at the first call, at `warmUpCalls` and at the last, so the measurement adds nothing per call.
 */
async function timeDomain(cpu: NodeCpu, binary: Uint8Array<ArrayBuffer>, calls: number, warmUpCalls: number, hiccup = false): Promise<DomainRun> {
  let count = 0;
  let first = 0;
  let warm = 0;
  let last = 0;
  let sleepsAtWarm = 0;
  const handler: KernelTrapHandler = {
    handleTrap(domainIdentity, syscallNumber, args) {
      // A batch's ring comes to the kernel as bytes: the kernel's ring reader calls back per entry.
      if (syscallNumber === Syscall.batchSubmit) {
        const result = serviceBatch(args[0] as Uint8Array, args[1] as number, (entryNumber, entryArgs) => handler.handleTrap(domainIdentity, entryNumber, entryArgs));
        return result.stoppedBy ?? { kind: "return", value: result.completed };
      }
      count++;
      if (hiccup && count > HICCUP_START && count <= HICCUP_START + HICCUP_CALLS) busyWait(HICCUP_MILLISECONDS);
      if (count === 1) first = performance.now();
      else if (count === warmUpCalls) { warm = performance.now(); sleepsAtWarm = domain.stats().waits?.userSleeps ?? 0; }
      else if (count === calls) last = performance.now();
      if (syscallNumber === Syscall.consoleWrite) return { kind: "return", value: (args[0] as string).length };
      return { kind: "return", value: 7 };
    },
  };
  const domain = runModule(cpu, spec(binary), handler);
  const outcome = await domain.completion;
  if (outcome.kind !== "returned" || count !== calls) throw new Error(`benchmark domain ended badly: ${JSON.stringify(outcome)} after ${count} calls`);
  const sleeps = (domain.stats().waits?.userSleeps ?? 0) - sleepsAtWarm;
  return {
    cold: ((warm - first) * 1e6) / (warmUpCalls - 1),
    steady: ((last - warm) * 1e6) / (calls - warmUpCalls),
    sleepsPerThousand: (sleeps * 1000) / (calls - warmUpCalls),
  };
}

async function sampleDomain(cpu: NodeCpu, binary: Uint8Array<ArrayBuffer>, calls: number, warmUpCalls: number, runs = RUNS, hiccup = false) {
  const results: DomainRun[] = [];
  for (let run = 0; run < runs; run++) results.push(await timeDomain(cpu, binary, calls, warmUpCalls, hiccup));
  return {
    cold: sampleOf(results.map((result) => result.cold)),
    steady: sampleOf(results.map((result) => result.steady)),
    sleepsPerThousand: median(results.map((result) => result.sleepsPerThousand)),
  };
}

function spec(module: Uint8Array<ArrayBuffer>): ModuleRunSpec {
  return { processId: 1, name: "bench", calls: syscallDescriptors, module, entry: "main", memoryLimitPages: 16, cpuBudgetMilliseconds: 60_000, badPointerPolicy: "efault" };
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

/** process.id from an in-kernel process: the verified module's import is a plain function call. */
async function inKernelCallNanoseconds(kernel: Kernel): Promise<number> {
  const bytes = await assemble(`(module
    (import "singlet:kernel/process@0.1.0" "id" (func $id (result i32)))
    (memory (export "memory") 1 1)
    (func (export "main") (result i32) (i32.const 0))
    (func (export "run") (param $n i32)
      (block $done (loop $again
        (br_if $done (i32.eqz (local.get $n)))
        (drop (call $id))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $again)))))`);
  const image = kernel.load(bytes, { manifest: { name: "bench-in-kernel-id", capabilities: [], entryPoints: { main: {}, run: { fuel: BENCH_FUEL } } } });
  const process = kernel.processes.create({ name: "bench", args: [], domain: "kernel", output: () => undefined });
  const { instance } = instantiateInKernel(image, { process, services: kernel.services });
  const loop = instance.exports.run as (n: number) => void;
  const nanoseconds = medianNanosecondsPerCall((n) => { setFuel(instance, BENCH_FUEL); loop(n); }, 1_000_000);
  kernel.processes.remove(process);
  return nanoseconds;
}

async function roundTripTable(cpu: NodeCpu, kernel: Kernel): Promise<{ table: BenchTable; unbatchedSteady: number }> {
  const floorValues: number[] = [];
  for (let run = 0; run < RUNS; run++) floorValues.push(await atomicsPingPongNanoseconds(MEASURED_CALLS));
  const floor = sampleOf(floorValues);
  // Both threads sleep in Atomics.wait and wake each other with Atomics.notify: what a wake-up costs
  // on this machine, the floor under every crossing whose other side was asleep.
  const sleepingFloorValues: number[] = [];
  for (let run = 0; run < 3; run++) sleepingFloorValues.push(await atomicsPingPongNanoseconds(2_000, { sleep: true }));
  const sleepingFloor = sampleOf(sleepingFloorValues);
  const calls = WARM_UP_CALLS + MEASURED_CALLS;
  const id = await sampleDomain(cpu, await assemble(callLoopModule(calls, "id")), calls, WARM_UP_CALLS);
  const write = await sampleDomain(cpu, await assemble(callLoopModule(calls, "write")), calls, WARM_UP_CALLS);
  const idLoop = await assemble(callLoopModule(calls, "id"));
  const afterHiccup = await sampleDomain(cpu, idLoop, calls, WARM_UP_CALLS, RUNS, true);
  const sleepingCalls = 2_000;
  const sleepingCpu = new NodeCpu(new NodeTimer(), { kernelPollMicroseconds: 0, userSpinIterations: 0 });
  const sleeping = await sampleDomain(sleepingCpu, await assemble(callLoopModule(sleepingCalls, "id")), sleepingCalls, sleepingCalls / 2, 3);
  const inKernel = await inKernelCallNanoseconds(kernel);
  const row = (label: string, measured: Sample, sleeps: number | string) =>
    [label, round(measured.median, 0), round(measured.best, 0), round(measured.median / floor.median, 1), round(measured.median / inKernel, 0), sleeps];
  return {
    unbatchedSteady: id.steady.median,
    table: {
      title: "HAL: user-mode kernel call round trip (ns per call)",
      columns: ["path", "median ns", "best ns", "× floor", "× in-kernel call", "user sleeps per 1000 calls"],
      rows: [
        ["process.id from an in-kernel process (function call)", round(inKernel, 1), "", round(inKernel / floor.median, 2), 1, ""],
        row("bare Atomics ping-pong between two threads (floor)", floor, ""),
        row("process.id from a user domain, steady (spin-then-wait)", id.steady, round(id.sleepsPerThousand, 1)),
        row(`process.id, first ${WARM_UP_CALLS} calls of a fresh domain`, id.cold, ""),
        row(`process.id, steady after a kernel hiccup (${HICCUP_CALLS} answers ${HICCUP_MILLISECONDS * 1000} µs late)`, afterHiccup.steady, round(afterHiccup.sleepsPerThousand, 1)),
        row("console.write of 16 code units, steady (copyin through the TLB)", write.steady, round(write.sleepsPerThousand, 1)),
        row(`console.write of 16 code units, first ${WARM_UP_CALLS} calls`, write.cold, ""),
        row("process.id with no polling on either side (sleep/wake)", sleeping.steady, round(sleeping.sleepsPerThousand, 0)),
        row("bare Atomics ping-pong, each side asleep until woken (wait/notify floor: two wake-ups)", sleepingFloor, ""),
      ],
      notes: [
        `${RUNS} runs; each user-domain run makes ${WARM_UP_CALLS} calls, then ${MEASURED_CALLS} measured ones ("steady"); the handler reads the clock at three calls only.`,
        "a fresh domain's first calls run in an unoptimised thread while its JIT compiles in the background on the same two CPUs, so polling loses to descheduling and calls sleep: that is the cold row.",
        `spin-then-wait: user side polls up to ${params.DEFAULT_USER_SPIN_ITERATIONS} times (floor ${params.USER_SPIN_FLOOR_ITERATIONS}, a ${params.USER_SPIN_PROBE_ITERATIONS}-poll probe after ${params.USER_SPIN_PROBE_AFTER_SLEEPS} sleeps in a row); kernel polls ${params.DEFAULT_KERNEL_POLL_MICROSECONDS} µs before Atomics.waitAsync, ${params.DEFAULT_KERNEL_POLL_AFTER_WAKE_MICROSECONDS} µs after waking a sleeping user side (hal/node/params.ts).`,
        "after a hiccup the user side has slept many times; a steady figure near the plain steady one means both sides went back to polling rather than waking each other on every call (~sleep/wake cost).",
        "both sides busy-poll in the floor and in the fast path: with two CPUs, any other load on the machine shows up as outliers; read best and median together.",
      ],
    },
  };
}

async function batchTable(cpu: NodeCpu, unbatchedSteady: number): Promise<BenchTable> {
  const rows: (string | number)[][] = [];
  for (const batchSize of [1, 8, 64]) {
    const submissions = Math.ceil((WARM_UP_CALLS + MEASURED_CALLS) / batchSize);
    const warmUpSubmissions = Math.ceil(WARM_UP_CALLS / batchSize);
    const binary = await assemble(batchLoopModule(batchSize, submissions));
    // The handler sees each entry; time per entry over the steady stretch.
    const run = await sampleDomain(cpu, binary, submissions * batchSize, warmUpSubmissions * batchSize);
    rows.push([batchSize, round(run.steady.median, 0), round(run.steady.best, 0), round(run.steady.median / unbatchedSteady, 2)]);
  }
  return {
    title: "HAL: batched kernel calls (ns per call, steady)",
    columns: ["batch size", "median ns per call", "best ns per call", "× unbatched call (median)"],
    rows,
    notes: [
      "each entry is process.id; one crossing per batch.submit; the ring is copied into the trap page and back, and each entry is decoded by its call's WIT types.",
      "a batch of 1 is one crossing like an unbatched call plus the ring copies and entry decoding, so it costs somewhat more than 1×; the crossing is shared from 8 entries on.",
    ],
  };
}

/**
 * Median ms from spawn to completion of `image` in `domain` through the whole kernel path, and
 * from spawn to its first output (hello's first console.write, a little after main begins).
 */
export async function startMilliseconds(kernel: Kernel, image: ModuleImage, domain: "kernel" | "user", pauseMilliseconds = 0, warmUpRuns = 0): Promise<{ completion: number; firstOutput: number }> {
  const completions: number[] = [];
  const firstOutputs: number[] = [];
  for (let run = -warmUpRuns; run < START_RUNS; run++) {
    // Give a prewarming pool time to start its next thread, as a kernel between process starts would.
    if (pauseMilliseconds > 0) await new Promise((resolve) => setTimeout(resolve, pauseMilliseconds));
    let firstOutput: number | undefined;
    const start = performance.now();
    const { status } = await kernel.run(image, { domain, args: ["bench"], output: () => { firstOutput ??= performance.now(); } });
    if (run >= 0) {
      completions.push(performance.now() - start);
      firstOutputs.push((firstOutput ?? Number.NaN) - start);
    }
    if (status.kind !== "exited" || status.code !== 0) throw new Error(`start benchmark: ${JSON.stringify(status)}`);
  }
  return { completion: median(completions), firstOutput: median(firstOutputs) };
}

/** Median ms of `runModule` on `cpu` to completion, and to its first kernel call (spawn → main) when it makes one. */
async function halStartMilliseconds(cpu: NodeCpu, module: Uint8Array<ArrayBuffer> | WebAssembly.Module): Promise<{ completion: number; toMain: number }> {
  const completions: number[] = [];
  const toMain: number[] = [];
  for (let run = 0; run < START_RUNS; run++) {
    let firstCall: number | undefined;
    const handler: KernelTrapHandler = {
      handleTrap: (_domain, syscallNumber) => {
        firstCall ??= performance.now();
        return { kind: "return", value: syscallNumber === Syscall.processArgGet ? "" : 0 };
      },
    };
    const start = performance.now();
    await runModule(cpu, { ...spec(new Uint8Array(0)), module }, handler).completion;
    completions.push(performance.now() - start);
    if (firstCall !== undefined) toMain.push(firstCall - start);
  }
  return { completion: median(completions), toMain: toMain.length > 0 ? median(toMain) : Number.NaN };
}

async function startTable(kernel: Kernel): Promise<BenchTable> {
  const helloBytes = new Uint8Array(readFileSync(`${projectRoot}apps/hello/build/hello.wasm`));
  const hello = kernel.load(helloBytes);
  const quietDevices = { console: { write: () => undefined } };
  const newThreadKernel = bootKernel({ hal: createNodeHal({ keptDomainThreads: 0 }), devices: quietDevices });
  const prewarmedKernel = bootKernel({ hal: createNodeHal({ prewarmedDomains: 1, keptDomainThreads: 0 }), devices: quietDevices });
  const inKernel = (await startMilliseconds(kernel, hello, "kernel")).completion;
  const userNewThread = (await startMilliseconds(newThreadKernel, newThreadKernel.load(helloBytes), "user")).completion;
  const userPrewarmed = (await startMilliseconds(prewarmedKernel, prewarmedKernel.load(helloBytes), "user", 100)).completion;
  // The first run starts the thread every later run reuses. A warm pool is a kernel that has been
  // starting processes for a while: the untimed runs before the samples let its own start path
  // (spawn, link, the trap service) reach optimised code, as the thread's stubs already have.
  const userReused = await startMilliseconds(kernel, hello, "user", 0, WARM_POOL_RUNS);
  await newThreadKernel.shutdown();
  await prewarmedKernel.shutdown();
  const trivial = await assemble(`(module (memory (export "memory") 1) (func (export "main") (result i32) (i32.const 0)))`);
  const callsFirst = await assemble(`(module
    (import "singlet:kernel/process@0.1.0" "id" (func $id (result i32)))
    (memory (export "memory") 1)
    (func (export "main") (result i32) (drop (call $id)) (i32.const 0)))`);
  const newThreadCpu = new NodeCpu(new NodeTimer(), { keptDomainThreads: 0 });
  const reusingCpu = new NodeCpu(new NodeTimer());
  const trivialNewThread = await halStartMilliseconds(newThreadCpu, trivial);
  const trivialReused = await halStartMilliseconds(reusingCpu, trivial);
  const compiledReused = await halStartMilliseconds(reusingCpu, new WebAssembly.Module(helloBytes));
  const toMainReused = await halStartMilliseconds(reusingCpu, new WebAssembly.Module(callsFirst));
  await newThreadCpu.terminateAll("benchmark done");
  await reusingCpu.terminateAll("benchmark done");
  const row = (label: string, milliseconds: number) => [label, round(milliseconds, 2), round(milliseconds / inKernel, 0)];
  return {
    title: "Process start: user domain vs in-kernel (ms, median, same run)",
    columns: ["apps/hello, spawn → main → exit → completion", "ms", "× in-kernel"],
    rows: [
      row("in-kernel SIP, already verified (image cache hit)", inKernel),
      row("user domain, new thread each time", userNewThread),
      row("user domain, prewarmed thread (not reused)", userPrewarmed),
      row("user domain, thread reused from the previous process", userReused.completion),
      row("user domain, reused thread: spawn → first console.write in main", userReused.firstOutput),
      row("HAL only: trivial module, new thread each time", trivialNewThread.completion),
      row("HAL only: trivial module, reused thread", trivialReused.completion),
      row("HAL only: hello as a compiled module, reused thread", compiledReused.completion),
      row("HAL only: spawn → first kernel call in main, compiled module, reused thread", toMainReused.toMain),
    ],
    notes: [
      `median of ${START_RUNS}; the two reused-thread rows through the kernel follow ${WARM_POOL_RUNS} untimed starts (a warm pool in a kernel that has been running); the first five rows go through kernel.run with the same verified image, only the domain and the CPU's thread pool differ.`,
      "a new thread costs a Worker start (tens of ms on these VMs) and its exit; a prewarmed one costs the boot message, the thread's first (unoptimised) run of the trap stubs and its exit; a reused one costs a doorbell wake-up and a new channel.",
      `threads are kept for reuse after a normal end (at most ${params.DEFAULT_KEPT_DOMAIN_THREADS}, each for ${params.IDLE_DOMAIN_THREAD_MILLISECONDS} ms unused); the two "spawn → … main" rows are the issue's "spawn to main" figure, through the kernel and through the HAL alone.`,
    ],
  };
}

export async function runHalBenchmarks(): Promise<BenchTable[]> {
  const tuned = (options: NodeCpuOptions) => new NodeCpu(new NodeTimer(), options);
  // Every run on a thread of its own, so "a fresh domain" is one in a thread that never ran the stubs.
  const cpu = tuned({ keptDomainThreads: 0 });
  const kernel = bootKernel({ devices: { console: { write: () => undefined } } });
  const { table: roundTrips, unbatchedSteady } = await roundTripTable(cpu, kernel);
  const batches = await batchTable(cpu, unbatchedSteady);
  const starts = await startTable(kernel);
  await kernel.shutdown();
  return [roundTrips, batches, starts];
}

if (process.argv[1]?.endsWith("hal.js")) {
  for (const table of await runHalBenchmarks()) console.log(JSON.stringify(table, null, 1));
}
