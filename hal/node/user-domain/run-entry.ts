// Runs a module's entry against trap stubs and says how it ended. Used by the user domain's
// thread and, on the kernel's thread, by the simulated CPU.
import { AddressSpace, TranslationLookasideBuffer } from "../mmu/index.js";
import type { BadPointerPolicy } from "../../hil/index.js";
import type { WorkerMessage } from "./messages.js";
import { DomainUnwind, buildTrapImports, observeMemory, type StubContext } from "./trap-stubs.js";
import type { TrapPage } from "./trap-page.js";
import { initialSpinState } from "./spin-budget.js";
import { faultFromError } from "./wasm-fault.js";

export interface EntryRun {
  readonly trapPage: TrapPage;
  readonly module: WebAssembly.Module | Uint8Array<ArrayBuffer>;
  readonly entry: string;
  readonly memoryLimitPages: number;
  readonly layoutMemoryPages: number;
  readonly badPointerPolicy: BadPointerPolicy;
  readonly userSpinIterations: number;
  /** How a stub crosses into the kernel; returns once the answer is in the trap page. */
  readonly enterKernel: (context: StubContext, syscallNumber: number) => void;
  /** Called once the module is compiled, before instantiation (a start function may already run). */
  readonly onRunning: () => void;
}

export type EntryResult = Exclude<WorkerMessage, { type: "running" }>;

export function runEntry(run: EntryRun): EntryResult {
  const process: StubContext["process"] = { memory: undefined, bytes: new Uint8Array(0), realloc: undefined };
  const addressSpace = new AddressSpace(
    run.trapPage.pageTable, [],
    // The view is current at every translation (each trap observes memory first); a detached one falls back.
    () => process.bytes.byteLength || (process.memory?.buffer.byteLength ?? 0),
    new TranslationLookasideBuffer(run.trapPage.pageTable.counters),
  );
  const context: StubContext = {
    trapPage: run.trapPage, addressSpace, process,
    badPointerPolicy: run.badPointerPolicy,
    memoryLimitPages: run.memoryLimitPages,
    userSpinIterations: run.userSpinIterations,
    spin: initialSpinState(run.userSpinIterations),
    enterKernel: run.enterKernel,
    mappedMemoryPages: run.layoutMemoryPages,
    unwinding: undefined,
  };
  try {
    const module = run.module instanceof WebAssembly.Module ? run.module : new WebAssembly.Module(run.module);
    const imports = buildTrapImports(context);
    run.onRunning();
    // A start function may already trap into the kernel; memory is bound as soon as it exists.
    const instance = new WebAssembly.Instance(module, imports);
    const exports = instance.exports;
    if (exports.memory instanceof WebAssembly.Memory) process.memory = exports.memory;
    if (typeof exports.cabi_realloc === "function") process.realloc = exports.cabi_realloc as StubContext["process"]["realloc"];
    observeMemory(context);
    const entry = exports[run.entry];
    if (typeof entry !== "function") return { type: "faulted", fault: { kind: "trap", message: `module exports no function '${run.entry}'` } };
    const value: unknown = (entry as () => unknown)();
    if (context.unwinding) throw context.unwinding;
    observeMemory(context);
    return { type: "returned", value: typeof value === "number" ? value | 0 : 0 };
  } catch (error) {
    // The module may have caught the unwind (Wasm exception handling) and thrown something else.
    const unwind = context.unwinding ?? (error instanceof DomainUnwind ? error : undefined);
    if (unwind) return unwind.outcome.kind === "exited" ? { type: "exited", code: unwind.outcome.code } : { type: "faulted", fault: unwind.outcome.fault };
    return { type: "faulted", fault: faultFromError(error) };
  }
}
