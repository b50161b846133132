// Loading modules: resolve a name to bytes, verify, compile, cache.
export * from "./image.js";
export * from "./loader.js";
export * from "./resolve.js";
export * from "./verification-store.js";
