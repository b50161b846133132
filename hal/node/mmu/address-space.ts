// An address space: the page table, the regions it was built from and translation through an
// optional TLB. The user side (copyin/copyout) translates through the TLB; the kernel's view
// walks the table directly and its changes shoot the user side's TLB down.
import {
  PageFlag, type Access, type AddressSpaceView, type PageFault, type PageFaultCause, type Region, type Translation,
} from "../../hil/index.js";
import { MODEL_PAGE_BYTES, MODEL_PAGES_PER_WASM_PAGE } from "../params.js";
import type { Layout } from "./layout.js";
import { GUARD_MARK, MmuCounter, PageTable } from "./page-table.js";
import { TranslationLookasideBuffer } from "./tlb.js";

const ADDRESS_LIMIT = 2 ** 32;
const HEAP_FLAGS = PageFlag.present | PageFlag.writable | PageFlag.user;

export class AddressSpace implements AddressSpaceView {
  readonly pageSize = MODEL_PAGE_BYTES;
  private seenGeneration: number;

  constructor(
    readonly pageTable: PageTable,
    private readonly layoutRegions: readonly Region[],
    /** Current size of linear memory in bytes, as this side knows it. */
    private readonly memoryBytes: () => number,
    private readonly tlb?: TranslationLookasideBuffer,
  ) {
    this.seenGeneration = pageTable.generation;
  }

  /** Writes the layout into an empty page table (done once, by whoever creates the domain). */
  static applyLayout(pageTable: PageTable, layout: Layout): void {
    for (const region of layout.regions) {
      if (!region.inLinearMemory) continue;
      pageTable.set(region.address, region.length, region.kind === "guard" ? GUARD_MARK : region.flags);
    }
  }

  regions(): readonly Region[] { return this.layoutRegions; }

  flagsAt(address: number): number {
    return this.pageTable.flags(Math.floor(address / MODEL_PAGE_BYTES)) & ~GUARD_MARK;
  }

  map(address: number, length: number, flags: number): void {
    this.pageTable.set(address, length, flags | PageFlag.present);
  }

  unmap(address: number, length: number): void {
    this.pageTable.set(address, length, 0);
  }

  protect(address: number, length: number, flags: number): void {
    this.pageTable.set(address, length, flags);
  }

  /** Maps the pages linear memory gained since `fromWasmPages` as heap, keeping pages the kernel already set. */
  mapGrowth(fromWasmPages: number, toWasmPages: number): void {
    if (toWasmPages <= fromWasmPages) return;
    const first = fromWasmPages * MODEL_PAGES_PER_WASM_PAGE;
    const end = Math.min(toWasmPages * MODEL_PAGES_PER_WASM_PAGE, this.pageTable.pageCount);
    this.pageTable.fillEmpty(first, end, HEAP_FLAGS);
  }

  translate(address: number, length: number, access: Access): Translation {
    if (!Number.isInteger(address) || !Number.isInteger(length) || address < 0 || length < 0 || address + length > ADDRESS_LIMIT) {
      return this.fault(address, access, "overflow");
    }
    if (address + length > this.memoryBytes()) return this.fault(Math.max(address, this.memoryBytes()), access, "outside-memory");
    if (length === 0) return { ok: true, offset: address };
    if (this.tlb) {
      const generation = this.pageTable.generation;
      if (generation !== this.seenGeneration) {
        this.seenGeneration = generation;
        this.tlb.flush();
      }
    }
    const firstPage = Math.floor(address / MODEL_PAGE_BYTES);
    const lastPage = Math.floor((address + length - 1) / MODEL_PAGE_BYTES);
    for (let page = firstPage; page <= lastPage; page++) {
      let flags = this.tlb ? this.tlb.lookup(page) : -1;
      if (flags < 0) {
        flags = this.pageTable.flags(page);
        if (this.tlb && flags & PageFlag.present) this.tlb.fill(page, flags);
      }
      const cause = this.check(flags, access);
      if (cause) return this.fault(Math.max(address, page * MODEL_PAGE_BYTES), access, cause);
    }
    return { ok: true, offset: address };
  }

  private check(flags: number, access: Access): PageFaultCause | undefined {
    if (!(flags & PageFlag.present)) return flags & GUARD_MARK ? "guard" : "not-present";
    if (!(flags & PageFlag.user) && !(flags & PageFlag.kernelTrust)) return "not-present";
    if (access === "write" && (!(flags & PageFlag.writable) || flags & PageFlag.kernelTrust)) return "read-only";
    return undefined;
  }

  private fault(address: number, access: Access, cause: PageFaultCause): Translation {
    Atomics.add(this.pageTable.counters, MmuCounter.pageFaults, 1);
    Atomics.store(this.pageTable.counters, MmuCounter.lastFaultAddress, address | 0);
    const fault: PageFault = { address, access, cause };
    return { ok: false, fault };
  }
}
