// CPU domains: the kernel domain creates protected user domains that enter the kernel only by
// trapping (kernel calls) or at declared entry points (kernel jumps), and learns how each ended.
import type { FaultKind } from "../../runtime/abi/index.js";
import type { UserDomain, UserDomainHandler, UserDomainSpec } from "./user-domain.js";

/** What a bad pointer passed to a kernel call does to the process. */
export type BadPointerPolicy =
  /** The call returns -14 (badAddress) when its result can carry an error; otherwise the process is killed. */
  | "efault"
  /** The process is killed with a `bad-address` fault. */
  | "kill";

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

/** The processor as the kernel sees it: the only way to run code outside the kernel domain. */
export interface Cpu {
  /**
   * A protected domain for one process: its own isolate, holding the process's user-mode
   * instances (one for a single-module app, several for a linked one).
   */
  createUserDomain(spec: UserDomainSpec, handler: UserDomainHandler): UserDomain;
}
