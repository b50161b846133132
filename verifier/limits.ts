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
 * Nested blocks, loops and ifs in one function. What it protects is V8's optimising compile of
 * the rewritten code, not a stack and not the verifier. Measured on the 2-vCPU development VM
 * with one function of N nested constructs: WebAssembly.validate, the verifier and V8's baseline
 * compiler are linear and none overflows a stack at 200 000 deep (validate 22 ms, verify 34 ms,
 * baseline compile 120–210 ms). TurboFan, which tiers up hot functions, is quadratic in the
 * nesting of loops, since each loop header's fuel check branches out of every enclosing loop:
 * 512 nested loops 53 ms, 2 048 0.8 s, 8 192 3.1 s, 32 768 55 s of compile, one core busy.
 * Blocks with a br_table into them (a lowered switch) grow the same way, more slowly: 512 deep
 * 0.7 ms, 2 048 3 ms, 8 192 26 ms, 32 768 0.5 s. So 512 keeps the worst function's optimising
 * compile near the 50 ms a large flat function costs. LLVM lowers a large switch into one block
 * per case and such modules exceed it; admitting them safely needs a separate, lower bound on
 * loop nesting (blocks alone stay under 30 ms to 8 192 deep). It also sizes the code walk's
 * control stack, allocated once.
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
