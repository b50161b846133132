// `npm run bench -- events`: what waiting for events costs (issue 10), in one run.
//   1. An empty event delivered to an in-kernel handler, beside a bare JS→Wasm call of an empty
//      export: an app whose handler yields again is driven by the kernel's own scheduler, and
//      ns per event is (spawn→completion of N events − the same for 1 event) / (N − 1).
//   2. Timer expiry → handler running, kernel domain against user domain (bench/event-wakes.ts).
//   3. A user domain's events.wait parked and woken by an event, beside two Atomics floors (the same).
//   4. Process start on the unified path: hello (no event sources) and an app that holds one.
// Prints tables; asserts nothing.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { performance } from "node:perf_hooks";
import { NodeTimer, createNodeHal } from "../hal/node/index.js";
import { bootKernel, type Kernel, type ModuleImage, type Process } from "../kernel/index.js";
import { EMPTY_EXPORT_MODULE, manifestFor, timerEntryApp, yieldingApp } from "./event-apps.js";
import { neverPollingKernel, timerTable, wakeTable } from "./event-wakes.js";
import { baselineCommit, baselineDirectory, importBaseline } from "./baseline.js";
import { startMilliseconds } from "./hal.js";
import { median, medianNanosecondsPerCall, round } from "./measure.js";
import type { BenchTable } from "./table.js";
import { assemble } from "./wat.js";

const projectRoot = fileURLToPath(new URL("../../", import.meta.url));

/** Events per timed in-kernel run: long enough that spawning and ending (subtracted anyway) are noise. */
const KERNEL_DOMAIN_EVENTS = 200_000;
/** A user-domain event is two crossings (wait, yield), microseconds rather than nanoseconds. */
const USER_DOMAIN_EVENTS = 10_000;
const KERNEL_DOMAIN_RUNS = 7;
const USER_DOMAIN_RUNS = 5;
const FLOOR_CALLS = 5_000_000;

/** Start rows alternate with a baseline build's, this many rounds of the hal suite's runs each. */
const START_ROUNDS = 5;

async function runToExit(kernel: Kernel, image: ModuleImage, domain: "kernel" | "user"): Promise<Process> {
  const { process, status } = await kernel.run(image, { domain, output: () => undefined });
  if (status.kind !== "exited" || status.code !== 0) throw new Error(`events bench: ${image.name} in the ${domain} domain ended ${JSON.stringify(status)}`);
  return process;
}

// --- 1. delivery ----------------------------------------------------------------------------

interface DeliveryCost { readonly nanosecondsPerEvent: number; readonly cpuNanosecondsPerEvent: number; readonly fuelPerDelivery: number }

/** CPU time of the whole process so far (every thread), in ms: unlike wall time, it leaves out the time other load takes the CPU. */
function cpuMilliseconds(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
}

/** ns per event of the yielding app in `domain`: the difference of a long and a one-event run. */
async function deliveryCost(kernel: Kernel, domain: "kernel" | "user"): Promise<DeliveryCost> {
  const events = domain === "kernel" ? KERNEL_DOMAIN_EVENTS : USER_DOMAIN_EVENTS;
  const runs = domain === "kernel" ? KERNEL_DOMAIN_RUNS : USER_DOMAIN_RUNS;
  const long = kernel.load(await assemble(yieldingApp(events)), { manifest: manifestFor(`yielding-${events}`) });
  const short = kernel.load(await assemble(yieldingApp(1)), { manifest: manifestFor("yielding-1") });
  let fuelPerDelivery = 0;
  const timed = async (image: ModuleImage, expected: number): Promise<{ wall: number; cpu: number }> => {
    const deliveriesBefore = kernel.scheduler.deliveries;
    const cpuBefore = cpuMilliseconds();
    const started = performance.now();
    const process = await runToExit(kernel, image, domain);
    const wall = performance.now() - started;
    const cpu = cpuMilliseconds() - cpuBefore;
    const statistics = process.events.statistics;
    if (statistics.delivered !== expected) throw new Error(`events bench: ${statistics.delivered} events delivered, ${expected} expected`);
    if (domain === "kernel") {
      // The scheduler's own count agrees: every event went through its run queue.
      if (kernel.scheduler.deliveries - deliveriesBefore !== expected) throw new Error("events bench: the scheduler's delivery count disagrees");
      fuelPerDelivery = statistics.deliveryFuel / statistics.meteredDeliveries;
    }
    return { wall, cpu };
  };
  // Warm-up: the first runs compile the app and settle the JIT.
  await timed(long, events);
  await timed(short, 1);
  const wallSamples: number[] = [];
  const cpuSamples: number[] = [];
  for (let run = 0; run < runs; run++) {
    const longRun = await timed(long, events);
    const shortRun = await timed(short, 1);
    wallSamples.push(((longRun.wall - shortRun.wall) * 1e6) / (events - 1));
    cpuSamples.push(((longRun.cpu - shortRun.cpu) * 1e6) / (events - 1));
  }
  return { nanosecondsPerEvent: median(wallSamples), cpuNanosecondsPerEvent: median(cpuSamples), fuelPerDelivery };
}

