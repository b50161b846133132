// Linker limits, each with the reason it exists.

/**
 * Nested upcalls (kernel → user → kernel → user …) in flight at once. Each level holds a
 * kernel stack frame and, with worker domains, a blocked wait; deeper nesting is a ping-pong
 * loop, not a program.
 */
export const MAX_UPCALL_DEPTH = 16;
/** Modules in one app: bounds the plan and the instances a single `run` creates. */
export const MAX_MODULES_PER_APP = 64;

/**
 * Pre-made instances kept per hot module (instance-pool.ts). Two: one for the next spawn and one
 * made meanwhile, so spawns of one module a little apart always find one ready; a burst beyond
 * that instantiates at spawn, as without a pool, rather than holding more memories idle.
 */
export const POOLED_INSTANCES_PER_MODULE = 2;
/**
 * Modules with pre-made instances at once, the least recently spawned dropped first: the modules
 * a system spawns again and again are few; each one kept holds its instances' memories.
 */
export const MAX_POOLED_MODULES = 8;
/**
 * Linear memory one pre-made instance may hold (512 KiB, eight pages; an AssemblyScript app starts
 * with one or two): a pre-made instance holds its whole initial memory before any process uses
 * it, so a module that starts larger is not pre-made (its spawn instantiates, as without a
 * pool). With the two limits above, every pre-made instance together holds at most 8 MiB.
 */
export const MAX_POOLED_INSTANCE_MEMORY_BYTES = 512 * 1024;
