// CPU domains: the kernel domain creates protected user domains (fallback processes) that enter
// the kernel only by trapping, and learns how each one ended.
import type { FaultKind } from "../../runtime/abi/index.js";
import type { AddressSpaceView, RegionRequest } from "./mmu.js";
import type { KernelTrapHandler } from "./trap.js";
import type { LinkedDomainCpu } from "./linked-domain.js";

/** What a bad pointer passed to a kernel call does to the process. */
export type BadPointerPolicy =
  /** The call returns -14 (badAddress) when its result can carry an error; otherwise the process is killed. */
  | "efault"
  /** The process is killed with a `bad-address` fault. */
  | "kill";

export interface UserDomainSpec {
  readonly processId: number;
  /** For logs and fault reports. */
  readonly name: string;
  /** The module to run; a compiled module is passed to the domain without recompiling. */
  readonly module: WebAssembly.Module | Uint8Array;
  /**
   * The module's bytes when `module` is compiled (a kernel's module cache): the HAL reads the
   * memory layout (data segments, stack pointer) from them. Without them a compiled module gets
   * a flat layout: all memory is heap, no guard pages.
   */
  readonly binary?: Uint8Array;
  /** The export to call, e.g. "main"; its i32 result becomes the `returned` value. */
  readonly entry: string;
  /** Upper bound on linear memory in 64 KiB Wasm pages; growth beyond it is an `out-of-memory` fault. */
  readonly memoryLimitPages: number;
  /** User-mode running time allowed for the entry before a `cpu-budget` fault. */
  readonly cpuBudgetMilliseconds: number;
  readonly badPointerPolicy: BadPointerPolicy;
  /** Extra regions the kernel maps over the derived layout (shared data, read-only pages). */
  readonly regions?: readonly RegionRequest[];
}

/** The fault vocabulary both domains share, plus `kernel`: the kernel ended the domain (a kill, a kernel call's decision). */
export type UserFaultKind = FaultKind | "kernel";

export interface UserFault {
  readonly kind: UserFaultKind;
  readonly message: string;
  /** Index in the module's function index space (imports included), when the fault is in Wasm code. */
  readonly functionIndex?: number;
  /** From the module's `name` section, when it has one. */
  readonly functionName?: string;
  /** Byte offset of the faulting instruction in the module. */
  readonly byteOffset?: number;
  /** The faulting address, for `bad-address`. */
  readonly address?: number;
}

export type UserDomainOutcome =
  | { readonly kind: "returned"; readonly value: number }
  | { readonly kind: "exited"; readonly code: number }
  | { readonly kind: "faulted"; readonly fault: UserFault };

export interface TlbStats {
  readonly hits: number;
  readonly misses: number;
  /** Whole-TLB flushes: one per page-table change the user side observed (shootdown). */
  readonly flushes: number;
}

/** How the two sides of a domain waited for each other: what spin-then-wait cost. */
export interface CrossingWaitStats {
  /** Calls whose answer the user side did not see while polling, so it slept (a futex sleep). */
  readonly userSleeps: number;
  /** Times the kernel side stopped polling for this domain's next trap and waited for it. */
  readonly kernelWaits: number;
  /** Bursts of traps cut short so the event loop could run timers and other domains. */
  readonly kernelYields: number;
}

export interface UserDomainStats {
  /** Crossings between the user domain and the kernel, both directions (a call is two). */
  readonly ringSwitches: number;
  /** Ring switches by call name: two per answered call, one for a call the kernel never answered. */
  readonly ringSwitchesByCall: Readonly<Record<string, number>>;
  /** Traps into the kernel by call name (`console.write`, `batch.submit`, ...). */
  readonly trapsByCall: Readonly<Record<string, number>>;
  /** Calls serviced from batch rings, by call name; these cost no crossing of their own. */
  readonly batchedCallsByCall: Readonly<Record<string, number>>;
  readonly pageFaults: number;
  readonly tlb: TlbStats;
  /** Model pages currently mapped present. */
  readonly pagesMapped: number;
  /** Linear memory size in Wasm pages, as last observed. */
  readonly memoryPages: number;
  /** Running time charged against the CPU budget. */
  readonly userMilliseconds: number;
  /** Whether the kernel side still has a wait outstanding on this domain (0 after completion). */
  readonly kernelWaitersPending: number;
  /** Absent where the sides never wait for each other (a CPU that answers traps inline). */
  readonly waits?: CrossingWaitStats;
}

/** A running fallback process: its own isolate, reachable only through traps. */
export interface UserDomain {
  readonly processId: number;
  readonly name: string;
  /** Settles exactly once, after the domain's thread has stopped. Never rejects. */
  readonly completion: Promise<UserDomainOutcome>;
  /** The process's address space, as the kernel sees it (protect, map, translate for diagnostics). */
  readonly addressSpace: AddressSpaceView;
  /** Stops the domain now, even in the middle of a kernel call; completes as a `kernel` fault. */
  terminate(reason: string): void;
  stats(): UserDomainStats;
}

/** The processor as the kernel sees it: the only way to run code outside the kernel domain. */
export interface Cpu {
  createUserDomain(spec: UserDomainSpec, handler: KernelTrapHandler): UserDomain;
  /** Present on CPUs that can host multi-module linked domains (the Node CPU; not the simulated one). */
  readonly createLinkedDomain?: LinkedDomainCpu["createLinkedDomain"];
}