async function deliveryTable(kernel: Kernel): Promise<{ table: BenchTable; userNanosecondsPerEvent: number }> {
  const floorInstance = new WebAssembly.Instance(new WebAssembly.Module(await assemble(EMPTY_EXPORT_MODULE)));
  const empty = floorInstance.exports.empty as () => void;
  const floor = medianNanosecondsPerCall((calls) => { for (let call = 0; call < calls; call++) empty(); }, FLOOR_CALLS);
  // What the scheduler pays per delivery while a timer is pending, to fire due timers between deliveries.
  const timer = new NodeTimer();
  let sink = 0;
  const clockRead = medianNanosecondsPerCall((calls) => { for (let call = 0; call < calls; call++) sink += timer.now(); }, FLOOR_CALLS / 5);
  if (Number.isNaN(sink)) throw new Error("events bench: the clock read NaN");
  const inKernel = await deliveryCost(kernel, "kernel");
  // Another process's timer, an hour away: while one is pending the scheduler reads the clock before every delivery.
  const sleeper = kernel.spawn(kernel.load(await assemble(timerEntryApp(1, 3_600_000)), { manifest: manifestFor("sleeper", ["console", "clock"]) }), { domain: "kernel", output: () => undefined });
  await new Promise((resolve) => setImmediate(resolve));
  if (kernel.services.timers?.pending !== 1) throw new Error("events bench: the sleeper's timer is not pending");
  const inKernelTimerPending = await deliveryCost(kernel, "kernel");
  kernel.kill(sleeper, "the benchmark is done with it");
  const inUser = await deliveryCost(kernel, "user");
  const row = (label: string, nanoseconds: number, cpuNanoseconds: number | string = "") =>
    [label, round(nanoseconds, 1), typeof cpuNanoseconds === "number" ? round(cpuNanoseconds, 1) : cpuNanoseconds, round(nanoseconds / floor, 1)];
  return {
    userNanosecondsPerEvent: inUser.nanosecondsPerEvent,
    table: {
      title: "Events: an empty event delivered to its handler (ns per event, same run)",
      columns: ["path", "ns per event (median)", "CPU ns per event (median)", "× floor"],
      rows: [
        row("bare JS→Wasm call of an empty export (floor)", floor),
        row("the HAL clock read (performance.now)", clockRead),
        row("in-kernel: the scheduler calls dispatch, which yields again", inKernel.nanosecondsPerEvent, inKernel.cpuNanosecondsPerEvent),
        row("in-kernel, the same while another process's timer is pending", inKernelTimerPending.nanosecondsPerEvent, inKernelTimerPending.cpuNanosecondsPerEvent),
        row("user domain: serve's events.wait finds the handler's yield queued", inUser.nanosecondsPerEvent, inUser.cpuNanosecondsPerEvent),
      ],
      notes: [
        `goal (issue 10): the in-kernel row at most 100 ns per event.`,
        "the scheduler reads the clock before every delivery while any timer is pending (due timers fire between deliveries); with none, once per 64 small deliveries (SCHEDULER_CLOCK_READ_DELIVERIES).",
        `ns per event = (spawn→completion of ${KERNEL_DOMAIN_EVENTS.toLocaleString("en")} events − the same app with 1) / (events − 1), median of ${KERNEL_DOMAIN_RUNS}; in a user domain ${USER_DOMAIN_EVENTS.toLocaleString("en")} events, median of ${USER_DOMAIN_RUNS}.`,
        "CPU ns: the same difference in the process's CPU time (all threads), which other load on the machine does not inflate as it does wall time; a user domain's row counts both threads.",
        `each in-kernel delivery runs under the dispatch entry's whole fuel budget; the handler used ${round(inKernel.fuelPerDelivery, 1)} fuel per delivery.`,
        "the user-domain row is two crossings per event (events.wait, process.yield) and no park: the wait always finds the event queued.",
      ],
    },
  };
}

