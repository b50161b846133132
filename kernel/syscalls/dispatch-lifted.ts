// Kernel calls that arrive already lifted — traps from user domains and entries of a batch —
// run through the same syscall table as in-kernel calls, and fail the same way: an error code
// where the call returns s32, else the same ending (failure.ts) an in-kernel caller would get.
// `onEnding` receives that ending, so the process's status can say exactly what the kernel
// domain would have said; the HAL only needs the coarse trap outcome.
import { syscallDescriptors, type SyscallDescriptor } from "../../runtime/abi/index.js";
import type { AbiValue, TrapOutcome } from "../../hal/hil/index.js";
import { KernelError } from "../errors.js";
import type { CallContext } from "./context.js";
import { failedCall, SyscallFault } from "./failure.js";
import { ProcessAbort, ProcessExit } from "./signals.js";
import { handlersByNumber } from "./table.js";

export type EndingListener = (ending: unknown) => void;

/** The reason a trap outcome carries for an ending thrown by kernel code. */
export function describeEnding(ending: unknown): string {
  if (ending instanceof ProcessAbort) return `abort at ${ending.file}:${ending.line}:${ending.column}: ${ending.message}`;
  if (ending instanceof SyscallFault) return ending.fault.message;
  if (ending instanceof ProcessExit) return `exit(${ending.code})`;
  if (ending instanceof Error) return `${ending.name}: ${ending.message}`;
  const budget = (ending as { budget?: unknown } | null)?.budget;
  return typeof budget === "number" ? `entry used its fuel budget of ${budget}` : String(ending);
}

export function dispatchLifted(context: CallContext, syscallNumber: number, args: readonly AbiValue[], onEnding?: EndingListener): TrapOutcome {
  const descriptor: SyscallDescriptor | undefined = syscallDescriptors[syscallNumber];
  if (!descriptor) {
    const ending = new SyscallFault({ kind: "killed", message: `process ${context.process.processId} made unknown kernel call ${syscallNumber}` });
    onEnding?.(ending);
    return { kind: "fault", reason: ending.fault.message };
  }
  try {
    return { kind: "return", value: handlersByNumber[syscallNumber]!(context, ...args) as AbiValue | undefined };
  } catch (error) {
    let ending: unknown;
    try {
      return { kind: "return", value: failedCall(error, descriptor.qualifiedName, descriptor.result) };
    } catch (thrown) {
      ending = thrown;
    }
    onEnding?.(ending);
    if (ending instanceof ProcessExit) return { kind: "exit", code: ending.code };
    return { kind: "fault", reason: describeEnding(ending), errorCode: error instanceof KernelError ? error.errorCode : undefined };
  }
}
