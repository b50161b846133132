// The user side's polling budget before it sleeps, adapted per call as futex-based locks adapt
// their spinning. A pure function of what happened, so the policy is testable without threads.
import { USER_SPIN_FLOOR_ITERATIONS, USER_SPIN_PROBE_AFTER_SLEEPS, USER_SPIN_PROBE_ITERATIONS } from "../params.js";

export interface SpinState {
  /** Polls the next call may spend before sleeping. */
  readonly budget: number;
  /** Calls in a row that ended in a sleep. */
  readonly sleepStreak: number;
}

export function initialSpinState(limit: number): SpinState {
  return { budget: limit, sleepStreak: 0 };
}

/**
 * After a call: doubles the budget (up to `limit`) when the answer came while polling; when the
 * thread had to sleep, halves it down to a floor, and after a run of sleeps grants one long probe
 * so two sides that both fell asleep find each other polling again. `limit` 0 always sleeps.
 */
export function nextSpinState(state: SpinState, answeredWhilePolling: boolean, limit: number): SpinState {
  if (limit === 0) return { budget: 0, sleepStreak: 0 };
  if (answeredWhilePolling) {
    // The steady state of a busy domain: keep the object, this runs on every call.
    if (state.sleepStreak === 0 && state.budget === limit) return state;
    return { budget: Math.min(limit, state.budget * 2), sleepStreak: 0 };
  }
  const sleepStreak = state.sleepStreak + 1;
  if (sleepStreak % USER_SPIN_PROBE_AFTER_SLEEPS === 0) return { budget: Math.max(USER_SPIN_PROBE_ITERATIONS, limit), sleepStreak };
  return { budget: Math.max(Math.min(USER_SPIN_FLOOR_ITERATIONS, limit), Math.min(state.budget, limit) >> 1), sleepStreak };
}
