// The thread of one user domain: instantiates the module against trap stubs, runs its entry and
// reports how it ended. Runs in its own isolate, so the kernel's memory is out of its reach.
import { parentPort, workerData } from "node:worker_threads";
import { AddressSpace, TranslationLookasideBuffer } from "../mmu/index.js";
import type { WorkerBootData, WorkerMessage } from "./messages.js";
import { DomainUnwind, buildTrapImports, observeMemory, type StubContext } from "./trap-stubs.js";
import { TrapPage, trapPageGeometry } from "./trap-page.js";
import { faultFromError } from "./wasm-fault.js";

function report(message: WorkerMessage): void {
  parentPort!.postMessage(message);
}

function run(boot: WorkerBootData): WorkerMessage {
  const trapPage = new TrapPage(boot.trapBuffer, trapPageGeometry(boot.pageCount));
  const process: StubContext["process"] = { memory: undefined, realloc: undefined };
  const addressSpace = new AddressSpace(
    trapPage.pageTable, [],
    () => process.memory?.buffer.byteLength ?? 0,
    new TranslationLookasideBuffer(trapPage.pageTable.counters),
  );
  const context: StubContext = {
    trapPage, addressSpace, process,
    badPointerPolicy: boot.badPointerPolicy,
    memoryLimitPages: boot.memoryLimitPages,
    userSpinIterations: boot.userSpinIterations,
    mappedMemoryPages: boot.layoutMemoryPages,
    unwinding: undefined,
  };
  try {
    const module = boot.module instanceof WebAssembly.Module ? boot.module : new WebAssembly.Module(boot.module as Uint8Array<ArrayBuffer>);
    const imports = buildTrapImports(context);
    report({ type: "running" });
    // A start function may already trap into the kernel; memory is bound as soon as it exists.
    const instance = new WebAssembly.Instance(module, imports);
    const exports = instance.exports;
    if (exports.memory instanceof WebAssembly.Memory) process.memory = exports.memory;
    if (typeof exports.cabi_realloc === "function") process.realloc = exports.cabi_realloc as StubContext["process"]["realloc"];
    observeMemory(context);
    const entry = exports[boot.entry];
    if (typeof entry !== "function") return { type: "faulted", fault: { kind: "trap", message: `module exports no function '${boot.entry}'` } };
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

const boot = workerData as WorkerBootData;
report(run(boot));
