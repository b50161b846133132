// `singlet boot [--init file.json] [--dir HOST::GUEST[::rw]]…`: boots the kernel, seeds the in-memory tree, starts every process of the init
// manifest side by side, prints their output line by line and a summary. An entry that cannot
// be loaded or started is reported in the summary with its error code and reason, and the
// others run; the exit status is how many entries did not end as expected (docs/app-guide.md).
import { seedDemoTree } from "../../files/index.js";
import { bootWithMounts, DIR_OPTION, mountsFromArguments } from "../mounts.js";
import { InvalidArgumentError, KernelError } from "../../errors.js";
import { spawnApp } from "../../linker/index.js";
import { MAX_QUEUED_OUTPUT_UNITS } from "../../params.js";
import { PolicyError, readSystemPolicy } from "../../policy/index.js";
import {
  OutputClosedError, OutputQueue, OutputWouldBlockError, formatFault,
  type ExitStatus, type OutputQueueStats, type OutputStream,
} from "../../process/index.js";
import { errorCodeName } from "../../../runtime/abi/index.js";
import type { Kernel } from "../../kernel.js";
import { parseArguments, UsageError } from "../arguments.js";
import { endedAsExpected, entryProblem, readInitManifest, type InitProcess, type StartFailure } from "../init-manifest.js";
import { prefixedOutput, type PrefixedOutput } from "../output.js";
import { defaultInitManifestPath, defaultSystemPolicyPath } from "../paths.js";
import { loadTarget, resolveTarget, type CommandResult } from "./run.js";

/** Highest exit status boot reports: shells give 126 and above meanings of their own. */
export const MAX_BOOT_EXIT_CODE = 125;

/** How one init entry ended: a process that ran, or a start that failed. */
interface EntryResult {
  readonly entry: InitProcess;
  readonly name: string;
  readonly processId?: number;
  readonly where: string;
  readonly outcome: ExitStatus | StartFailure;
  readonly output?: { readonly queue: OutputQueue; readonly prefixed: PrefixedOutput };
}

function describe(outcome: ExitStatus | StartFailure): string {
  if (!("kind" in outcome)) return `error ${outcome.errorCode} ${outcome.errorName}: ${outcome.message}`;
  return outcome.kind === "exited" ? `exit ${outcome.code}` : `fault: ${formatFault(outcome.fault)}`;
}

/** A start failure as the summary reports it: the ABI code of a kernel error, else a kernel bug. */
function startFailureOf(error: unknown): StartFailure {
  if (error instanceof KernelError) {
    return {
      errorCode: error.errorCode, errorName: errorCodeName(error.errorCode), message: error.message,
      reasons: (error as { reasons?: readonly string[] }).reasons ?? [],
    };
  }
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return { errorCode: -1, errorName: "kernel-error", message, reasons: [] };
}

/** Writes all of `text`, waiting (without blocking the thread) while the queue is full. */
async function writeAll(queue: OutputQueue, stream: OutputStream, text: string): Promise<void> {
  let offset = 0;
  while (offset < text.length) {
    try {
      offset += queue.write(stream, text.slice(offset));
    } catch (error) {
      if (!(error instanceof OutputWouldBlockError)) throw error;
      await queue.drained();
    }
  }
}

