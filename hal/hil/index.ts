// Hardware interface layer: the interfaces the kernel programs against. No implementations here.
export * from "./trap.js";
export * from "./cpu.js";
export * from "./user-domain.js";
export * from "./mmu.js";
export * from "./time.js";
export * from "./console.js";
export * from "./block.js";
export * from "./network.js";
export * from "./host-files.js";
export * from "./random.js";
export * from "./hal.js";
