// Kernel limits, one per line, each with the reason it exists.

/** Handles are (generation << HANDLE_INDEX_BITS) | index; 16 bits of index keep handles positive s32. */
export const HANDLE_INDEX_BITS = 16;
/** Per-process capability slots: bounds the table a runaway app can grow. */
export const MAX_HANDLES_PER_PROCESS = 1024;
/**
 * Last generation of a slot: 15 bits, so a handle never has the sign bit set at the ABI. A slot
 * that reaches it is retired, never wrapped, so a dropped handle can never become valid again.
 */
export const MAX_HANDLE_GENERATION = 0x7fff;
/** Live processes at once: bounds kernel memory for process records. */
export const MAX_PROCESSES = 4096;
/**
 * Arguments per process and their total size: they live as long as the process and are copied
 * into its memory on request. Checked when a process is created (kernel/process/arguments.ts).
 */
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

// Resource ceilings of a principal when the system policy names none. The policy may lower or
// raise them per principal; a manifest may ask for less, never more (kernel/policy/limits.ts).

/** Linear memory of one instance: 256 MiB, the verifier's own default maximum. */
export const CEILING_MEMORY_PAGES = 4096;
/** Elements of all tables of one instance together: a table is engine heap the process can grow. */
export const CEILING_TABLE_ELEMENTS = 100_000;
/** User-mode CPU time of one process: a minute, so a runaway is stopped, never left to run. */
export const CEILING_CPU_MILLISECONDS = 60_000;
/** Fuel of one in-kernel entry: the verifier's largest budget, seconds of compute at most. */
export const CEILING_FUEL_PER_ENTRY = 10_000_000_000;
/**
 * Highest value any time limit may have: Node's timers take at most 2^31 − 1 ms and treat a
 * larger delay as 1 ms, so a larger budget would fire at once (or, worse, never be enforced).
 */
export const MAX_TIMER_MILLISECONDS = 2 ** 31 - 1;
/** Wasm allows 65536 pages of 64 KiB (4 GiB) in one 32-bit memory. */
export const MAX_WASM_MEMORY_PAGES = 65536;
/**
 * Fuel a kernel call that moves data charges on top of the instructions around it: crossing into
 * the kernel and dispatching costs about what a few dozen Wasm instructions do.
 */
export const KERNEL_CALL_FUEL = 20;
/**
 * Bytes a kernel call copies (strings and byte lists in, results out) per unit of fuel. Decoding
 * and copying out of linear memory costs several times what `memory.copy` does per byte, whose
 * rate is 32 (verifier BULK_BYTES_PER_FUEL): a loop of megabyte writes ends within its budget.
 */
export const KERNEL_BYTES_PER_FUEL = 8;
/**
 * Fuel kernel calls may owe before it is taken from the counter: taking it costs two BigInt
 * conversions (about 130 ns, measured with `npm run bench -- kernel`), so small charges are
 * gathered. An entry can end up to this much fuel past its budget, the documented margin.
 */
export const FUEL_CHARGE_BATCH = 1024;
/**
 * Event sources one process may hold at once (timers, a queued yield; later channels and
 * sockets). Each source has at most one event queued, so this also bounds the process's event
 * queue: it can never overflow, and the source past the limit is refused when it is asked for.
 */
export const MAX_EVENT_SOURCES_PER_PROCESS = 256;
/** Shortest timer period: Node's timers resolve whole milliseconds, so a shorter one only coalesces. */
export const MIN_TIMER_PERIOD_NANOSECONDS = 1_000_000n;
/** Longest timer delay or period, 100 days: kept below 2^53 ns so deadlines stay exact as numbers. */
export const MAX_TIMER_DELAY_NANOSECONDS = 100n * 86_400n * 1_000_000_000n;
/**
 * How long the scheduler runs in-kernel deliveries before it lets Node's own event loop turn
 * (sockets, files, the HAL's alarms): long enough that switching costs little, short enough
 * that I/O waits at most a few milliseconds behind a busy set of processes.
 */
export const SCHEDULER_SLICE_MILLISECONDS = 4;
/**
 * Deliveries one scheduler slice makes at most: a virtual clock does not move inside a slice, so
 * the slice's time alone would never end it on the sim HAL.
 */
