// `singlet run` for a multi-module app (a folder with app.json): load every module, link them
// for the chosen principal, run main, and with --stats print the plan and per-edge counters.
import { bootKernel } from "../../boot.js";
import { loadApp, runApp, type AppRun } from "../../linker/index.js";
import type { AppSource } from "../../loader/index.js";
import { principalFromPolicy, readSystemPolicy } from "../../policy/index.js";
import type { ParsedArguments } from "../arguments.js";
import { UsageError } from "../arguments.js";
import { defaultSystemPolicyPath } from "../paths.js";

export async function runMultiModuleApp(source: AppSource, parsed: ParsedArguments): Promise<AppRun> {
  if (parsed.flags.has("user")) throw new UsageError("--user does not apply to a multi-module app; run it as a principal without kernel-mode capabilities (--principal guest)");
  const policy = readSystemPolicy(parsed.options.get("policy") ?? defaultSystemPolicyPath);
  const principal = principalFromPolicy(policy, parsed.options.get("principal"));
  const kernel = bootKernel();
  const app = loadApp(kernel.loader, source.name, source.main, source.modules);
  const run = await runApp(kernel, app, { principal, args: parsed.passThrough, output: kernel.devices.console });
  await run.process.output.drained();
  const stderr = globalThis.process.stderr;
  if (parsed.flags.has("stats")) {
    stderr.write(`singlet: stats: app ${app.name} ${principal.describe()} main=${run.linked.plan.main.module}@${run.linked.plan.main.domain}\n`);
    for (const instance of run.linked.plan.instances) {
      stderr.write(`singlet: stats:   instance ${instance.module}@${instance.domain} verified=${instance.verified}${instance.trust ? ` trust=${instance.trust}` : ""}\n`);
    }
    const domainStats = run.linked.userDomain?.stats?.();
    if (domainStats) {
      const traps = Object.entries(domainStats.trapsByCall).map(([name, count]) => `${name}=${count}`).join(" ") || "none";
      stderr.write(`singlet: stats:   user domain: ${domainStats.ringSwitches} ring switches, kernel jumps=${domainStats.kernelJumps}, upcalls=${domainStats.upcalls}, kernel calls: ${traps}\n`);
      stderr.write(`singlet: stats:   user domain MMU: ${domainStats.instances} instances, page faults=${domainStats.pageFaults}, TLB hits=${domainStats.tlb.hits} misses=${domainStats.tlb.misses} flushes=${domainStats.tlb.flushes}, user time ${domainStats.userMilliseconds.toFixed(1)} ms\n`);
    }
    for (const counter of run.linked.counters) {
      stderr.write(`singlet: stats:   edge ${counter.callerModule}@${counter.callerDomain} -> ${counter.callee}@${counter.calleeDomain} ${counter.kind} calls=${counter.calls ?? "uncounted"} mode-switches=${counter.modeSwitches}\n`);
    }
  }
  return run;
}
