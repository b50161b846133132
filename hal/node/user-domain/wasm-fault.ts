// Turns what a Wasm instance threw in a user domain into a fault report, with the one
// classification the kernel domain uses too (runtime/abi/faults.ts).
import { classifyWasmError } from "../../../runtime/abi/index.js";
import type { WorkerFault } from "./messages.js";

export function faultFromError(error: unknown): WorkerFault {
  return classifyWasmError(error, "worker-crash");
}
