// Processes: records, the table, and fault reports.
export * from "./arguments.js";
export * from "./fault.js";
export * from "./process.js";
export * from "./table.js";
