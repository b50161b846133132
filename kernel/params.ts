// Kernel limits, one per line, each with the reason it exists.

/** Handles are (generation << HANDLE_INDEX_BITS) | index; 16 bits of index keep handles positive s32. */
export const HANDLE_INDEX_BITS = 16;
/** Per-process capability slots: bounds the table a runaway app can grow. */
export const MAX_HANDLES_PER_PROCESS = 1024;
/** Generations wrap below 2^15 so a handle never has the sign bit set at the ABI. */
export const MAX_HANDLE_GENERATION = 0x7fff;
/** Live processes at once: bounds kernel memory for process records. */
export const MAX_PROCESSES = 4096;
/** Arguments per process and their total size: they are copied into every process's memory on request. */
export const MAX_ARGUMENTS = 256;
export const MAX_ARGUMENT_TEXT_UNITS = 64 * 1024;
/** Longest string a process may pass to a kernel call, in UTF-16 units: bounds one copy. */
export const MAX_STRING_UNITS = 1 << 20;
/** Verified images kept compiled; older ones are dropped first. */
export const IMAGE_CACHE_ENTRIES = 64;
/**
 * Console output a process may have queued for a slow reader, in UTF-16 units, per stream (a
 * full stdout must not silence stderr). Past it writes are short or refused: the kernel holds no
 * more than this per stream of a process, so a flood costs memory in proportion to processes,
 * not to what they write.
 */
export const MAX_QUEUED_OUTPUT_UNITS = 64 * 1024;
/**
 * Largest piece the output queue hands the console at once: the console takes a piece whole
 * while it is under its high-water mark, so this bounds how far past that mark it can go.
 */
export const MAX_OUTPUT_CHUNK_UNITS = 16 * 1024;
/**
 * Longest line boot's prefixing keeps while waiting for its newline: a process that never ends a
 * line gets it broken here, so the pending text stays bounded.
 */
export const MAX_PREFIXED_LINE_UNITS = 16 * 1024;
/** Console output kept per process when captured (tests, boot summaries), in UTF-16 units. */
export const MAX_CAPTURED_OUTPUT_UNITS = 1 << 20;
/** User-domain memory bound when the manifest names none: 16 MiB, ample for the demo apps. */
export const DEFAULT_USER_MEMORY_PAGES = 256;
/** User-domain running time per entry when the manifest names none: stops a runaway in seconds. */
export const DEFAULT_USER_CPU_MILLISECONDS = 2000;
