// Kernel ABI imports for one instance of a linked app. In a multi-module app the domain is a
// property of the instance, not of the process (one process may have instances in both), so
// `mode.current` is bound per instance; every other call goes to the one syscall table.
import { syscallDescriptors } from "../../runtime/abi/index.js";
import type { Domain } from "../process/index.js";
import { KERNEL_MODE, USER_MODE } from "../services/index.js";
import type { InstanceMemory } from "../sip/instance-memory.js";
import { bindKernelAbiInKernel } from "../syscalls/bind-in-kernel.js";
import { FuelExhausted } from "../syscalls/signals.js";
import { FuelMeter } from "../sip/fuel-meter.js";
import { fuelImports } from "../../verifier/index.js";
import type { CallContext } from "../syscalls/context.js";

const modeCurrent = syscallDescriptors.find((descriptor) => descriptor.qualifiedName === "mode.current")!;

export type ImportObject = Record<string, Record<string, unknown>>;

/**
 * `fuelBudget` tells what the fuel import reports when an instrumented instance runs dry: the
 * budget of the entry running now, which the linker sets before each entry.
 */
export function kernelAbiImportsFor(context: CallContext, memory: InstanceMemory, domain: Domain, fuelBudget: () => number): ImportObject {
  const exhausted = (): never => { throw new FuelExhausted(fuelBudget()); };
  const fuel = new FuelMeter(exhausted, () => memory.instance);
  const imports: ImportObject = {
    ...bindKernelAbiInKernel({ ...context, memory, fuel }, memory),
    ...fuelImports(exhausted),
  };
  const mode = domain === "kernel" ? KERNEL_MODE : USER_MODE;
  imports[modeCurrent.importModule]![modeCurrent.functionName] = () => mode;
  return imports;
}
