// The MMU model: page table, TLB, address space and the layout derived from a module.
export * from "./address-space.js";
export * from "./layout.js";
export * from "./page-table.js";
export * from "./tlb.js";
export * from "./wasm-reader.js";
