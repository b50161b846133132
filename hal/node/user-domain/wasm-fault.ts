// Turns what a Wasm instance threw into a fault report: V8 names the faulting function and
// byte offset in its stack frames as `wasm-function[N]:0xOFFSET`.
import type { WorkerFault } from "./messages.js";

const WASM_FRAME = /wasm-function\[(\d+)\]:0x([0-9a-f]+)/;

export function faultFromError(error: unknown): WorkerFault {
  if (error instanceof Error) {
    const frame = WASM_FRAME.exec(error.stack ?? "");
    const location = frame ? { functionIndex: Number(frame[1]), byteOffset: parseInt(frame[2]!, 16) } : {};
    if (error instanceof WebAssembly.RuntimeError) return { kind: "trap", message: error.message, ...location };
    if (error instanceof RangeError && /call stack/i.test(error.message)) return { kind: "trap", message: `stack overflow: ${error.message}`, ...location };
    if (error instanceof WebAssembly.LinkError || error instanceof WebAssembly.CompileError) {
      return { kind: "trap", message: `module cannot run: ${error.message}` };
    }
    if (/out of memory|allocation failed/i.test(error.message)) return { kind: "out-of-memory", message: error.message, ...location };
    return { kind: "worker-crash", message: `${error.name}: ${error.message}`, ...location };
  }
  return { kind: "worker-crash", message: `non-error thrown: ${String(error)}` };
}