export async function bootCommand(argv: readonly string[]): Promise<CommandResult> {
  const parsed = parseArguments(argv, [], ["init"], [DIR_OPTION]);
  if (parsed.positional.length > 0) throw new UsageError("usage: singlet boot [--init file.json] [--dir HOST::GUEST[::rw]]…");
  const mounts = mountsFromArguments(parsed);
  const manifest = readInitManifest(parsed.options.get("init") ?? defaultInitManifestPath);
  // Every entry runs as the system policy's default principal, under its limits.
  let policy;
  try {
    policy = readSystemPolicy(defaultSystemPolicyPath);
  } catch (error) {
    if (error instanceof PolicyError) throw new UsageError(error.message);
    throw error;
  }
  const kernel = bootWithMounts({ policy, mounts });
  // The demo's find, ls and cat read the in-memory tree: it starts with a small documented tree.
  if (kernel.services.files) seedDemoTree(kernel.services.files);
  const device = kernel.devices.console;
  // The kernel's own lines go through a queue of their own, like any process's.
  const kernelOutput = new OutputQueue(device);
  await writeAll(kernelOutput, "stdout", `singlet: kernel up; starting ${manifest.processes.length} processes from the init manifest\n`)
    .catch(() => undefined);

  const results = await Promise.all(manifest.processes.map((entry) =>
    runEntry(kernel, entry).catch((error: unknown): EntryResult => ({
      entry, name: typeof entry?.app === "string" ? entry.app : "(bad entry)", where: "not started", outcome: startFailureOf(error),
    }))));

  // Processes have ended; their last output may still wait for a slow reader.
  const waiting = results.reduce((units, result) => units + (result.output?.queue.stats.queuedUnits ?? 0), 0);
  if (waiting > 0) {
    await writeAll(kernelOutput, "stderr", `singlet: all ${results.length} processes ended; waiting for the reader to take ${waiting} queued units of output\n`)
      .catch(() => undefined);
  }
  for (const result of results) {
    await result.output?.queue.drained();
    result.output?.prefixed.flush();
  }

  let unexpected = 0;
  const lines = ["singlet: summary"];
  for (const result of results) {
    const ok = endedAsExpected(result.entry, result.outcome);
    if (!ok) unexpected++;
    const pid = result.processId === undefined ? "-" : `pid ${result.processId}`;
    lines.push(`  ${pid} ${result.name} [${result.where}] ${describe(result.outcome)}${ok ? "" : "  (unexpected)"}`);
    if (!("kind" in result.outcome)) for (const reason of result.outcome.reasons) lines.push(`      ${reason}`);
  }
  lines.push(outputSummary(results.flatMap((result) => result.output ? [result.output.queue.stats] : [])));
  lines.push(`singlet: ${results.length - unexpected} of ${results.length} processes ended as expected; kernel still up with ${kernel.processes.count} live processes`);
  const summary = lines.join("\n") + "\n";
  try {
    await writeAll(kernelOutput, "stdout", summary);
  } catch (error) {
    if (!(error instanceof OutputClosedError)) throw error;
    // Nobody reads stdout any more: the summary still has to reach a person.
    await writeAll(kernelOutput, "stderr", `singlet: stdout closed (${error.failure.code}); the summary follows here\n${summary}`).catch(() => undefined);
  }
  await kernelOutput.drained();
  await Promise.all([device.flushed?.("stdout"), device.flushed?.("stderr")]);
  await kernel.shutdown();
  return { exitCode: Math.min(unexpected, MAX_BOOT_EXIT_CODE) };
}

/** One line on how output went: the bound held, and what was refused or dropped. */
function outputSummary(stats: readonly OutputQueueStats[]): string {
  const total = (pick: (stats: OutputQueueStats) => number): number => stats.reduce((sum, one) => sum + pick(one), 0);
  const peak = stats.reduce((most, one) => Math.max(most, one.peakQueuedUnits), 0);
  const limit = stats[0]?.limitUnits ?? MAX_QUEUED_OUTPUT_UNITS;
  return `singlet: output: ${total((one) => one.acceptedUnits)} units accepted, ${total((one) => one.refusedUnits)} refused, ` +
    `${total((one) => one.droppedUnits)} dropped; peak queued ${peak} units in one stream (limit ${limit})`;
}

/** Loads and runs one init entry through the kernel's one pipeline; throws when it cannot be loaded or started. */
async function runEntry(kernel: Kernel, entry: InitProcess): Promise<EntryResult> {
  const problem = entryProblem(entry);
  if (problem) throw new InvalidArgumentError(problem);
  const app = loadTarget(kernel.loader, resolveTarget(entry.app));
  const prefixed = prefixedOutput(`[${app.name}] `, kernel.devices.console);
  const run = await spawnApp(kernel, app, { args: entry.args ?? [], mainDomain: entry.domain, output: prefixed }).run;
  const stats = run.linked.userDomain?.stats();
  const where = run.process.domain === "kernel" && stats ? `kernel + user domain, ${stats.ringSwitches} ring switches` : run.process.domain;
  return { entry, name: run.process.name, processId: run.process.processId, where, outcome: run.status, output: { queue: run.process.output, prefixed } };
}
