// Limits and tunables of the Node HAL, one per line, each with the reason for its value.

/** Model page size: 4 KiB, the size kernels and TLBs work in; a 64 KiB Wasm page holds 16 of them. */
export const MODEL_PAGE_BYTES = 4096;
export const WASM_PAGE_BYTES = 65536;
export const MODEL_PAGES_PER_WASM_PAGE = WASM_PAGE_BYTES / MODEL_PAGE_BYTES;

/** TLB entries: small enough that misses are visible in stats, large enough for a call's few pages. */
export const TLB_ENTRIES = 16;

/** Trap page data area: the largest string or byte list one kernel call can carry each way. */
export const TRAP_DATA_BYTES = 256 * 1024;


/** Arguments one kernel call may have after lifting (process.abort has four). */
export const TRAP_ARGUMENT_SLOTS = 8;

/**
 * User side: polls of the response word before sleeping in Atomics.wait, at most. A busy answer
 * arrives in well under a microsecond (measured: 15–30 polls), a sleeping wake-up costs tens of
 * microseconds; 2000 polls are about 6–12 µs on the development VM, below one wake-up.
 */
export const DEFAULT_USER_SPIN_ITERATIONS = 2000;

/**
 * User side: the adaptive spin budget never falls below this many polls (about 6 µs on the
 * development VM), so a domain that had to sleep a few times in a row (a GC, a JIT compile, the
 * kernel thread descheduled) still catches the next answer, which comes a few µs after its own
 * wake-up, and grows its budget again. Measured after a forced kernel hiccup (200 answers 60 µs
 * late): with no floor the budget halved to zero and the domain slept on every call for good;
 * with a floor of 256 polls it stayed asleep in 14 of 14 runs, with 1000 it recovered in 15 of 21
 * (26 of 28 with the kernel's poll after a wake-up below).
 */
export const USER_SPIN_FLOOR_ITERATIONS = 1000;

/**
 * User side: after this many sleeps in a row the next call polls for a long stretch once, a
 * probe. Without it two sides that both fell asleep stay asleep: each one's polling window is
 * shorter than the other's wake-up, so every call pays two wake-ups (measured: ~25 µs per call
 * instead of ~2). A failed probe costs one probe per this many calls.
 */
export const USER_SPIN_PROBE_AFTER_SLEEPS = 16;

/**
 * User side: polls in a probe, about 100 µs on the development VM: longer than the kernel
 * thread's wake-up from Atomics.waitAsync through the event loop (measured 30–70 µs), so the
 * probe sees the answer and both sides are back to polling. Never more than the spin bound
 * allows: with userSpinIterations 0 the domain always sleeps.
 */
export const USER_SPIN_PROBE_ITERATIONS = 16_000;

/**
 * Kernel side: how long the main thread polls for a domain's next trap after answering one
 * before falling back to Atomics.waitAsync. Short, because the main thread serves everyone.
 */
export const DEFAULT_KERNEL_POLL_MICROSECONDS = 20;

/**
 * Kernel side: how long the main thread polls after an answer that had to wake a sleeping user
 * side. That side's next trap comes a wake-up later (20–70 µs), past the normal window; a kernel
 * that stopped polling by then needs a wake-up of its own through the event loop, the user side
 * misses the answer while polling and sleeps again: both sides stay asleep, two wake-ups per call
 * (measured ~33 µs per call instead of ~1.2). Paid only after the user side slept, which its
 * adaptive spinning keeps rare; 0 turns it off.
 */
export const DEFAULT_KERNEL_POLL_AFTER_WAKE_MICROSECONDS = 100;

/**
 * Kernel side: a long poll after a wake-up that ran out is skipped for the next 1, 2, 4, ... wake-ups,
 * up to this many. When the machine is oversubscribed the woken thread cannot get a CPU while the
 * main thread polls, so the long poll only burns the main thread (measured: polling rows twice
 * the sleep/wake cost at a load average of 10 on two CPUs); the back-off bounds that to one long
 * poll per this many sleeping calls.
 */
export const KERNEL_WAKE_POLL_MAXIMUM_SKIPS = 64;

/** Kernel side: traps served in one synchronous burst before yielding to the event loop. */
export const DEFAULT_KERNEL_BURST_TRAPS = 256;

/**
 * Idle domain threads a CPU keeps for reuse when domains release them, at most. Each holds an
 * isolate (measured: about 12 MB resident after apps/hello) and, until its next collection,
 * what its last process left unreachable; on two CPUs more than a few processes starting at the
 * same moment queue for the CPUs anyway, so a burst's extra threads are terminated, not kept.
 */
export const DEFAULT_KEPT_DOMAIN_THREADS = 4;

/**
 * A kept domain thread unused this long is terminated: a kernel that started a burst of
 * processes does not hold their isolates for good, while one starting processes one after
 * another (a shell, a test run, a benchmark) finds its thread still there.
 */
export const IDLE_DOMAIN_THREAD_MILLISECONDS = 5000;

/** JS heap given to a user domain's isolate; Wasm memory is outside it and limited separately. */
export const USER_DOMAIN_OLD_GENERATION_MEGABYTES = 64;

/**
 * Longest one blocking call into a user domain (an upcall, an instantiation) may run while it
 * holds the kernel thread, which serves no other process meanwhile. Upcalls are function calls
 * the linker makes synchronously; one still running after a second of its own time is a runaway,
 * whatever CPU budget its process has left. Counted as the domain's charged time (its thread's
 * CPU time where the thread clock can be read, wall time elsewhere).
 */
export const MAX_BLOCKING_CALL_MILLISECONDS = 1000;
/**
 * Longest a blocking call may hold the kernel thread in wall time, however little its thread ran:
 * a thread that never answers. Ten times the running bound, because on a loaded machine a healthy
 * thread can wait that long for a CPU (200 domains starting at once on two cores).
 */
export const MAX_BLOCKING_CALL_WALL_MILLISECONDS = 10 * MAX_BLOCKING_CALL_MILLISECONDS;

/**
 * How long a closed TCP connection may wait for its peer to take what was still queued: a peer
 * that reads nothing for this long has the connection destroyed, so closed sockets never linger.
 */
export const LINGER_MILLISECONDS = 10_000;
