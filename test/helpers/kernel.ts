// A kernel for tests: sim devices, captured output per process, apps loaded by name.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { dirname, resolve } from "node:path";
import { bootKernel, resolveModuleSource, type Kernel, type ModuleImage, type SpawnOptions } from "../../kernel/index.js";
import type { ExitStatus, Process } from "../../kernel/index.js";

export const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
export const appsDirectory = resolve(projectRoot, "apps");

export function appBytes(name: string): Uint8Array<ArrayBuffer> {
  return resolveModuleSource(name, appsDirectory).bytes;
}

export function readProjectFile(path: string): string {
  return readFileSync(resolve(projectRoot, path), "utf8");
}

export interface CapturedRun {
  readonly process: Process;
  readonly status: ExitStatus;
  readonly stdout: string;
  readonly stderr: string;
}

export function testKernel(): Kernel {
  return bootKernel({ devices: { console: { write: () => { throw new Error("test processes must capture their output"); } } } });
}

export function spawnCaptured(kernel: Kernel, image: ModuleImage, options: SpawnOptions = {}): { process: Process; done: Promise<CapturedRun> } {
  const output = { stdout: "", stderr: "" };
  const process = kernel.spawn(image, { ...options, output: (stream, text) => { output[stream] += text; } });
  return { process, done: process.completion.then((status) => ({ process, status, ...output })) };
}

export async function runCaptured(kernel: Kernel, image: ModuleImage, options: SpawnOptions = {}): Promise<CapturedRun> {
  return spawnCaptured(kernel, image, options).done;
}

/** What apps/ticker prints for `ticker ticks milliseconds`: its whole output. */
export function tickerOutput(ticks: number, milliseconds: number): string {
  const lines = [`ticker: ${ticks} ticks ${milliseconds} ms apart`];
  for (let tick = 1; tick <= ticks; tick++) lines.push(`tick ${tick} of ${ticks}`);
  lines.push("ticker: done");
  return `${lines.join("\n")}\n`;
}
