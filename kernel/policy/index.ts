// System policy and principals: who is trusted to run code in kernel mode.
export * from "./principal.js";
export * from "./system-policy.js";
export * from "./limits.js";
