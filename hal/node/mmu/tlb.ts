// A small fully associative TLB with round-robin replacement: caches the flags of present
// pages; counts hits, misses and flushes in the shared MMU counters.
import { TLB_ENTRIES } from "../params.js";
import { MmuCounter } from "./page-table.js";

export class TranslationLookasideBuffer {
  private readonly pageNumbers = new Int32Array(TLB_ENTRIES).fill(-1);
  private readonly cachedFlags = new Uint8Array(TLB_ENTRIES);
  private nextVictim = 0;

  constructor(private readonly counters: Int32Array) {}

  /** Cached flags of `pageNumber`, or -1 on a miss. */
  lookup(pageNumber: number): number {
    for (let slot = 0; slot < TLB_ENTRIES; slot++) {
      if (this.pageNumbers[slot] === pageNumber) {
        Atomics.add(this.counters, MmuCounter.tlbHits, 1);
        return this.cachedFlags[slot]!;
      }
    }
    Atomics.add(this.counters, MmuCounter.tlbMisses, 1);
    return -1;
  }

  fill(pageNumber: number, flags: number): void {
    this.pageNumbers[this.nextVictim] = pageNumber;
    this.cachedFlags[this.nextVictim] = flags;
    this.nextVictim = (this.nextVictim + 1) % TLB_ENTRIES;
  }

  flush(): void {
    this.pageNumbers.fill(-1);
    Atomics.add(this.counters, MmuCounter.tlbFlushes, 1);
  }
}
