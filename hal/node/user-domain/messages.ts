// What the kernel hands a user domain's thread at start, and what the thread reports back.
import type { BadPointerPolicy, UserFault } from "../../hil/index.js";

export interface WorkerBootData {
  readonly trapBuffer: SharedArrayBuffer;
  readonly pageCount: number;
  /** Compiled module, or bytes for the domain's thread to compile itself. */
  readonly module: WebAssembly.Module | Uint8Array;
  readonly entry: string;
  readonly memoryLimitPages: number;
  /** Wasm pages the layout already mapped; growth past this is mapped as heap. */
  readonly layoutMemoryPages: number;
  readonly badPointerPolicy: BadPointerPolicy;
  readonly userSpinIterations: number;
}

/** A fault as the domain's thread reports it; the kernel adds names. */
export type WorkerFault = Omit<UserFault, "functionName">;

export type WorkerMessage =
  | { readonly type: "running" }
  | { readonly type: "returned"; readonly value: number }
  | { readonly type: "exited"; readonly code: number }
  | { readonly type: "faulted"; readonly fault: WorkerFault };
