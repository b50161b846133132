// The thread of one user domain: instantiates the module against trap stubs, runs its entry and
// reports how it ended. Runs in its own isolate, so the kernel's memory is out of its reach.
import { parentPort } from "node:worker_threads";
import type { WorkerBootData, WorkerMessage } from "./messages.js";
import { runEntry } from "./run-entry.js";
import { runLinkedDomain, type LinkedBootData } from "../linked-domain/domain-thread.js";
import { crossIntoKernel } from "./trap-stubs.js";
import { TrapPage, trapPageGeometry } from "./trap-page.js";

function report(message: WorkerMessage): void {
  parentPort!.postMessage(message);
}

function run(boot: WorkerBootData): void {
  report(runEntry({
    trapPage: new TrapPage(boot.trapBuffer, trapPageGeometry(boot.pageCount)),
    module: boot.module as WebAssembly.Module | Uint8Array<ArrayBuffer>,
    entry: boot.entry,
    memoryLimitPages: boot.memoryLimitPages,
    layoutMemoryPages: boot.layoutMemoryPages,
    badPointerPolicy: boot.badPointerPolicy,
    userSpinIterations: boot.userSpinIterations,
    enterKernel: crossIntoKernel,
    onRunning: () => report({ type: "running" }),
  }));
  // One process per thread: the thread ends with its process.
  parentPort!.close();
}

// The boot arrives as the first message (the thread may have been started ahead of need): one
// module's entry, or a linked domain that holds several instances and takes upcalls.
parentPort!.once("message", (boot: WorkerBootData | LinkedBootData) => {
  if ("kind" in boot && boot.kind === "linked") runLinkedDomain(boot);
  else run(boot as WorkerBootData);
});
