// `singlet run <app|file.wasm> [--user] [--stats] [--principal name] [--policy file] [--dir HOST::GUEST[::rw]]… [-- args…]`:
// runs one app to completion through the kernel's one pipeline. A single module is an app of one
// module; a folder with app.json is a multi-module app, linked by mode. The principal and the
// system policy apply to both alike.
import { errorCodeName } from "../../../runtime/abi/index.js";
import { KernelError } from "../../errors.js";
import { formatFault, type ExitStatus } from "../../process/index.js";
import { loadApp, spawnApp, type AppImage, type AppRun } from "../../linker/index.js";
import { resolveAppSource, resolveModuleSource, type AppSource, type Loader, type ModuleSource, type VerificationStore } from "../../loader/index.js";
import { PolicyError, principalFromPolicy, readSystemPolicy, type Principal, type SystemPolicy } from "../../policy/index.js";
import { parseArguments, UsageError, type ParsedArguments } from "../arguments.js";
import { appsDirectory, defaultSystemPolicyPath } from "../paths.js";
import { NO_CACHE_FLAG, verificationStoreFor } from "../verification-cache.js";
import { bootWithMounts, DIR_OPTION, mountsFromArguments } from "../mounts.js";

/** Exit code of `singlet run` when the app faulted (EX_SOFTWARE). */
export const FAULT_EXIT_CODE = 70;

/** Exit code when the kernel refuses to run the app (policy, trust, limits): EX_NOPERM. */
export const REFUSED_EXIT_CODE = 77;

export interface CommandResult {
  readonly exitCode: number;
}

const USAGE = "usage: singlet run <app|file.wasm> [--user] [--stats] [--no-cache] [--principal name] [--policy file] [--dir HOST::GUEST[::rw]]… [-- args…]";

/** The policy and principal named on the command line; a bad name or file is a usage error. */
export function principalFromArguments(parsed: ParsedArguments): { policy: SystemPolicy; principal: Principal } {
  try {
    const policy = readSystemPolicy(parsed.options.get("policy") ?? defaultSystemPolicyPath);
    return { policy, principal: principalFromPolicy(policy, parsed.options.get("principal")) };
  } catch (error) {
    if (error instanceof PolicyError) throw new UsageError(error.message);
    throw error;
  }
}

/** What a person typed: one module, or a folder with app.json. */
export type Target = { readonly kind: "module"; readonly source: ModuleSource } | { readonly kind: "app"; readonly source: AppSource };

/** Finds what a person typed on disk; a missing file or app is a usage error. */
export function resolveTarget(target: string): Target {
  const appSource = resolveAppSource(target, appsDirectory);
  return appSource ? { kind: "app", source: appSource } : { kind: "module", source: resolveModuleSource(target, appsDirectory) };
}

/** Loads a target as an app (a single module is an app of one module); a module that can run nowhere is refused here. */
export function loadTarget(loader: Loader, target: Target): AppImage {
  if (target.kind === "app") return loadApp(loader, target.source.name, target.source.main, target.source.modules);
  const image = loader.load(target.source.bytes, { name: target.source.name });
  return { name: image.name, main: image.name, modules: new Map([[image.name, image]]) };
}

/** One line for a refusal: what was refused, the rule, and the ABI code it maps to. */
export function describeRefusal(error: KernelError): string {
  const named = (error as { rule?: unknown }).rule;
  const rule = typeof named === "string" ? ` (rule ${named})` : "";
  return `refused: ${error.message.replace(/ \(rule [^)]*\)$/, "")}${rule}; error ${error.errorCode} (${errorCodeName(error.errorCode)})`;
}

export async function runCommand(argv: readonly string[]): Promise<CommandResult> {
  const parsed = parseArguments(argv, ["user", "stats", NO_CACHE_FLAG], ["principal", "policy"], [DIR_OPTION]);
  if (parsed.positional.length !== 1) throw new UsageError(USAGE);
  const mounts = mountsFromArguments(parsed);
  const { policy, principal } = principalFromArguments(parsed);
  let target: Target;
  try {
    target = resolveTarget(parsed.positional[0]!);
  } catch (error) {
    if (error instanceof KernelError) throw new UsageError(error.message);
    throw error;
  }
  const kernel = bootWithMounts({ policy, mounts });
  const store = verificationStoreFor(parsed.flags);
  if (store) kernel.loader.useVerificationStore(store);
  try {
    let run: AppRun;
    try {
      const app = loadTarget(kernel.loader, target);
      run = await spawnApp(kernel, app, {
        principal, args: parsed.passThrough, mainDomain: parsed.flags.has("user") ? "user" : undefined,
        // The device itself, so the process's queue sees its backpressure and a closed reader.
        output: kernel.devices.console,
      }).run;
    } catch (error) {
      if (!(error instanceof KernelError) || error instanceof PolicyError) throw error;
      const reasons = (error as { reasons?: readonly string[] }).reasons ?? [];
      globalThis.process.stderr.write(`singlet: ${describeRefusal(error)}\n${reasons.map((reason) => `  ${reason}\n`).join("")}`);
      return { exitCode: REFUSED_EXIT_CODE };
    }
    // Output outlives the process until the reader has it (or has gone away).
    await run.process.output.drained();
    if (parsed.flags.has("stats")) globalThis.process.stderr.write(formatStats(run, principal, store));
    return { exitCode: exitCodeOf(run.status, run.process.processId, run.process.name) };
  } finally {
    await kernel.shutdown();
  }
}

