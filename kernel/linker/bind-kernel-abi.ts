// Kernel ABI imports for one instance of a linked app. In a multi-module app the domain is a
// property of the instance, not of the process (one process may have instances in both), so
// `mode.current` is bound per instance; every other call goes to the one syscall table.
//
// The imports are made before the instance and may be made before its process exists (a
// pre-made instance, instance-pool.ts): every closure reaches the process through one context
// object per instance, which `bind` completes when a process takes the instance. No code of the
// instance runs before then: its start function is moved to an export run after (bounded-module.ts).
import { syscallDescriptors } from "../../runtime/abi/index.js";
import type { Domain, Process } from "../process/index.js";
import { KERNEL_MODE, USER_MODE } from "../services/index.js";
import type { InstanceMemory } from "../sip/instance-memory.js";
import { bindKernelAbiInKernel } from "../syscalls/bind-in-kernel.js";
import { FuelExhausted } from "../syscalls/signals.js";
import { FuelMeter } from "../sip/fuel-meter.js";
import { fuelImports } from "../../verifier/index.js";
import type { CallContext, KernelServices } from "../syscalls/context.js";

const modeCurrent = syscallDescriptors.find((descriptor) => descriptor.qualifiedName === "mode.current")!;

export type ImportObject = Record<string, Record<string, unknown>>;

/** The context every kernel call of one instance sees; `process` is set once, when a process takes the instance. */
interface InstanceCallContext {
  process: Process;
  readonly services: KernelServices;
  readonly memory: InstanceMemory;
  readonly fuel: FuelMeter;
}

export interface KernelAbiImports {
  readonly imports: ImportObject;
  /**
   * Gives the instance to `process`: its kernel calls act for that process from now on, and a
   * fuel fault reports `fuelBudget()`, the budget of the entry running now (set by the linker
   * before each entry). Called once; a second call would move an instance between processes.
   */
  bind(process: Process, fuelBudget: () => number): void;
}

const NOT_BOUND = (): never => { throw new Error("a kernel call from an instance no process has taken"); };

/** The kernel ABI for an instance in `domain`, not yet given to a process. */
export function unboundKernelAbiImports(services: KernelServices, memory: InstanceMemory, domain: Domain): KernelAbiImports {
  let budgetOfEntry: () => number = NOT_BOUND;
  const exhausted = (): never => { throw new FuelExhausted(budgetOfEntry()); };
  const fuel = new FuelMeter(exhausted, () => memory.instance);
  // Until bound there is no process: nothing can call in before `bind` (the start function runs
  // after it), and a call that did would fail on the missing process rather than act for another.
  // A plain field, assigned once: every kernel call reads it, and a getter would slow them all.
  const context: InstanceCallContext = { process: undefined as unknown as Process, services, memory, fuel };
  const imports: ImportObject = {
    ...bindKernelAbiInKernel(context, memory),
    ...fuelImports(exhausted),
  };
  const mode = domain === "kernel" ? KERNEL_MODE : USER_MODE;
  imports[modeCurrent.importModule]![modeCurrent.functionName] = () => mode;
  let bound = false;
  return {
    imports,
    bind(process, fuelBudget) {
      if (bound) throw new Error(`an instance already given to a process cannot be given to process ${process.processId}`);
      bound = true;
      context.process = process;
      budgetOfEntry = fuelBudget;
    },
  };
}

/**
 * `fuelBudget` tells what the fuel import reports when an instrumented instance runs dry: the
 * budget of the entry running now, which the linker sets before each entry.
 */
export function kernelAbiImportsFor(context: CallContext, memory: InstanceMemory, domain: Domain, fuelBudget: () => number): ImportObject {
  const unbound = unboundKernelAbiImports(context.services, memory, domain);
  unbound.bind(context.process, fuelBudget);
  return unbound.imports;
}
