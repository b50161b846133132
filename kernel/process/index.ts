// Processes: records, the table, output queues and fault reports.
export * from "./arguments.js";
export * from "./fault.js";
export * from "./output-queue.js";
export * from "./process.js";
export * from "./table.js";