/** The process's events: what was delivered and what waiting for it cost (docs/process-model.md). */
function formatEventStats(run: AppRun): string {
  const events = run.process.events.statistics;
  const parts = [`${events.delivered} delivered`, `${events.wakeUps} wake-ups`, `queue high-water ${events.queueHighWater}`, `${events.coalesced} coalesced`];
  if (events.meteredDeliveries > 0) parts.push(`fuel per delivery ${Math.round(events.deliveryFuel / events.meteredDeliveries)}`);
  const domain = run.linked.userDomain?.stats();
  // Each wait is a kernel call: two ring switches when answered (one while it is still parked). A
  // wait that carried a batch (batch.submit-and-wait) is a wait too.
  if (domain) {
    const waits = (counts: Record<string, number>) => (counts["events.wait"] ?? 0) + (counts["batch.submit-and-wait"] ?? 0);
    parts.push(`waits ${waits(domain.trapsByCall)} (ring switches ${waits(domain.ringSwitchesByCall)})`);
  }
  return `  events: ${parts.join(", ")}`;
}

function formatStats(run: AppRun, principal: Principal, store: VerificationStore | undefined): string {
  const { process, linked } = run;
  const lines = [`singlet: stats: process ${process.processId} domain=${process.domain} ${principal.describe()}`];
  for (const instance of linked.plan.instances) {
    lines.push(`  instance ${instance.module}@${instance.domain} verified=${instance.verified}${instance.trust ? ` trust=${instance.trust}` : ""}`);
  }
  const stats = linked.userDomain?.stats();
  if (stats) {
    const traps = Object.entries(stats.trapsByCall).map(([name, count]) => `${name}=${count}`).join(" ");
    lines.push(`  ring switches: ${stats.ringSwitches} (traps: ${traps || "none"}; kernel jumps ${stats.kernelJumps}, upcalls ${stats.upcalls})`);
    lines.push(`  page table: ${stats.pagesMapped} pages mapped, ${stats.pageFaults} page faults; memory ${stats.memoryPages} Wasm pages`);
    lines.push(`  TLB: ${stats.tlb.hits} hits, ${stats.tlb.misses} misses, ${stats.tlb.flushes} flushes`);
    lines.push(`  user time: ${stats.userMilliseconds.toFixed(2)} ms`);
    lines.push(`  waits: user side slept ${stats.waits.userSleeps}, kernel side waited ${stats.waits.kernelWaits}, yielded ${stats.waits.kernelYields}`);
  } else {
    lines.push("  ring switches: 0 (in-kernel: kernel calls are function calls)");
  }
  lines.push(formatEventStats(run));
  const output = process.output.stats;
  lines.push(`  output: ${output.acceptedUnits} units accepted, ${output.refusedUnits} refused, ${output.droppedUnits} dropped; peak queued ${output.peakQueuedUnits} units (limit ${output.limitUnits})`);
  for (const counter of linked.counters) {
    lines.push(`  edge ${counter.callerModule}@${counter.callerDomain} -> ${counter.callee}@${counter.calleeDomain} ${counter.kind} calls=${counter.calls ?? "uncounted"} mode-switches=${counter.modeSwitches}`);
  }
  if (store) {
    const { hits, misses, rejected, writes } = store.counters;
    lines.push(`  verification cache: ${hits} hits, ${misses} misses, ${rejected} untrusted entries, ${writes} writes (${store.directory})`);
  } else {
    lines.push("  verification cache: off");
  }
  return lines.join("\n") + "\n";
}

function exitCodeOf(status: ExitStatus, processId: number, name: string): number {
  if (status.kind === "exited") return status.code & 0xff;
  globalThis.process.stderr.write(`singlet: process ${processId} (${name}) faulted: ${formatFault(status.fault)}\n`);
  return FAULT_EXIT_CODE;
}
