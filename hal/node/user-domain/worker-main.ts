// The thread of user domains: holds one process's user-mode instances at a time and runs what the
// kernel hands it (domain-thread.ts), one domain after another (thread-succession.ts). Runs in its
// own isolate, so the kernel's memory is out of its reach. The thread's boot (its port and
// doorbell) arrives as the first message: the thread may have been started ahead of need.
import { parentPort } from "node:worker_threads";
import { serveDomains, type ThreadBootData } from "./thread-succession.js";

parentPort!.once("message", (thread: ThreadBootData) => serveDomains(thread));
