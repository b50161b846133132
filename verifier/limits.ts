// The verifier's limits, one per line, each with the reason it exists. Messages quote them.

/** A module is held in kernel memory while verified, compiled and cached. */
export const MAX_MODULE_BYTES = 64 * 1024 * 1024;
/** Type, import and export tables are walked linearly at link time. */
export const MAX_TYPES = 10_000;
export const MAX_IMPORTS = 1_000;
export const MAX_EXPORTS = 10_000;
/** Parameters of one signature: each is a native stack slot per call; the canonical ABI flattens at 16. */
export const MAX_FUNCTION_PARAMETERS = 128;
/** Results of one signature: multi-value results are spilled through the stack on every return. */
export const MAX_FUNCTION_RESULTS = 128;
/** Functions in one module (imports included): compile time and code memory of the kernel. */
export const MAX_FUNCTIONS = 100_000;
/** Locals of one function: each is a slot of the kernel thread's native stack frame (V8 allows 50000). */
export const MAX_LOCALS_PER_FUNCTION = 10_000;
/** Bytes of one function body: compile time of one function blocks the kernel thread. */
export const MAX_FUNCTION_BODY_BYTES = 2 * 1024 * 1024;
/**
 * Nested blocks, loops and ifs. What it protects is compile time on the kernel thread, not a
 * stack: V8's decoder keeps its control stack on the heap, but TurboFan's compile time grows
 * faster than linearly with nesting. One function of nested blocks and a br_table into them (a
 * lowered switch), compiled with TurboFan only on the 2-vCPU development VM: 512 deep 2–3 ms,
 * 2 048 deep 12 ms, 4 096 deep 30–70 ms, 20 000 deep 220 ms, 50 000 deep 1.3 s (the body limit
 * alone would allow a million). It also sizes the code walk's control stack, allocated once.
 * LLVM lowers a large switch into one block per case, so such modules can exceed it; raising it
 * to a few thousand costs tens of milliseconds per such function, not an unbounded stall.
 */
export const MAX_NESTING_DEPTH = 512;
/** Linear memories: the kernel maps exactly one per process. */
export const MAX_MEMORIES = 1;
/** Memory pages (64 KiB) when the manifest names no `limits.memoryPages`: 256 MiB. */
export const DEFAULT_MAX_MEMORY_PAGES = 4_096;
/** Tables: indirect calls go through few tables in practice, each costs kernel memory. */
export const MAX_TABLES = 16;
/** Elements of one table, initial and maximum: a table is kernel heap the process can grow. */
export const MAX_TABLE_ELEMENTS = 100_000;
/** Globals: each is a kernel-heap cell of the instance. */
export const MAX_GLOBALS = 10_000;
/** Data segments and their total size: copied into memory at every instantiation. */
export const MAX_DATA_SEGMENTS = 10_000;
export const MAX_DATA_BYTES = 16 * 1024 * 1024;
/** Element segments: initialised at every instantiation. */
export const MAX_ELEMENT_SEGMENTS = 10_000;
/** Fuel budget of one entry when the manifest names none: about 10–50 ms of compute. */
export const DEFAULT_FUEL_PER_ENTRY = 10_000_000;
/** Largest budget a manifest may ask for: keeps one entry's running time within seconds. */
export const MAX_FUEL_PER_ENTRY = 10_000_000_000;
/** Fuel for the start function, which runs while the module is instantiated, before any entry. */
export const START_FUNCTION_FUEL = 10_000_000;
/** Findings reported per run: past this the log stops helping a person. */
export const MAX_FINDINGS = 100;
/** Results held by one verification cache before the oldest is dropped. */
export const MAX_CACHE_ENTRIES = 256;
