// Mode attributes at module boundaries: what a cross-module call costs once linked. The claim
// to check is that same-mode calls cost nothing extra over a plain Wasm→Wasm call; the
// cross-domain rows are real crossings between the kernel thread and a HAL user domain (a worker
// isolate): an upcall and a syskerneljump are each a round trip of the baton.
import { assemble } from "./wat.js";
import { bootKernel, HalUserDomainHost, linkAppForProcess, loadApp, principalHolding } from "../kernel/index.js";
import type { AbiValueType, Manifest, ModeAttribute } from "../runtime/abi/index.js";
import { fuelImports, setFuel, verifyModule } from "../verifier/index.js";
import { atomicsPingPongNanoseconds, median, medianNanosecondsPerCall, round } from "./measure.js";
import type { BenchTable } from "./table.js";

const DIRECT_CALLS_PER_SAMPLE = 2_000_000;
const COPY_CALLS_PER_SAMPLE = 200_000;
/** Real domain crossings cost microseconds: fewer calls keep a sample near a tenth of a second. */
const CROSSING_CALLS_PER_SAMPLE = 20_000;
/** Runs of the Atomics ping-pong floor; each starts a thread, so a few are enough. */
const PING_PONG_RUNS = 5;

/** Calls `callee.probe` n times; with `withString`, passes a 16-unit string each time. */
function callerModule(withString: boolean): string {
  const call = withString ? "(call $probe (i32.const 64) (i32.const 16))" : "(call $probe (local.get $n))";
  return `(module
  (import "callee" "probe" (func $probe (param i32) ${withString ? "(param i32)" : ""} (result i32)))
  (memory (export "memory") 1 1)
  (data (i32.const 64) "0123456789abcdef0123456789abcdef")
  (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32) (i32.const 1024))
  (func (export "main") (result i32) (i32.const 0))
  (func (export "run") (param $n i32) (local $sink i32)
    (block $done (loop $again
      (br_if $done (i32.eqz (local.get $n)))
      (local.set $sink (i32.add (local.get $sink) ${call}))
      (local.set $n (i32.sub (local.get $n) (i32.const 1)))
      (br $again)))))`;
}

/** probe(x) = x + 1, or the string's length; a bump allocator that resets so copies never run out. */
const calleeModule = `(module
  (memory (export "memory") 1 1)
  (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32) (i32.const 4096))
  (func (export "probe") (param $x i32) (result i32) (i32.add (local.get $x) (i32.const 1)))
  (func (export "probe2") (param $pointer i32) (param $units i32) (result i32) (local.get $units)))`;
const stringCalleeModule = calleeModule.replace(`(func (export "probe") (param $x i32) (result i32) (i32.add (local.get $x) (i32.const 1)))`, "")
  .replace(`"probe2"`, `"probe"`);


/** The verifier's largest per-entry budget: the loops are never stopped, fuel is still charged. */
const BENCH_FUEL = 10_000_000_000;

interface LinkedCase {
  readonly name: string;
  readonly callerMode: ModeAttribute;
  readonly calleeMode: ModeAttribute;
  readonly withString: boolean;
  readonly calls: number;
}

/** The largest time limit there is (2^31 − 1 ms): the benchmark's user-domain loops run long. */
const BENCH_CPU_MILLISECONDS = 2 ** 31 - 1;

async function linkedRunner(benchCase: LinkedCase): Promise<{ run: (n: number) => void; kind: string; dispose: () => void }> {
  const kernel = bootKernel({ devices: { console: { write: () => undefined } } });
  const parameters: AbiValueType[] | undefined = benchCase.withString ? ["string"] : undefined;
  const app = loadApp(kernel.loader, "bench", "caller", [
    { name: "caller", bytes: await assemble(callerModule(benchCase.withString)), manifest: { name: "caller", entryPoints: { main: { mode: benchCase.callerMode }, run: { mode: benchCase.callerMode, fuel: BENCH_FUEL } }, links: ["callee"], limits: { cpuMilliseconds: BENCH_CPU_MILLISECONDS } } },
    { name: "callee", bytes: await assemble(benchCase.withString ? stringCalleeModule : calleeModule), manifest: { name: "callee", entryPoints: { probe: { mode: benchCase.calleeMode, parameters } } } },
  ]);
  // The largest CPU budget there is: the benchmark's loops are meant to run long in the user domain.
  const principal = principalHolding("bench", ["kernelModeByPage"], { cpuMilliseconds: BENCH_CPU_MILLISECONDS });
  const { linked } = linkAppForProcess(kernel, app, { principal, userDomains: new HalUserDomainHost(kernel.devices.cpu!) });
  return { run: (n) => { linked.invoke(linked.plan.main, "run", [n]); }, kind: linked.plan.edges[0]!.kind, dispose: () => linked.dispose() };
}

