// The batch ring's shape, part of the ABI (runtime/wit/singlet.wit, interface batch): the HAL
// copies rings of this size between a user domain and its trap page, the kernel reads them.

/** Bytes per entry: call number, status, three 8-byte argument slots, an 8-byte result. */
export const BATCH_ENTRY_BYTES = 40;
/** Entries one `batch.submit` may carry: bounds the ring's share of the trap page and one call's work. */
export const BATCH_RING_ENTRIES = 256;
/** The call whose argument is a ring, not a value: its stub copies the entries both ways. */
export const BATCH_SUBMIT_NAME = "batch.submit";
/** The other: a batch and the next event in one kernel entry (an event loop's one crossing per event). */
export const BATCH_SUBMIT_AND_WAIT_NAME = "batch.submit-and-wait";
/** Calls whose first argument is a ring: copied by their stubs, never an entry of a batch themselves. */
export const RING_CALL_NAMES: ReadonlySet<string> = new Set([BATCH_SUBMIT_NAME, BATCH_SUBMIT_AND_WAIT_NAME]);
/**
 * The entry's first word: the call number in the low 16 bits, then flags. Bits 16–27 are reserved
 * (an entry setting any gets invalid-argument), so a later flag never changes an old entry's meaning.
 */
export const BATCH_CALL_NUMBER_MASK = 0xffff;
export const BATCH_RESERVED_BITS = 0x0fff_0000;
/** Linked: runs only when the entry before it ran and returned a positive result (a count to pass on). */
export const BATCH_LINKED = 0x8000_0000;
/** Bits 28–30 of a linked entry: 0, or 1 + the argument that takes the previous entry's result. */
export const BATCH_RESULT_ARGUMENT_SHIFT = 28;
export const BATCH_RESULT_ARGUMENT_MASK = 0x7;
/** Arguments a call of only 32-bit (or narrower) parameters may have: two to each of the three slots. */
export const BATCH_NARROW_ARGUMENTS = 6;
