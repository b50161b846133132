// Capabilities: per-process handle tables, kinds and rights.
export * from "./kinds.js";
export * from "./table.js";
