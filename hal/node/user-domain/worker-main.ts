// The thread of one user domain: holds the process's user-mode instances and runs what the
// kernel hands it (domain-thread.ts). Runs in its own isolate, so the kernel's memory is out of
// its reach. The boot arrives as the first message: the thread may have been started ahead of need.
import { parentPort } from "node:worker_threads";
import { runUserDomainThread, type DomainBootData } from "./domain-thread.js";

parentPort!.once("message", (boot: DomainBootData) => runUserDomainThread(boot));
