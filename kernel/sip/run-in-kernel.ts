// An in-kernel process (SIP) instance: instantiated in the kernel domain with the process's own
// imports; and how whatever ended one of its entries reads as an exit status.
import { fuelBudgetFor } from "../../verifier/index.js";
import type { ModuleImage } from "../loader/index.js";
import { faultFromException, type ExitStatus } from "../process/index.js";
import type { CallContext } from "../syscalls/context.js";
import { SyscallFault } from "../syscalls/failure.js";
import { FuelExhausted, ProcessAbort, ProcessExit } from "../syscalls/signals.js";
import { InstanceMemory } from "./instance-memory.js";
import { boundedModule } from "../linker/bounded-module.js";
import { kernelAbiImportsFor } from "../linker/bind-kernel-abi.js";
import { KERNEL_CEILINGS, moduleLimits } from "../policy/index.js";

export interface InKernelInstance {
  readonly instance: WebAssembly.Instance;
  readonly memory: InstanceMemory;
}

// Defined beside the other control transfers so kernel calls can pass it through; exported from
// here as before.
export { FuelExhausted };

/** One module instantiated in the kernel domain with the process's imports, as the linker makes a kernel-domain instance. */
export function instantiateInKernel(image: ModuleImage, context: CallContext, entry = "main"): InKernelInstance {
  const memory = new InstanceMemory();
  const budget = fuelBudgetFor(image.manifest, entry);
  const imports = kernelAbiImportsFor(context, memory, "kernel", () => budget);
  const bounded = boundedModule(image, "kernel", moduleLimits(image.manifest, KERNEL_CEILINGS));
  const instance = new WebAssembly.Instance(bounded.module, imports as WebAssembly.Imports);
  memory.attach(instance);
  // After attaching: the start function's kernel calls need the memory.
  runMovedStart(instance, bounded.startExport);
  return { instance, memory };
}

/** Converts whatever ended an entry into the process's exit status. */
export function statusFromException(error: unknown, image: ModuleImage): ExitStatus {
  if (error instanceof ProcessExit) return { kind: "exited", code: error.code };
  if (error instanceof ProcessAbort) {
    return { kind: "faulted", fault: { kind: "abort", message: error.message, file: error.file, line: error.line, column: error.column } };
  }
  if (error instanceof SyscallFault) return { kind: "faulted", fault: error.fault };
  if (error instanceof FuelExhausted) {
    return { kind: "faulted", fault: { kind: "fuel-exhausted", message: `entry used its fuel budget of ${error.budget}` } };
  }
  return { kind: "faulted", fault: faultFromException(error, image.functionNames) };
}

/** Runs the start function the kernel moved to `startExport`, once the instance's memory is bound. */
export function runMovedStart(instance: WebAssembly.Instance, startExport: string | undefined): void {
  if (startExport === undefined) return;
  const start = instance.exports[startExport];
  if (typeof start === "function") (start as () => void)();
}