// --- 4. process start -----------------------------------------------------------------------

/** The baseline build's kernel and hello (bench/baseline.ts), when SINGLET_BENCH_BASELINE names one. */
async function baselineKernel(): Promise<{ kernel: Kernel; hello: ModuleImage; directory: string } | undefined> {
  const directory = baselineDirectory();
  if (!directory) return undefined;
  const entry = await importBaseline<{ bootKernel: typeof bootKernel }>(directory, "kernel/index.js");
  const kernel = entry.bootKernel({ devices: { console: { write: () => undefined } } });
  // Its own hello: each build's app is built against its own runtime and ABI.
  return { kernel, hello: kernel.load(new Uint8Array(readFileSync(join(directory, "apps", "hello", "build", "hello.wasm")))), directory };
}

async function startTable(kernel: Kernel): Promise<BenchTable> {
  const helloBytes = new Uint8Array(readFileSync(`${projectRoot}apps/hello/build/hello.wasm`));
  const hello = kernel.load(helloBytes);
  const oneEvent = kernel.load(await assemble(yieldingApp(1)), { manifest: manifestFor("yielding-1") });
  const warmKernel = bootKernel({ hal: createNodeHal({ prewarmedDomains: 1 }), devices: { console: { write: () => undefined } } });
  const warmHello = warmKernel.load(helloBytes);
  const baseline = await baselineKernel();
  const helloRounds: number[] = [];
  const baselineRounds: number[] = [];
  for (let round = 0; round < START_ROUNDS; round++) {
    helloRounds.push((await startMilliseconds(kernel, hello, "kernel")).completion);
    if (baseline) baselineRounds.push((await startMilliseconds(baseline.kernel, baseline.hello, "kernel")).completion);
  }
  const helloInKernel = median(helloRounds);
  const oneEventInKernel = (await startMilliseconds(kernel, oneEvent, "kernel")).completion;
  const userWarm = (await startMilliseconds(warmKernel, warmHello, "user", 100)).completion;
  await warmKernel.shutdown();
  const row = (label: string, milliseconds: number) => [label, round(milliseconds * 1000, 1), round(milliseconds / helloInKernel, 2)];
  const rows = [
    row("hello in-kernel (no event sources): spawn → main → exit → completion", helloInKernel),
    row("an app that yields once in-kernel: main, one delivery through the scheduler, completion", oneEventInKernel),
    row("hello in a prewarmed user domain", userWarm),
  ];
  if (baseline) {
    rows.splice(1, 0, row(`  the same hello in-kernel, baseline build (${baselineCommit(baseline.directory)})`, median(baselineRounds)));
    await baseline.kernel.shutdown();
  }
  return {
    title: "Events: process start on the unified path (µs, median, same run)",
    columns: ["start", "µs", "× hello in-kernel"],
    rows,
    notes: [
      `hello in-kernel: median of ${START_ROUNDS} rounds of the hal suite's start measurement${baseline ? ", alternating with the baseline build's" : ""}; the others: one such measurement.`,
      "SINGLET_BENCH_BASELINE=<a built checkout> adds the baseline row (its own dist/ and apps/hello/build/hello.wasm).",
    ],
  };
}

export async function runEventBenchmarks(): Promise<BenchTable[]> {
  const kernel = bootKernel({ devices: { console: { write: () => undefined } } });
  const { table: deliveries, userNanosecondsPerEvent } = await deliveryTable(kernel);
  const timerDelaysTable = await timerTable(kernel);
  const neverPolling = neverPollingKernel();
  const neverPollingYield = await deliveryCost(neverPolling, "user");
  const wakes = await wakeTable(kernel, neverPolling, { spinning: userNanosecondsPerEvent, neverPolling: neverPollingYield.nanosecondsPerEvent });
  await neverPolling.shutdown();
  const starts = await startTable(kernel);
  await kernel.shutdown();
  return [deliveries, timerDelaysTable, wakes, starts];
}
