// The kernel's public face.
export { bootKernel, type BootOptions } from "./boot.js";
export { Kernel, type KernelDevices, type SpawnOptions } from "./kernel.js";
export * from "./errors.js";
export * from "./process/index.js";
export * from "./capabilities/index.js";
export { resolveAppSource, resolveModuleSource, type AppSource, type ModuleImage, type ModuleSource } from "./loader/index.js";
export type { ConsoleDevice, ClockDevice } from "./syscalls/context.js";
export * from "./linker/index.js";
export * from "./policy/index.js";
export { FileNamespace, MemoryTree, parseMountSpec, seedDemoTree, DEMO_TREE, openFileCount, type MountSpec } from "./files/index.js";
