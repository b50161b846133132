// `singlet run <app|file.wasm> [--user] [--stats] [--principal name] [--policy file] [-- args…]`:
// runs one app to completion; a folder with app.json is a multi-module app, linked by mode.
import { bootKernel } from "../../boot.js";
import { formatFault, type ExitStatus, type Process } from "../../process/index.js";
import { resolveAppSource, resolveModuleSource } from "../../loader/index.js";
import { parseArguments, UsageError } from "../arguments.js";
import { appsDirectory } from "../paths.js";
import { runMultiModuleApp } from "./run-app.js";

/** Exit code of `singlet run` when the app faulted (EX_SOFTWARE). */
export const FAULT_EXIT_CODE = 70;

export interface CommandResult {
  readonly exitCode: number;
}

export async function runCommand(argv: readonly string[]): Promise<CommandResult> {
  const parsed = parseArguments(argv, ["user", "stats"], ["principal", "policy"]);
  if (parsed.positional.length !== 1) throw new UsageError("usage: singlet run <app|file.wasm> [--user] [--stats] [--principal name] [--policy file] [-- args…]");
  const appSource = resolveAppSource(parsed.positional[0]!, appsDirectory);
  if (appSource) {
    const { process, status } = await runMultiModuleApp(appSource, parsed);
    return { exitCode: exitCodeOf(status, process.processId, process.name) };
  }
  const kernel = bootKernel();
  const source = resolveModuleSource(parsed.positional[0]!, appsDirectory);
  const image = kernel.load(source.bytes, { name: source.name });
  const { process, status } = await kernel.run(image, {
    args: parsed.passThrough,
    domain: parsed.flags.has("user") ? "user" : undefined,
    // The device itself, so the process's queue sees its backpressure and a closed reader.
    output: kernel.devices.console,
  });
  // Output outlives the process until the reader has it (or has gone away).
  await process.output.drained();
  if (parsed.flags.has("stats")) globalThis.process.stderr.write(formatStats(process, image.verified));
  await kernel.shutdown();
  return { exitCode: exitCodeOf(status, process.processId, process.name) };
}

function formatStats(process: Process, verified: boolean): string {
  const lines = [`singlet: stats: process ${process.processId} domain=${process.domain} verified=${verified}`];
  const stats = process.userDomain?.stats();
  if (stats) {
    const traps = Object.entries(stats.trapsByCall).map(([name, count]) => `${name}=${count}`).join(" ");
    lines.push(`  ring switches: ${stats.ringSwitches} (traps: ${traps || "none"})`);
    lines.push(`  page table: ${stats.pagesMapped} pages mapped, ${stats.pageFaults} page faults; memory ${stats.memoryPages} Wasm pages`);
    lines.push(`  TLB: ${stats.tlb.hits} hits, ${stats.tlb.misses} misses, ${stats.tlb.flushes} flushes`);
    lines.push(`  user time: ${stats.userMilliseconds.toFixed(2)} ms`);
    if (stats.waits) {
      lines.push(`  waits: user side slept ${stats.waits.userSleeps}, kernel side waited ${stats.waits.kernelWaits}, yielded ${stats.waits.kernelYields}`);
    }
  } else {
    lines.push("  ring switches: 0 (in-kernel: kernel calls are function calls)");
  }
  const output = process.output.stats;
  lines.push(`  output: ${output.acceptedUnits} units accepted, ${output.refusedUnits} refused, ${output.droppedUnits} dropped; peak queued ${output.peakQueuedUnits} units (limit ${output.limitUnits})`);
  return lines.join("\n") + "\n";
}

function exitCodeOf(status: ExitStatus, processId: number, name: string): number {
  if (status.kind === "exited") return status.code & 0xff;
  globalThis.process.stderr.write(`singlet: process ${processId} (${name}) faulted: ${formatFault(status.fault)}\n`);
  return FAULT_EXIT_CODE;
}
