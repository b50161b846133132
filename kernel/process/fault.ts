// Process faults: what went wrong, where, as a one-line report a person can read.
import { boundedFaultText } from "./fault-text.js";
export type FaultKind =
  | "trap" | "abort" | "bad-address" | "fuel-exhausted" | "cpu-budget" | "out-of-memory"
  | "stack-overflow" | "worker-crash" | "kernel-error" | "killed";

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

/** The innermost Wasm frame of a V8 stack: `wasm-function[12]:0x1a3`. */
const WASM_FRAME = /wasm-function\[(\d+)\]:0x([0-9a-f]+)/;

export function wasmFrameOf(error: unknown): { functionIndex: number; byteOffset: number } | undefined {
  const stack = (error as { stack?: unknown })?.stack;
  if (typeof stack !== "string") return undefined;
  const match = WASM_FRAME.exec(stack);
  return match ? { functionIndex: Number(match[1]), byteOffset: parseInt(match[2]!, 16) } : undefined;
}

/** A fault report for an exception that escaped Wasm code, with the faulting function named. */
export function faultFromException(error: unknown, functionNames: ReadonlyMap<number, string>): FaultReport {
  const frame = wasmFrameOf(error);
  const location = frame
    ? { functionIndex: frame.functionIndex, functionName: functionNames.get(frame.functionIndex), byteOffset: frame.byteOffset }
    : {};
  if (error instanceof WebAssembly.RuntimeError) {
    return { kind: "trap", message: error.message, ...location };
  }
  if (error instanceof RangeError && /call stack/i.test(error.message)) {
    return { kind: "stack-overflow", message: error.message, ...location };
  }
  const message = boundedFaultText(error instanceof Error ? `${error.name}: ${error.message}` : String(error));
  return { kind: "kernel-error", message, ...location };
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
