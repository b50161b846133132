// The trap page: the SharedArrayBuffer that carries one instance's kernel calls (the crossing
// itself, its baton and waiter bits, is the domain's channel: channel.ts).
// Layout (byte offsets; docs/hal/README.md draws it):
//   0    header words (Int32): call number, outcome, exit code, result length, memory size, batch count
//   64   MMU counters (Int32 × 8): page-table generation, faults, TLB hits/misses/flushes, pages mapped
//   128  argument slots (8 bytes each): scalars, or (data offset, length) for strings and byte lists
//   192  scalar result (8 bytes)
//   256  page table: one flag byte per 4 KiB model page, padded to 8
//   ...  batch ring: BATCH_RING_ENTRIES entries of BATCH_ENTRY_BYTES
//   ...  data area: TRAP_DATA_BYTES for string and byte-list arguments and results
import { BATCH_ENTRY_BYTES, BATCH_RING_ENTRIES } from "../../../runtime/abi/index.js";
import { TRAP_ARGUMENT_SLOTS, TRAP_DATA_BYTES } from "../params.js";
import { MMU_COUNTER_WORDS, PageTable } from "../mmu/index.js";

/** Word indices in the header. */
export const TrapWord = {
  syscallNumber: 0,
  /** An `OutcomeCode`. */
  outcomeKind: 1,
  /** Exit code for `exit`. */
  outcomeCode: 2,
  /** Result length: UTF-16 code units for strings, bytes for byte lists. */
  resultLength: 3,
  /** Linear memory size in Wasm pages, written by the user side at every trap. */
  memoryPages: 4,
  /** Entries in the batch ring for a `batch.submit` trap. */
  batchCount: 5,
} as const;

export const OutcomeCode = { return: 0, exit: 1, fault: 2 } as const;

const HEADER_BYTES = 64;
const MMU_COUNTERS_OFFSET = HEADER_BYTES;
const ARGUMENTS_OFFSET = 128;
const RESULT_OFFSET = 192;
const PAGE_TABLE_OFFSET = 256;

export interface TrapPageGeometry {
  readonly pageCount: number;
  readonly batchRingOffset: number;
  readonly dataOffset: number;
  readonly totalBytes: number;
}

export function trapPageGeometry(pageCount: number): TrapPageGeometry {
  const batchRingOffset = PAGE_TABLE_OFFSET + Math.ceil(pageCount / 8) * 8;
  const dataOffset = batchRingOffset + BATCH_RING_ENTRIES * BATCH_ENTRY_BYTES;
  return { pageCount, batchRingOffset, dataOffset, totalBytes: dataOffset + TRAP_DATA_BYTES };
}

/** Typed views of one trap page, built the same way on both sides. */
export class TrapPage {
  readonly header: Int32Array;
  readonly argumentWords: Int32Array;
  readonly argumentWides: BigInt64Array;
  readonly argumentFloats: Float64Array;
  readonly resultWords: Int32Array;
  readonly resultWide: BigInt64Array;
  readonly resultFloat: Float64Array;
  readonly pageTable: PageTable;
  readonly batchRing: Uint8Array;
  readonly data: Uint8Array;
  readonly dataUnits: Uint16Array;

  constructor(readonly buffer: SharedArrayBuffer, readonly geometry: TrapPageGeometry) {
    this.header = new Int32Array(buffer, 0, HEADER_BYTES / 4);
    this.argumentWords = new Int32Array(buffer, ARGUMENTS_OFFSET, TRAP_ARGUMENT_SLOTS * 2);
    this.argumentWides = new BigInt64Array(buffer, ARGUMENTS_OFFSET, TRAP_ARGUMENT_SLOTS);
    this.argumentFloats = new Float64Array(buffer, ARGUMENTS_OFFSET, TRAP_ARGUMENT_SLOTS);
    this.resultWords = new Int32Array(buffer, RESULT_OFFSET, 2);
    this.resultWide = new BigInt64Array(buffer, RESULT_OFFSET, 1);
    this.resultFloat = new Float64Array(buffer, RESULT_OFFSET, 1);
    this.pageTable = new PageTable(
      new Uint8Array(buffer, PAGE_TABLE_OFFSET, geometry.pageCount),
      new Int32Array(buffer, MMU_COUNTERS_OFFSET, MMU_COUNTER_WORDS),
    );
    this.batchRing = new Uint8Array(buffer, geometry.batchRingOffset, BATCH_RING_ENTRIES * BATCH_ENTRY_BYTES);
    this.data = new Uint8Array(buffer, geometry.dataOffset, TRAP_DATA_BYTES);
    this.dataUnits = new Uint16Array(buffer, geometry.dataOffset, TRAP_DATA_BYTES / 2);
  }

  static create(pageCount: number): TrapPage {
    const geometry = trapPageGeometry(pageCount);
    return new TrapPage(new SharedArrayBuffer(geometry.totalBytes), geometry);
  }
}
