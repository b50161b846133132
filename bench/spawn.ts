// Process start in the kernel domain: spawn → the first kernel call of main apart from spawn →
// completion, beside the floor of a bare instantiation of the same compiled module; with the
// kernel's pre-made instances (kernel/linker/instance-pool.ts) and without (docs/startup.md).
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { performance } from "node:perf_hooks";
import { bootKernel, type Kernel, type ModuleImage } from "../kernel/index.js";
import { boundedModule } from "../kernel/linker/bounded-module.js";
import { kernelAbiImportsFor } from "../kernel/linker/bind-kernel-abi.js";
import { InstanceMemory } from "../kernel/sip/instance-memory.js";
import { moduleLimits } from "../kernel/policy/index.js";
import { assemble } from "./wat.js";
import { median, medianMilliseconds, round } from "./measure.js";

const projectRoot = fileURLToPath(new URL("../../", import.meta.url));
const SPAWN_RUNS = 1000;
/** Enough spawns that the kernel's spawn path is optimised code, as in a kernel that has run a while. */
const SPAWN_WARMUPS = 3000;

/** A module whose main's first instruction is a kernel call: spawn → that call is spawn → main. */
const CALLS_FIRST = `(module
  (import "singlet:kernel/console@0.1.0" "write" (func $write (param i32 i32) (result i32)))
  (memory (export "memory") 1 1)
  (data (i32.const 64) "g\\00o\\00")
  (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32) (i32.const 1024))
  (func (export "main") (result i32) (drop (call $write (i32.const 64) (i32.const 2))) (i32.const 0)))`;

interface SpawnTimes {
  readonly toMain: number;
  readonly completion: number;
}

type Between = "idle" | "back to back";

/**
 * Median µs from spawn to main's first console.write and to completion. "idle": the kernel gets
 * its idle turns before each spawn (the pool refills); "back to back": the next spawn follows
 * the last one's end at once, so refills run in the turn that runs it.
 */
async function spawnTimes(kernel: Kernel, image: ModuleImage, between: Between): Promise<SpawnTimes> {
  const toMain: number[] = [];
  const completions: number[] = [];
  for (let run = 0; run < SPAWN_WARMUPS + SPAWN_RUNS; run++) {
    if (between === "idle") {
      await kernel.instancePool.settled();
      await new Promise((resolve) => setImmediate(resolve));
    }
    let firstWrite: number | undefined;
    const start = performance.now();
    const { status } = await kernel.run(image, { args: ["bench"], output: () => { firstWrite ??= performance.now(); } });
    const end = performance.now();
    if (status.kind !== "exited" || status.code !== 0 || firstWrite === undefined) throw new Error(`spawn benchmark: ${JSON.stringify(status)}`);
    if (run < SPAWN_WARMUPS) continue;
    toMain.push((firstWrite - start) * 1000);
    completions.push((end - start) * 1000);
  }
  return { toMain: median(toMain), completion: median(completions) };
}

export async function measureSpawnToMain(): Promise<{ rows: (string | number)[][]; notes: string[] }> {
  const quiet = { console: { write: () => undefined } };
  const kernel = bootKernel({ devices: quiet });
  const helloBytes = new Uint8Array(readFileSync(`${projectRoot}apps/hello/build/hello.wasm`));
  const hello = kernel.load(helloBytes);
  const bounded = boundedModule(hello, "kernel", moduleLimits(hello.manifest, kernel.defaultPrincipal().limits));
  const process = kernel.processes.create({ name: "bench-floor", args: [], domain: "kernel", output: () => undefined });
  const imports = kernelAbiImportsFor({ process, services: kernel.services }, new InstanceMemory(), "kernel", () => 0);
  const floor = (await medianMilliseconds(() => { new WebAssembly.Instance(bounded.module, imports as WebAssembly.Imports); }, 1000, 200)) * 1000;
  kernel.processes.remove(process);
  const callsFirst = kernel.load(await assemble(CALLS_FIRST), { manifest: { name: "calls-first", capabilities: ["console"], entryPoints: { main: {} } } });
  if (!callsFirst.verified) throw new Error("spawn benchmark: the calls-first module must be verified, to run in the kernel domain");
  const first = await spawnTimes(kernel, callsFirst, "idle");
  const idle = await spawnTimes(kernel, hello, "idle");
  const backToBack = await spawnTimes(kernel, hello, "back to back");
  const statistics = { ...kernel.instancePool.statistics };
  await kernel.shutdown();
  // The same kernel path with no pre-made instances: each spawn instantiates (a closed pool).
  const unpooledKernel = bootKernel({ devices: quiet });
  unpooledKernel.instancePool.close();
  const unpooled = await spawnTimes(unpooledKernel, unpooledKernel.load(helloBytes), "idle");
  return {
    rows: [
      ["apps/hello: bare new WebAssembly.Instance of its kernel-domain module, imports made (floor)", round(floor), "µs"],
      ["main's first instruction a kernel call: spawn → that call (pre-made instance)", round(first.toMain), "µs"],
      ["apps/hello: spawn → main's first kernel call (pre-made instance)", round(idle.toMain), "µs"],
      ["apps/hello: spawn → main → exit → completion (pre-made instance)", round(idle.completion), "µs"],
      ["apps/hello: spawn → main's first kernel call, no pre-made instances (instantiated at spawn)", round(unpooled.toMain), "µs"],
      ["apps/hello: spawn → completion, no pre-made instances", round(unpooled.completion), "µs"],
      ["apps/hello: spawn → main's first kernel call, spawns back to back", round(backToBack.toMain), "µs"],
      ["apps/hello: spawn → completion, spawns back to back", round(backToBack.completion), "µs"],
    ],
    notes: [
      `spawn rows: median of ${SPAWN_RUNS} spawns after ${SPAWN_WARMUPS}; "spawn" is the call to kernel.run, "first kernel call" the process's first console.write reaching its output sink.`,
      "pre-made instance rows give the kernel its idle turns before each spawn, so the pool has refilled; back to back, the refill runs in the turn before the next spawn's start and is paid there.",
      `pool: ${statistics.taken} spawns took a pre-made instance, ${statistics.missed} instantiated at spawn, ${statistics.made} made in idle time.`,
    ],
  };
}
