// The page table: one flag byte per 4 KiB model page over linear memory, in memory both sides
// can see (a SharedArrayBuffer for user domains), with a generation word that every change
// bumps so the user side's TLB is shot down.
import { PageFlag } from "../../hil/index.js";
import { MODEL_PAGE_BYTES } from "../params.js";

/** Not a hardware flag: marks a not-present page as a guard so faults can say so. */
export const GUARD_MARK = 128;

/** Indices in the shared MMU counter words. */
export const MmuCounter = {
  generation: 0,
  pageFaults: 1,
  tlbHits: 2,
  tlbMisses: 3,
  tlbFlushes: 4,
  pagesMapped: 5,
  lastFaultAddress: 6,
} as const;
export const MMU_COUNTER_WORDS = 8;

export class PageTable {
  constructor(
    /** One byte per model page. */
    readonly entries: Uint8Array,
    /** `MMU_COUNTER_WORDS` words; Atomics are used so both threads agree. */
    readonly counters: Int32Array,
  ) {}

  get pageCount(): number { return this.entries.length; }

  flags(pageIndex: number): number {
    return pageIndex < this.entries.length ? Atomics.load(this.entries, pageIndex) : 0;
  }

  /** Sets the flags of every page touching [address, address + length); bumps the generation. */
  set(address: number, length: number, flags: number): void {
    if (length <= 0) return;
    const first = Math.floor(address / MODEL_PAGE_BYTES);
    const last = Math.min(this.entries.length - 1, Math.floor((address + length - 1) / MODEL_PAGE_BYTES));
    let mappedDelta = 0;
    for (let page = first; page <= last; page++) {
      const before = Atomics.exchange(this.entries, page, flags);
      mappedDelta += (flags & PageFlag.present ? 1 : 0) - (before & PageFlag.present ? 1 : 0);
    }
    Atomics.add(this.counters, MmuCounter.pagesMapped, mappedDelta);
    Atomics.add(this.counters, MmuCounter.generation, 1);
  }

  /** Sets `flags` on the pages in [firstPage, endPage) that are still unset (memory growth). */
  fillEmpty(firstPage: number, endPage: number, flags: number): void {
    let mapped = 0;
    for (let page = firstPage; page < Math.min(endPage, this.entries.length); page++) {
      if (Atomics.compareExchange(this.entries, page, 0, flags) === 0 && flags & PageFlag.present) mapped++;
    }
    Atomics.add(this.counters, MmuCounter.pagesMapped, mapped);
    Atomics.add(this.counters, MmuCounter.generation, 1);
  }

  get generation(): number { return Atomics.load(this.counters, MmuCounter.generation); }
  get pagesMapped(): number { return Atomics.load(this.counters, MmuCounter.pagesMapped); }
}