export const MAX_DELIVERIES_PER_SLICE = 4096;
/**
 * With no timer pending the scheduler reads the clock only for the slice's end, once the
 * deliveries since its last read used this much fuel or were this many: a clock read costs about
 * what an empty delivery does, and fuel bounds what a delivery can do (1–5 ns a unit, per
 * DEFAULT_FUEL_PER_ENTRY's 10–50 ms), so a slice ends at most ~0.1 ms later than it would. While a
 * timer is pending the clock is read before every delivery: a due timer fires between deliveries.
 */
export const SCHEDULER_CLOCK_READ_FUEL = 20_000;
export const SCHEDULER_CLOCK_READ_DELIVERIES = 64;
/**
 * Exchange-heap bytes one process may own at once (kernel/exchange): blocks are kernel memory
 * outside every process's linear memory, so without a quota a process could hold any amount.
 */
export const CEILING_EXCHANGE_BYTES = 64 * 1024 * 1024;
/** Largest absolute `exchangeBytes` a policy may set: 1 GiB of kernel memory for one process. */
export const MAX_EXCHANGE_BYTES = 1024 * 1024 * 1024;
/** Largest single block: a message is a block, and one message should not need more. */
export const MAX_BLOCK_BYTES = 16 * 1024 * 1024;
/**
 * Longest copy of one `blocks.read` or `blocks.write`: a user domain's copy goes through its
 * trap page, whose data area takes 256 KiB each way, so larger moves are a few calls.
 */
export const MAX_BLOCK_COPY_BYTES = 128 * 1024;
/**
 * Messages one channel endpoint holds unreceived: sends past it wait (a user domain) or answer
 * wouldBlock (the kernel domain), so a fast sender cannot make the kernel hold an unbounded
 * backlog for a slow receiver.
 */
export const MAX_QUEUED_MESSAGES = 64;
/**
 * Names published at once, over all processes: the name service holds one listener end per name
 * in its own table, kernel memory no process is charged for, so the directory has a bound of its
 * own. A process reaches it only through names its manifest and its principal's policy allow.
 */
export const MAX_PUBLISHED_NAMES = 8192;
/** Slots the name service keeps beyond its names for the channel a connect makes before handing it out. */
export const NAME_SERVICE_SPARE_HANDLES = 2;

// The file namespace (kernel/files).

/** Longest path a call may name, in UTF-8 bytes: Linux's PATH_MAX, so a guest path fits any host's. */
export const MAX_PATH_BYTES = 4096;
/** Longest name of one path component, in UTF-8 bytes: NAME_MAX of every common host filesystem. */
export const MAX_NAME_BYTES = 255;
/**
 * Files and directories one process may have open at once: each may hold a host descriptor, and
 * the host's own per-process limit (often 1024) is shared by every process of the kernel.
 */
export const MAX_OPEN_FILES_PER_PROCESS = 256;
/**
 * Host descriptors the open files and directories of all processes together may hold: the
 * per-process bound alone lets a few dozen processes take every descriptor of the kernel's host
 * process (20,000 on the development VM, 1024 on many hosts before Node raises it), and then
 * sockets, code caches and user domains' threads fail for everyone. Half of a 4096 hard limit,
 * the rest left to the kernel and its sockets.
 */
export const MAX_OPEN_HOST_FILES = 2048;
/**
 * Largest file a process may make on a writable host mount: the host's disk is not the kernel's
 * to give away, and `::rw` lends a directory, not all the space under it. A write or a seek past it
 * and a write there fails with fileTooBig (a sparse file still counts its length).
 */
export const MAX_HOST_FILE_BYTES = 1024 * 1024 * 1024;
/** Largest file of the in-memory tree: kernel memory no process is charged for, so bounded per file. */
export const MAX_MEMORY_FILE_BYTES = 16 * 1024 * 1024;
/** All files of the in-memory tree together: the tree outlives processes, so it has a bound of its own. */
export const MAX_MEMORY_TREE_BYTES = 64 * 1024 * 1024;
/** Entries (files and directories) of the in-memory tree: each costs kernel memory even when empty. */
export const MAX_MEMORY_TREE_ENTRIES = 100_000;
/**
 * Directories a host mount remembers as resolved (kernel/files/host-tree.ts) before it forgets
 * them all: a walk of a large tree needs no realpath per directory, and the memory stays bounded.
 */
export const MAX_KNOWN_DIRECTORIES = 65_536;
