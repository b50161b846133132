// The fault vocabulary: how a process can end badly, named once for both domains. What a Wasm
// instance threw is classified here, by the kernel for in-kernel processes and by the HAL's
// domain thread for user domains, so the same fault reads the same wherever it ran.

/** Every way a process can fault; `docs/faults.md` says what each means and who reports it. */
export type FaultKind =
  | "trap" | "abort" | "bad-address" | "fuel-exhausted" | "cpu-budget" | "out-of-memory"
  | "stack-overflow" | "worker-crash" | "kernel-error" | "killed";

/**
 * Longest fault message kept, in UTF-16 units. Messages carry process-supplied text (an abort
 * message, a file name); a report is one line a person reads, and a process must not be able to
 * make the kernel print or keep a megabyte for it.
 */
export const MAX_FAULT_MESSAGE_UNITS = 1024;

/** What stands where a message was cut. */
export const TRUNCATION_MARKER = "… (truncated)";

export function truncateFaultMessage(message: string): string {
  if (message.length <= MAX_FAULT_MESSAGE_UNITS) return message;
  return message.slice(0, MAX_FAULT_MESSAGE_UNITS - TRUNCATION_MARKER.length) + TRUNCATION_MARKER;
}

/** A fault in Wasm code: its kind, message and where V8 says it happened. */
export interface WasmFaultClassification {
  readonly kind: FaultKind;
  readonly message: string;
  readonly functionIndex?: number;
  readonly byteOffset?: number;
}

/** The innermost Wasm frame of a V8 stack: `wasm-function[12]:0x1a3`. */
const WASM_FRAME = /wasm-function\[(\d+)\]:0x([0-9a-f]+)/;

export function wasmFrameOf(error: unknown): { functionIndex: number; byteOffset: number } | undefined {
  const stack = (error as { stack?: unknown } | null)?.stack;
  if (typeof stack !== "string") return undefined;
  const match = WASM_FRAME.exec(stack);
  return match ? { functionIndex: Number(match[1]), byteOffset: parseInt(match[2]!, 16) } : undefined;
}

/**
 * Classifies what escaped a Wasm entry and is not one of the kernel's own endings (exit, abort,
 * a kernel call's fault): a trap, a stack overflow, a heap exhausted, or, for anything else,
 * `otherwise` — a kernel bug in the kernel domain, a crash of the domain's thread in a user domain.
 */
export function classifyWasmError(error: unknown, otherwise: "kernel-error" | "worker-crash"): WasmFaultClassification {
  const location = wasmFrameOf(error) ?? {};
  if (error instanceof WebAssembly.RuntimeError) return { kind: "trap", message: truncateFaultMessage(error.message), ...location };
  if (error instanceof RangeError && /call stack/i.test(error.message)) return { kind: "stack-overflow", message: error.message, ...location };
  if (error instanceof WebAssembly.LinkError || error instanceof WebAssembly.CompileError) {
    return { kind: "trap", message: truncateFaultMessage(`module cannot run: ${error.message}`) };
  }
  if (error instanceof Error && /out of memory|allocation failed/i.test(error.message)) {
    return { kind: "out-of-memory", message: truncateFaultMessage(error.message), ...location };
  }
  const message = error instanceof Error ? `${error.name}: ${error.message}` : `non-error thrown: ${String(error)}`;
  return { kind: otherwise, message: truncateFaultMessage(message), ...location };
}
