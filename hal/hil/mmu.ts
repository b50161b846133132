// The MMU model: a page table over a process's linear memory, regions, translation with a TLB,
// and page faults. Implementations live in hal/node/mmu; this is the vocabulary.

/** Page flags, as bits in one byte per model page. */
export const PageFlag = {
  present: 1,
  writable: 2,
  executable: 4,
  user: 8,
  /** Holds verified (kernel-trusted) content; never writable from user mode. */
  kernelTrust: 16,
} as const;

export type Access = "read" | "write";

export type RegionKind = "code" | "data" | "stack" | "heap" | "guard" | "shared-ring" | "shared";

export interface Region {
  readonly kind: RegionKind;
  /** First byte address in linear memory. Code and ring regions live outside it: `inLinearMemory` is false. */
  readonly address: number;
  readonly length: number;
  readonly flags: number;
  readonly inLinearMemory: boolean;
}

/** A region the kernel asks to map over the derived layout. */
export interface RegionRequest {
  readonly kind: RegionKind;
  readonly address: number;
  readonly length: number;
  /** `PageFlag` bits; pages are always marked user unless `kernelTrust` is set. */
  readonly flags: number;
}

export type PageFaultCause = "outside-memory" | "not-present" | "guard" | "read-only" | "overflow";

export interface PageFault {
  readonly address: number;
  readonly access: Access;
  readonly cause: PageFaultCause;
}

/** A translation result: the linear-memory offset of `address` (identity in this model) or a fault. */
export type Translation = { readonly ok: true; readonly offset: number } | { readonly ok: false; readonly fault: PageFault };

/** The kernel's view of a process's address space. Changes shoot down the user side's TLB. */
export interface AddressSpaceView {
  readonly pageSize: number;
  regions(): readonly Region[];
  /** Flags of the page holding `address` (0 when unmapped). */
  flagsAt(address: number): number;
  map(address: number, length: number, flags: number): void;
  unmap(address: number, length: number): void;
  protect(address: number, length: number, flags: number): void;
  /** Checks `length` bytes at `address` for `access`, as copyin/copyout do. */
  translate(address: number, length: number, access: Access): Translation;
}
