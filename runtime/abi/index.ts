// The kernel ABI as data: descriptors generated from the WIT and the canonical-ABI lowering.
export * from "./descriptor.js";
export * from "./lower.js";
export * from "./kernel-abi.generated.js";
export * from "./errors.js";
export * from "./manifest.js";
export * from "./faults.js";
export * from "./batch.js";
export * from "./events.js";
export * from "./files.js";
export * from "./network.js";
