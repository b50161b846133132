// Kernel call cost from an in-kernel process beside the bare Wasm→JS import floor, and the
// cost of creating and starting a process from an already-verified module.
import { assemble } from "./wat.js";
import { bootKernel } from "../kernel/index.js";
import { instantiateInKernel } from "../kernel/sip/run-in-kernel.js";
import { fuelImports, setFuel } from "../verifier/index.js";
import { InstanceMemory } from "../kernel/sip/instance-memory.js";
import { bindKernelAbiInKernel } from "../kernel/syscalls/bind-in-kernel.js";
import type { CallContext } from "../kernel/syscalls/context.js";
import type { ModuleImage } from "../kernel/index.js";
import type { BenchTable } from "./table.js";
import { medianMilliseconds, medianNanosecondsPerCall, round } from "./measure.js";
import { measureSpawnToMain } from "./spawn.js";

const CALLS_PER_SAMPLE = 2_000_000;
/** Enough fuel that the benchmark loop is never stopped; fuel is still charged per iteration. */
const BENCH_FUEL = 10_000_000_000;

function benchManifest(name: string, capabilities: string[] = []) {
  return { name, capabilities, entryPoints: { main: {}, run: { fuel: BENCH_FUEL } } };
}

/** A loop calling one import `n` times; the same shape for the floor and for each kernel call. */
function loopModule(importLine: string, callExpression: string): string {
  return `(module
  ${importLine}
  (memory (export "memory") 1 1)
  (data (i32.const 64) "p\\00i\\00n\\00g\\00")
  (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32) (i32.const 1024))
  (func (export "main") (result i32) (i32.const 0))
  (func (export "run") (param $n i32) (local $sink i64)
    (block $done (loop $again
      (br_if $done (i32.eqz (local.get $n)))
      ${callExpression}
      (local.set $n (i32.sub (local.get $n) (i32.const 1)))
      (br $again)))))`;
}


/** An in-kernel instance whose kernel calls charge no fuel for the data they move (before issue 9). */
function instanceWithoutWorkCharge(image: ModuleImage, context: CallContext): WebAssembly.Instance {
  const memory = new InstanceMemory();
  const imports = { ...bindKernelAbiInKernel({ ...context, memory }, memory), ...fuelImports(() => { throw new Error("the benchmark ran out of fuel"); }) };
  const instance = new WebAssembly.Instance(image.module, imports as WebAssembly.Imports);
  memory.attach(instance);
  return instance;
}

export async function runKernelCallBenchmarks(): Promise<BenchTable[]> {
  const kernel = bootKernel({ devices: { console: { write: () => undefined } } });
  const process = kernel.processes.create({ name: "bench", args: [], domain: "kernel", output: () => undefined });
  const context = { process, services: kernel.services };

  const floorBytes = await assemble(loopModule(`(import "bench" "floor" (func $call (result i32)))`, "(drop (call $call))"));
  const floor = new WebAssembly.Instance(new WebAssembly.Module(floorBytes), { bench: { floor: () => 1 } });
  const floorRun = floor.exports.run as (n: number) => void;

  const cases = [
    { name: "mode.current (no arguments)", importLine: `(import "singlet:kernel/mode@0.1.0" "current" (func $call (result i32)))`, call: "(drop (call $call))", capabilities: [] },
    { name: "process.id (no arguments)", importLine: `(import "singlet:kernel/process@0.1.0" "id" (func $call (result i32)))`, call: "(drop (call $call))", capabilities: [] },
    { name: "clock.now (u64 result)", importLine: `(import "singlet:kernel/clock@0.1.0" "now" (func $call (result i64)))`, call: "(local.set $sink (call $call))", capabilities: ["clock"] },
    { name: "console.write (4-unit string, discarded)", importLine: `(import "singlet:kernel/console@0.1.0" "write" (func $call (param i32 i32) (result i32)))`, call: "(drop (call $call (i32.const 64) (i32.const 4)))", capabilities: ["console"], chargesWork: true },
  ];
  const floorNanoseconds = medianNanosecondsPerCall(floorRun, CALLS_PER_SAMPLE);
  const rows: (string | number)[][] = [["bare Wasm→JS import (floor)", round(floorNanoseconds), 1]];
  for (const benchCase of cases) {
    const image = kernel.load(await assemble(loopModule(benchCase.importLine, benchCase.call)), { manifest: benchManifest("bench-calls", benchCase.capabilities) });
    // Grant what the call needs, as spawn would from the manifest.
    for (const kind of benchCase.capabilities) {
      process.capabilities.insert({ object: { kind: kind === "console" ? 1 : 2, target: undefined, revoked: false }, rights: 0b111 });
    }
    const { instance } = instantiateInKernel(image, context);
    const loop = instance.exports.run as (n: number) => void;
    const run = (n: number): void => { setFuel(instance, BENCH_FUEL); loop(n); };
    const nanoseconds = medianNanosecondsPerCall(run, CALLS_PER_SAMPLE);
    rows.push([`kernel ABI: ${benchCase.name}`, round(nanoseconds), round(nanoseconds / floorNanoseconds)]);
    if (benchCase.chargesWork) {
      // The same call bound without a fuel meter: what charging the copy costs on this hot path.
      const uncharged = instanceWithoutWorkCharge(image, context);
      const unchargedLoop = uncharged.exports.run as (n: number) => void;
      const unchargedNanoseconds = medianNanosecondsPerCall((n) => { setFuel(uncharged, BENCH_FUEL); unchargedLoop(n); }, CALLS_PER_SAMPLE);
      rows.push([`kernel ABI: ${benchCase.name}, without the work charge`, round(unchargedNanoseconds), round(unchargedNanoseconds / floorNanoseconds)]);
    }
  }

  const trivial = kernel.load(await assemble(loopModule("", "")), { manifest: benchManifest("trivial") });
  const helloLike = kernel.load(await assemble(loopModule("", "")), { manifest: benchManifest("trivial-console", ["console"]) });
  const instantiateMicroseconds = (await medianMilliseconds(() => { instantiateInKernel(trivial, context); }, 200, 20)) * 1000;
  const spawnMilliseconds = await medianMilliseconds(async () => { await kernel.run(helloLike, { output: () => undefined }); }, 200, 20);
  const loadCachedMicroseconds = (await medianMilliseconds(() => { kernel.load(trivial.originalBytes, { manifest: trivial.manifest }); }, 200, 20)) * 1000;
  const hello = await measureSpawnToMain();

  return [
    {
      title: "Kernel ABI call from an in-kernel process (same run)",
      columns: ["call", "ns/call (median)", "× floor"],
      rows,
      notes: [
        `${CALLS_PER_SAMPLE.toLocaleString("en")} calls per sample, median of 15 samples after 3 warm-ups.`,
        "kernel rows run the verifier's output, so each loop iteration also pays its fuel charge; the floor is uninstrumented.",
      ],
    },
    {
      title: "Process creation from an already-verified module",
      columns: ["step", "median", "unit"],
      rows: [
        ["load again (verify cache + image cache hit)", round(loadCachedMicroseconds), "µs"],
        ["instantiate in the kernel domain with per-process imports", round(instantiateMicroseconds), "µs"],
        ["spawn → main → exit → completion (includes one event-loop turn)", round(spawnMilliseconds * 1000), "µs"],
        ...hello.rows,
      ],
      notes: hello.notes,
    },
  ];
}
