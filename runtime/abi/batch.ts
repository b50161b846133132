// The batch ring's shape, part of the ABI (runtime/wit/singlet.wit, interface batch): the HAL
// copies rings of this size between a user domain and its trap page, the kernel reads them.

/** Bytes per entry: call number, status, three 8-byte argument slots, an 8-byte result. */
export const BATCH_ENTRY_BYTES = 40;
/** Entries one `batch.submit` may carry: bounds the ring's share of the trap page and one call's work. */
export const BATCH_RING_ENTRIES = 256;
/** The call whose argument is a ring, not a value: its stub copies the entries both ways. */
export const BATCH_SUBMIT_NAME = "batch.submit";
