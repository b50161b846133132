// Canonical-ABI glue every app links: the return area for results passed through memory,
// lifting of kernel-written strings and bytes, and `cabi_realloc`, through which the kernel
// allocates in the app's memory.

/** Eight bytes for a (pointer, length) result written by the kernel. */
export const returnArea: usize = memory.data(8, 8);

/** Copies a UTF-16 string the kernel allocated through cabi_realloc, then frees the block. */
export function liftString(pointer: u32, length: u32): string {
  if (length == 0) return "";
  const text = String.UTF16.decodeUnsafe(<usize>pointer, <usize>length << 1);
  heap.free(<usize>pointer);
  return text;
}

/** Copies bytes the kernel allocated through cabi_realloc, then frees the block. */
export function liftBytes(pointer: u32, length: u32): Uint8Array {
  const bytes = new Uint8Array(<i32>length);
  if (length == 0) return bytes;
  memory.copy(bytes.dataStart, <usize>pointer, <usize>length);
  heap.free(<usize>pointer);
  return bytes;
}

/** The canonical-ABI allocator export. The heap's blocks are 16-byte aligned, enough for any align. */
export function cabi_realloc(oldPointer: usize, oldSize: usize, align: usize, newSize: usize): usize {
  if (oldPointer == 0) return heap.alloc(newSize);
  return heap.realloc(oldPointer, newSize);
}
