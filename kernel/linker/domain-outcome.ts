// How a user domain's ending reads as a process status: the HAL's fault kinds are the kernel's
// own vocabulary (runtime/abi/faults.ts), except `kernel`, which says the kernel ended the
// domain: a kill.
import type { UserDomainOutcome } from "../../hal/hil/index.js";
import type { ExitStatus } from "../process/index.js";

export function statusFromOutcome(outcome: UserDomainOutcome): ExitStatus {
  switch (outcome.kind) {
    case "returned": return { kind: "exited", code: outcome.value | 0 };
    case "exited": return { kind: "exited", code: outcome.code };
    case "faulted": {
      const { kind, message, functionIndex, functionName, byteOffset } = outcome.fault;
      return { kind: "faulted", fault: { kind: kind === "kernel" ? "killed" : kind, message, functionIndex, functionName, byteOffset } };
    }
  }
}