export async function runModeBenchmarks(): Promise<BenchTable[]> {
  // The floor: two instances linked by hand, the callee's export passed as the caller's import.
  const callee = new WebAssembly.Instance(new WebAssembly.Module(await assemble(calleeModule)));
  const plain = new WebAssembly.Instance(new WebAssembly.Module(await assemble(callerModule(false))), { callee: { probe: callee.exports.probe! } });
  const plainRun = plain.exports.run as (n: number) => void;
  const floor = medianNanosecondsPerCall(plainRun, DIRECT_CALLS_PER_SAMPLE);

  // The in-kernel floor: the same two modules after the verifier's fuel rewrite, linked by hand,
  // so the kernel rows are compared with code that pays the same fuel charges.
  const instrumented = async (text: string, entryPoints: Manifest["entryPoints"]) => {
    const result = verifyModule(await assemble(text), { manifest: { name: "floor", entryPoints }, linkedModules: ["callee"] });
    if (!result.output) throw new Error(`bench floor module refused: ${result.findings.map((finding) => finding.message).join("; ")}`);
    return new WebAssembly.Module(result.output);
  };
  const outOfFuel = (): never => { throw new Error("bench floor ran out of fuel"); };
  const fueledCallee = new WebAssembly.Instance(await instrumented(calleeModule, { probe: {} }), fuelImports(outOfFuel));
  const fueledCaller = new WebAssembly.Instance(await instrumented(callerModule(false), { main: {}, run: { fuel: BENCH_FUEL } }),
    { ...fuelImports(outOfFuel), callee: { probe: fueledCallee.exports.probe! } });
  const fueledLoop = fueledCaller.exports.run as (n: number) => void;
  const fueledRun = (n: number): void => { setFuel(fueledCaller, BENCH_FUEL); setFuel(fueledCallee, BENCH_FUEL); fueledLoop(n); };
  const fueledFloor = medianNanosecondsPerCall(fueledRun, DIRECT_CALLS_PER_SAMPLE);

  const cases: LinkedCase[] = [
    { name: "kernel → AlwaysKernelMode (same mode, linked)", callerMode: "kernel", calleeMode: "kernel", withString: false, calls: DIRECT_CALLS_PER_SAMPLE },
    { name: "kernel → UseCallersMode (same mode, linked)", callerMode: "kernel", calleeMode: "callers", withString: false, calls: DIRECT_CALLS_PER_SAMPLE },
    { name: "user → AlwaysUserMode (same mode, linked, in the user domain)", callerMode: "user", calleeMode: "user", withString: false, calls: DIRECT_CALLS_PER_SAMPLE },
    { name: "kernel → AlwaysKernelMode with a 16-unit string (copy adapter)", callerMode: "kernel", calleeMode: "kernel", withString: true, calls: COPY_CALLS_PER_SAMPLE },
    { name: "kernel → AlwaysUserMode upcall (worker isolate)", callerMode: "kernel", calleeMode: "user", withString: false, calls: CROSSING_CALLS_PER_SAMPLE },
    { name: "user → AlwaysKernelMode syskerneljump (from a worker isolate)", callerMode: "user", calleeMode: "kernel", withString: false, calls: CROSSING_CALLS_PER_SAMPLE },
    { name: "kernel → AlwaysUserMode upcall with a 16-unit string", callerMode: "kernel", calleeMode: "user", withString: true, calls: CROSSING_CALLS_PER_SAMPLE },
  ];
  // The floor of any crossing between two threads: one word bounced with Atomics, both polling.
  const pingPongRuns: number[] = [];
  for (let run = 0; run < PING_PONG_RUNS; run++) pingPongRuns.push(await atomicsPingPongNanoseconds(CROSSING_CALLS_PER_SAMPLE));
  const pingPong = median(pingPongRuns);
  const crossingRatio = (nanoseconds: number, kind: string) => kind === "upcall" || kind === "kernel-jump" ? round(nanoseconds / pingPong, 1) : "";
  const rows: (string | number)[][] = [
    ["plain Wasm→Wasm call, linked by hand (floor)", "—", round(floor), 1, ""],
    ["same, both modules fuel-instrumented (in-kernel floor)", "—", round(fueledFloor), round(fueledFloor / floor), ""],
    ["bare Atomics ping-pong between two threads (crossing floor)", "—", round(pingPong, 0), round(pingPong / floor), 1],
  ];
  for (const benchCase of cases) {
    const { run, kind, dispose } = await linkedRunner(benchCase);
    const nanoseconds = medianNanosecondsPerCall(run, benchCase.calls);
    dispose();
    rows.push([benchCase.name, kind, round(nanoseconds), round(nanoseconds / floor), crossingRatio(nanoseconds, kind)]);
  }
  // Measure the floor again last: if the two floor figures differ, that is the noise band.
  const floorAgain = medianNanosecondsPerCall(plainRun, DIRECT_CALLS_PER_SAMPLE);
  rows.push(["plain Wasm→Wasm call again (noise check)", "—", round(floorAgain), round(floorAgain / floor), ""]);
  return [{
    title: "Cross-module calls by mode (one process, after linking)",
    columns: ["call", "resolution", "ns/call (median)", "× floor", "× crossing floor"],
    rows,
    notes: [
      `${DIRECT_CALLS_PER_SAMPLE.toLocaleString("en")} calls per sample for same-mode rows, ${COPY_CALLS_PER_SAMPLE.toLocaleString("en")} for the copy row, ${CROSSING_CALLS_PER_SAMPLE.toLocaleString("en")} for crossings; median of 15 samples after 3 warm-ups.`,
      "Kernel-domain rows run the verifier's fuel-instrumented output: compare them with the in-kernel floor; user-domain rows run the modules as loaded.",
      "Upcall and syskerneljump rows cross between the kernel thread and a worker isolate (a round trip of the baton): their last column compares them with the bare Atomics ping-pong measured in this run.",
    ],
  }];
}
