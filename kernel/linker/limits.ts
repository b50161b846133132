// Linker limits, each with the reason it exists.

/**
 * Nested upcalls (kernel → user → kernel → user …) in flight at once. Each level holds a
 * kernel stack frame and, with worker domains, a blocked wait; deeper nesting is a ping-pong
 * loop, not a program.
 */
export const MAX_UPCALL_DEPTH = 16;
/** Modules in one app: bounds the plan and the instances a single `run` creates. */
export const MAX_MODULES_PER_APP = 64;
