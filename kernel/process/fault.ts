// Process faults: what went wrong, where, as a one-line report a person can read. The kinds and
// the classification of Wasm errors are shared with the HAL (runtime/abi/faults.ts).
import { boundedFaultText, classifyWasmError, type FaultKind } from "../../runtime/abi/index.js";

export type { FaultKind } from "../../runtime/abi/index.js";
export { wasmFrameOf, boundedFaultText, truncationMarker, MAX_FAULT_MESSAGE_UNITS } from "../../runtime/abi/index.js";

export interface FaultReport {
  readonly kind: FaultKind;
  readonly message: string;
  readonly functionIndex?: number;
  readonly functionName?: string;
  readonly byteOffset?: number;
  /** Source location reported by an AssemblyScript abort. */
  readonly file?: string;
  readonly line?: number;
  readonly column?: number;
}

export type ExitStatus =
  | { readonly kind: "exited"; readonly code: number }
  | { readonly kind: "faulted"; readonly fault: FaultReport };

/** A fault report for an exception that escaped Wasm code in the kernel domain, with the faulting function named. */
export function faultFromException(error: unknown, functionNames: ReadonlyMap<number, string>): FaultReport {
  const fault = classifyWasmError(error, "kernel-error");
  if (fault.functionIndex === undefined) return fault;
  return { ...fault, functionName: functionNames.get(fault.functionIndex) };
}

export function formatFault(fault: FaultReport): string {
  const parts: string[] = [fault.kind];
  if (fault.functionIndex !== undefined) {
    parts.push(`in function ${fault.functionIndex}${fault.functionName ? ` (${fault.functionName})` : ""}`);
  }
  if (fault.byteOffset !== undefined) parts.push(`at byte 0x${fault.byteOffset.toString(16)}`);
  if (fault.file) parts.push(`at ${boundedFaultText(fault.file)}:${fault.line ?? 0}:${fault.column ?? 0}`);
  // Bounded again here: a report may come from anywhere, and the line must stay a line.
  return `${parts.join(" ")}: ${boundedFaultText(fault.message)}`;
}
