// The fault vocabulary: how a process can end badly, named once for both domains. What a Wasm
// instance threw is classified here, by the kernel for in-kernel processes and by the HAL's
// domain thread for user domains, so the same fault reads the same wherever it ran.

/** Every way a process can fault; `docs/faults.md` says what each means and who reports it. */
export type FaultKind =
  | "trap" | "abort" | "bad-address" | "fuel-exhausted" | "cpu-budget" | "out-of-memory"
  | "stack-overflow" | "worker-crash" | "kernel-error" | "killed";

/**
 * Longest fault message kept, in UTF-16 units. Messages carry process-supplied text (an abort
 * message, a file name); a report is one line a person reads, and a hostile app must not turn it
 * into a megabyte or forge further lines of a log.
 */
export const MAX_FAULT_MESSAGE_UNITS = 1024;

/** Control characters, which would break a report's single line or a terminal. */
// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/g;

function escapeControl(character: string): string {
  switch (character) {
    case "\n": return "\\n";
    case "\r": return "\\r";
    case "\t": return "\\t";
    default: return `\\u${character.charCodeAt(0).toString(16).padStart(4, "0")}`;
  }
}

/** The marker that ends shortened text, naming the length of the text as the process gave it. */
export function truncationMarker(totalUnits: number): string {
  return ` … [truncated from ${totalUnits} units]`;
}

/**
 * `text` fit for a fault report: control characters escaped, and at most `limit` UTF-16 units
 * (MAX_FAULT_MESSAGE_UNITS by default) in all, the marker naming the original length included. A
 * cut never splits a surrogate pair. Text within the limit and free of control characters comes
 * back unchanged, so bounding twice changes nothing. The one function every place that builds a
 * report from process-supplied text calls.
 */
export function boundedFaultText(text: string, limit: number = MAX_FAULT_MESSAGE_UNITS): string {
  // Escape only what can be kept: a 1 MiB message is cut before any work in proportion to it.
  const escaped = (text.length > limit ? text.slice(0, limit) : text).replace(CONTROL_CHARACTERS, escapeControl);
  if (escaped.length <= limit && text.length <= limit) return escaped;
  const marker = truncationMarker(text.length);
  let end = Math.max(0, limit - marker.length);
  const last = escaped.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end--;
  return escaped.slice(0, end) + marker;
}

/**
 * What a kernel call given memory outside the process's linear memory says, in either domain: the
 * kernel domain's bounds check and a user domain's MMU use these words, so the same bad pointer
 * reads the same wherever it ran. Faults only an MMU can see (a guard page, a read-only page) keep
 * the MMU's own words: the kernel domain has no pages to protect.
 */
export function badAddressText(pointer: number, byteLength: number, memoryBytes: number): string {
  return `bad address: ${byteLength} bytes at 0x${pointer.toString(16)} (memory is ${memoryBytes} bytes)`;
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
  if (error instanceof WebAssembly.RuntimeError) return { kind: "trap", message: boundedFaultText(error.message), ...location };
  if (error instanceof RangeError && /call stack/i.test(error.message)) return { kind: "stack-overflow", message: error.message, ...location };
  if (error instanceof WebAssembly.LinkError || error instanceof WebAssembly.CompileError) {
    return { kind: "trap", message: boundedFaultText(`module cannot run: ${error.message}`) };
  }
  if (error instanceof Error && /out of memory|allocation failed/i.test(error.message)) {
    return { kind: "out-of-memory", message: boundedFaultText(error.message), ...location };
  }
  const message = error instanceof Error ? `${error.name}: ${error.message}` : `non-error thrown: ${String(error)}`;
  return { kind: otherwise, message: boundedFaultText(message), ...location };
}
