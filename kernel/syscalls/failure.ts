// What a failed kernel call becomes: a negated error code where the ABI returns s32, else a
// fault of the calling process. Exceptions that are not KernelErrors are kernel bugs: they
// fault the caller (contained) and are marked kernel-error so they never read as user errors.
import { BadAddressError, KernelError } from "../errors.js";
import type { AbiValueType } from "../../runtime/abi/index.js";
import { faultFromException, type FaultReport } from "../process/index.js";
import { FuelExhausted, ProcessAbort, ProcessExit } from "./signals.js";

/** Thrown through the app's frames to end the process with `fault`. */
export class SyscallFault {
  constructor(readonly fault: FaultReport) {}
}

/**
 * `result`: the call's WIT result type. Calls returning s32 or s64 answer an error with its
 * negated code (as a bigint for s64); any other call has no error result, so it faults the caller.
 */
export function failedCall(error: unknown, qualifiedName: string, result: AbiValueType | null): number | bigint {
  if (error instanceof ProcessExit || error instanceof ProcessAbort || error instanceof SyscallFault || error instanceof FuelExhausted) throw error;
  if (error instanceof KernelError) {
    if (result === "s32") return -error.errorCode;
    if (result === "s64") return BigInt(-error.errorCode);
    throw new SyscallFault({
      kind: error instanceof BadAddressError ? "bad-address" : "killed",
      message: `${qualifiedName}: ${error.message}`,
    });
  }
  const detail = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  throw new SyscallFault({ kind: "kernel-error", message: `${qualifiedName}: ${detail}` });
}

const NO_NAMES: ReadonlyMap<number, string> = new Map();

/**
 * Runs the process's own code from inside a kernel call (its `cabi_realloc`, when the kernel
 * lowers a result or an argument into its memory). Whatever that code does is the process's
 * doing: a trap or stack overflow becomes a fault of the process naming `what`, and the control
 * transfers (exit, abort, fuel exhausted, a nested call's fault) pass through; only the kernel's
 * own bugs stay kernel errors.
 */
export function runProcessCode<Result>(what: string, code: () => Result, functionNames: ReadonlyMap<number, string> = NO_NAMES): Result {
  try {
    return code();
  } catch (error) {
    if (error instanceof WebAssembly.RuntimeError || (error instanceof RangeError && /call stack/i.test(error.message))) {
      const fault = faultFromException(error, functionNames);
      throw new SyscallFault({ ...fault, message: `${what}: ${fault.message}` });
    }
    throw error;
  }
}
