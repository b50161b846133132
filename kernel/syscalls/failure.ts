// What a failed kernel call becomes: a negated error code where the ABI returns s32, else a
// fault of the calling process. Exceptions that are not KernelErrors are kernel bugs: they
// fault the caller (contained) and are marked kernel-error so they never read as user errors.
import { BadAddressError, KernelError } from "../errors.js";
import type { FaultReport } from "../process/index.js";
import { ProcessAbort, ProcessExit } from "./signals.js";

/** Thrown through the app's frames to end the process with `fault`. */
export class SyscallFault {
  constructor(readonly fault: FaultReport) {}
}

export function failedCall(error: unknown, qualifiedName: string, returnsErrorCode: boolean): number {
  if (error instanceof ProcessExit || error instanceof ProcessAbort || error instanceof SyscallFault) throw error;
  if (error instanceof KernelError) {
    if (returnsErrorCode) return -error.errorCode;
    throw new SyscallFault({
      kind: error instanceof BadAddressError ? "bad-address" : "killed",
      message: `${qualifiedName}: ${error.message}`,
    });
  }
  const detail = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  throw new SyscallFault({ kind: "kernel-error", message: `${qualifiedName}: ${detail}` });
}
