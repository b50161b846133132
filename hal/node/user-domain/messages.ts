// What a user domain's thread reports when a process faults; the kernel adds function names.
import type { UserFault } from "../../hil/index.js";

/** A fault as the domain's thread reports it; the kernel adds names. */
export type WorkerFault = Omit<UserFault, "functionName">;
