// Kernel services reachable through the syscall table.
export * from "./capability-calls.js";
export * from "./clock.js";
export * from "./console.js";
export * from "./mode.js";
export * from "./process-calls.js";
export * from "./batch.js";
export * from "./event-calls.js";
export * from "./timer-calls.js";
export * from "./blocking-calls.js";
export * from "./block-calls.js";
export * from "./channel-calls.js";
export * from "./name-calls.js";
export * from "./file-calls.js";
export * from "./socket-calls.js";
export * from "./random-calls.js";
