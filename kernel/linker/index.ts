// The linker's public face: load multi-module apps, plan where each function runs, link and run.
export * from "./app-image.js";
export * from "./attributes.js";
export * from "./crossing.js";
export * from "./domain-host.js";
export * from "./limits.js";
export * from "./link-error.js";
export * from "./linked-app.js";
export * from "./instance-pool.js";
export * from "./plan.js";
export * from "./run-app.js";
export * from "./hal-domain-host.js";
