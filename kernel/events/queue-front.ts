// Queues kept in arrays used from `head` to `tail` (the run queue, each process's events, each
// endpoint's messages): taking an entry moves `head` on rather than shifting the array, and an
// emptied queue starts again at 0 over the same arrays. One that never empties moves what it
// holds back to the front once its taken part is long and most of the arrays.

/** Whether a queue whose taken part is `head` long, of `tail` in all, should move what it holds to the front. */
export function frontWorthReclaiming(head: number, tail: number, after: number): boolean {
  return head > after && head * 2 > tail;
}

/**
 * Moves each array's entries from `head` to `tail` to the front, clearing the places the moved
 * entries of `objects` leave (they would keep what they hold reachable). Returns the new tail.
 */
export function moveToFront(head: number, tail: number, values: readonly unknown[][], objects: readonly unknown[][]): number {
  const left = tail - head;
  for (const array of values) array.copyWithin(0, head, tail);
  for (const array of objects) {
    array.copyWithin(0, head, tail);
    array.fill(undefined, left, tail);
  }
  return left;
}
