// The time rules a user domain is held to, each a decision with the report it ends the process
// with: the process's CPU budget, its thread's start, and one blocking call's hold on the kernel
// thread. NodeUserDomain measures (domain-charge.ts); these decide.
import type { LinkedEnding } from "../../hil/index.js";
import { MAX_BLOCKING_CALL_MILLISECONDS, MAX_BLOCKING_CALL_WALL_MILLISECONDS } from "../params.js";

/**
 * How long a blocked kernel thread waits for a new domain's thread to come up. Starting a Worker
 * takes tens of milliseconds (hundreds on a loaded machine); that time is not the process's.
 */
export const THREAD_START_TIMEOUT_MILLISECONDS = 10_000;

/**
 * Shortest wait before the budget is looked at again: the thread CPU clock moves in 10 ms ticks,
 * so looking sooner only costs reads of it.
 */
export const BUDGET_RECHECK_MILLISECONDS = 10;

/** The process has used its CPU budget. */
export function budgetEnding(chargedMilliseconds: number, budgetMilliseconds: number): LinkedEnding | undefined {
  if (chargedMilliseconds < budgetMilliseconds) return undefined;
  return { kind: "faulted", fault: { kind: "cpu-budget", message: `ran ${chargedMilliseconds.toFixed(1)} ms in user mode without waiting (budget ${budgetMilliseconds} ms)` } };
}

/** The domain's thread has not come up in time. */
export function threadStartEnding(waitedMilliseconds: number): LinkedEnding | undefined {
  if (waitedMilliseconds <= THREAD_START_TIMEOUT_MILLISECONDS) return undefined;
  return { kind: "faulted", fault: { kind: "worker-crash", message: `the domain's thread did not start within ${THREAD_START_TIMEOUT_MILLISECONDS} ms` } };
}

/**
 * A blocking call holds the kernel thread, and so every other process: it may not take long.
 * Long is the domain's own running time in the call (a runaway upcall), or a wall time many
 * times that (a thread that never answers). A thread the machine's load keeps off the CPU is
 * not the process's fault, so wall time alone ends a call only at the larger bound.
 */
export function blockingCallEnding(heldMilliseconds: number, ranMilliseconds: number): LinkedEnding | undefined {
  if (ranMilliseconds <= MAX_BLOCKING_CALL_MILLISECONDS && heldMilliseconds <= MAX_BLOCKING_CALL_WALL_MILLISECONDS) return undefined;
  const how = ranMilliseconds > MAX_BLOCKING_CALL_MILLISECONDS ? `ran ${ranMilliseconds.toFixed(0)} ms` : `held the kernel thread for ${heldMilliseconds.toFixed(0)} ms of wall time`;
  return { kind: "faulted", fault: { kind: "cpu-budget", message: `a call into the domain ${how} (limits ${MAX_BLOCKING_CALL_MILLISECONDS} ms running, ${MAX_BLOCKING_CALL_WALL_MILLISECONDS} ms held)` } };
}
