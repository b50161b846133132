// Fallback processes: a module the kernel will not run in its own domain runs in a user domain
// the HAL provides, and every kernel call it makes is a trap serviced through the syscall table.
import type { Cpu, UserDomain, UserDomainOutcome } from "../hal/hil/index.js";
import type { ModuleImage } from "./loader/index.js";
import { DEFAULT_USER_CPU_MILLISECONDS, DEFAULT_USER_MEMORY_PAGES } from "./params.js";
import type { ExitStatus, FaultKind, Process } from "./process/index.js";
import type { CallContext } from "./syscalls/context.js";
import { dispatchLifted } from "./syscalls/dispatch-lifted.js";

const FAULT_KINDS: Readonly<Record<string, FaultKind>> = {
  trap: "trap",
  "bad-address": "bad-address",
  "cpu-budget": "cpu-budget",
  "out-of-memory": "out-of-memory",
  "worker-crash": "worker-crash",
  kernel: "killed",
};

export function statusFromOutcome(outcome: UserDomainOutcome): ExitStatus {
  switch (outcome.kind) {
    case "returned": return { kind: "exited", code: outcome.value | 0 };
    case "exited": return { kind: "exited", code: outcome.code };
    case "faulted": {
      const { kind, message, functionIndex, functionName, byteOffset } = outcome.fault;
      return { kind: "faulted", fault: { kind: FAULT_KINDS[kind] ?? "killed", message, functionIndex, functionName, byteOffset } };
    }
  }
}

export function startUserDomain(cpu: Cpu, image: ModuleImage, process: Process, context: CallContext, entry = "main"): UserDomain {
  return cpu.createUserDomain({
    processId: process.processId,
    name: process.name,
    module: image.originalBytes,
    binary: image.originalBytes,
    entry,
    memoryLimitPages: image.manifest.limits?.memoryPages ?? DEFAULT_USER_MEMORY_PAGES,
    cpuBudgetMilliseconds: image.manifest.limits?.cpuMilliseconds ?? DEFAULT_USER_CPU_MILLISECONDS,
    badPointerPolicy: "efault",
  }, { handleTrap: (_domain, syscallNumber, args) => dispatchLifted(context, syscallNumber, args) });
}
