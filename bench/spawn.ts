// Process start in the kernel domain for apps/hello: spawn → the first kernel call of main (its
// first console.write) apart from spawn → completion, beside the floor of a bare instantiation
// of the same compiled module (docs/startup.md).
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { performance } from "node:perf_hooks";
import type { Kernel } from "../kernel/index.js";
import { boundedModule } from "../kernel/linker/bounded-module.js";
import { kernelAbiImportsFor } from "../kernel/linker/bind-kernel-abi.js";
import { InstanceMemory } from "../kernel/sip/instance-memory.js";
import { moduleLimits } from "../kernel/policy/index.js";
import { median, medianMilliseconds, round } from "./measure.js";

const projectRoot = fileURLToPath(new URL("../../", import.meta.url));
const SPAWN_RUNS = 400;
const SPAWN_WARMUPS = 40;
/** Idle time before each spawn: what a kernel between process starts gives its idle work. */
const IDLE_MILLISECONDS = 1;

interface SpawnTimes {
  readonly toMain: number;
  readonly completion: number;
}

/** Median µs from spawn to main's first console.write and to completion; `idleMilliseconds` passes before each spawn. */
async function spawnTimes(kernel: Kernel, image: ReturnType<Kernel["load"]>, idleMilliseconds: number): Promise<SpawnTimes> {
  const toMain: number[] = [];
  const completions: number[] = [];
  for (let run = 0; run < SPAWN_WARMUPS + SPAWN_RUNS; run++) {
    if (idleMilliseconds > 0) await new Promise((resolve) => setTimeout(resolve, idleMilliseconds));
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

export async function measureSpawnToMain(kernel: Kernel): Promise<{ rows: (string | number)[][]; notes: string[] }> {
  const hello = kernel.load(new Uint8Array(readFileSync(`${projectRoot}apps/hello/build/hello.wasm`)));
  const bounded = boundedModule(hello, "kernel", moduleLimits(hello.manifest, kernel.defaultPrincipal().limits));
  const process = kernel.processes.create({ name: "bench-floor", args: [], domain: "kernel", output: () => undefined });
  const imports = kernelAbiImportsFor({ process, services: kernel.services }, new InstanceMemory(), "kernel", () => 0);
  const floor = (await medianMilliseconds(() => { new WebAssembly.Instance(bounded.module, imports as WebAssembly.Imports); }, 400, 40)) * 1000;
  kernel.processes.remove(process);
  const idle = await spawnTimes(kernel, hello, IDLE_MILLISECONDS);
  const backToBack = await spawnTimes(kernel, hello, 0);
  return {
    rows: [
      ["apps/hello: bare new WebAssembly.Instance of its kernel-domain module, imports made (floor)", round(floor), "µs"],
      ["apps/hello: spawn → main's first kernel call (console.write), idle time between spawns", round(idle.toMain), "µs"],
      ["apps/hello: spawn → main → exit → completion, idle time between spawns", round(idle.completion), "µs"],
      ["apps/hello: spawn → main's first kernel call, spawns back to back", round(backToBack.toMain), "µs"],
      ["apps/hello: spawn → completion, spawns back to back", round(backToBack.completion), "µs"],
    ],
    notes: [
      `apps/hello rows: median of ${SPAWN_RUNS} spawns after ${SPAWN_WARMUPS}; "idle time" is a ${IDLE_MILLISECONDS} ms pause before each spawn, "back to back" none.`,
    ],
  };
}
