// The user/kernel boundary as the kernel sees it: the values a kernel call carries and the
// contract of the kernel's trap handler, which the HAL calls once per crossing.
import type { DomainIdentity } from "./user-domain.js";

/**
 * One lifted argument or result of a kernel call: integers up to 32 bits and floats as
 * `number`, 64-bit integers as `bigint`, strings as `string`, byte lists as `Uint8Array`
 * (always a copy: the kernel never sees the process's memory).
 */
export type AbiValue = number | bigint | string | Uint8Array;

/** What the kernel decided about one kernel call. */
export type TrapOutcome =
  /** Return to the caller; `value` is lowered by the call's declared result type. */
  | { readonly kind: "return"; readonly value?: AbiValue }
  /** The process ends with `code` (process.exit): the user domain unwinds and completes as `exited`. */
  | { readonly kind: "exit"; readonly code: number }
  /** The process is killed with a fault of kind "kernel" carrying `reason` (process.abort, a policy kill). */
  | { readonly kind: "fault"; readonly reason: string; readonly errorCode?: number }
  /**
   * The call cannot be answered yet (a write to a full output queue): the caller is left waiting,
   * holding no CPU and charged nothing, and the handler is called again with the same arguments
   * once `until` settles. Only when `handleTrap` was told the caller can wait.
   */
  | { readonly kind: "wait"; readonly until: Promise<void> };

/**
 * Supplied by the kernel. Called on the kernel thread for every kernel call a user domain
 * makes, with arguments already checked against the process's page table and copied out of
 * its memory. Must not block: the user domain stays stopped until it returns.
 */
export interface KernelTrapHandler {
  /**
   * `canWait`: whether the call may be answered later (`wait`): true while the domain's entry runs
   * and the kernel thread is free, false while the kernel thread is blocked on the domain (an
   * upcall, an instantiation), which nothing could wake. `resumed`: this is a call that was
   * answered `wait` being served again now that its `until` settled (the same arguments); a call
   * whose earlier part must not run twice serves only its waiting part then.
   */
  handleTrap(domain: DomainIdentity, syscallNumber: number, args: readonly AbiValue[], canWait?: boolean, resumed?: boolean): TrapOutcome;
}
