// Kernel calls that arrive already lifted — traps from user domains and entries of a batch —
// run through the same syscall table as in-kernel calls; this turns how a handler ended into the
// HAL's trap outcome.
import { syscallDescriptors, type SyscallDescriptor } from "../../runtime/abi/index.js";
import type { AbiValue, TrapOutcome } from "../../hal/hil/index.js";
import { KernelError } from "../errors.js";
import type { CallContext } from "./context.js";
import { SyscallFault } from "./failure.js";
import { ProcessAbort, ProcessExit } from "./signals.js";
import { handlersByNumber } from "./table.js";

export function dispatchLifted(context: CallContext, syscallNumber: number, args: readonly AbiValue[]): TrapOutcome {
  const descriptor: SyscallDescriptor | undefined = syscallDescriptors[syscallNumber];
  if (!descriptor) {
    return { kind: "fault", reason: `process ${context.process.processId} made unknown kernel call ${syscallNumber}` };
  }
  try {
    return { kind: "return", value: handlersByNumber[syscallNumber]!(context, ...args) as AbiValue | undefined };
  } catch (error) {
    if (error instanceof ProcessExit) return { kind: "exit", code: error.code };
    if (error instanceof ProcessAbort) {
      return { kind: "fault", reason: `abort at ${error.file}:${error.line}:${error.column}: ${error.message}` };
    }
    if (error instanceof SyscallFault) return { kind: "fault", reason: error.fault.message };
    if (error instanceof KernelError) {
      if (descriptor.result === "s32") return { kind: "return", value: -error.errorCode };
      return { kind: "fault", reason: `${descriptor.qualifiedName}: ${error.message}`, errorCode: error.errorCode };
    }
    const detail = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    return { kind: "fault", reason: `${descriptor.qualifiedName}: kernel error: ${detail}` };
  }
}
