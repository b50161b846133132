// Conformance of the user side's adaptive spinning: bounded, shrinking under sleeps, never stuck.
import { expect } from "chai";
import { initialSpinState, nextSpinState, type SpinState } from "../../hal/node/user-domain/index.js";
import { USER_SPIN_FLOOR_ITERATIONS, USER_SPIN_PROBE_AFTER_SLEEPS, USER_SPIN_PROBE_ITERATIONS } from "../../hal/node/params.js";

/** Large enough above the floor that halving shows. */
const LIMIT = 8 * USER_SPIN_FLOOR_ITERATIONS;

function after(state: SpinState, outcomes: readonly boolean[], limit = LIMIT): SpinState {
  return outcomes.reduce((current, answered) => nextSpinState(current, answered, limit), state);
}

describe("hal user-side spin budget", () => {
  it("starts at the limit and stays there while answers come during polling", () => {
    const state = after(initialSpinState(LIMIT), Array<boolean>(100).fill(true));
    expect(state).to.deep.equal({ budget: LIMIT, sleepStreak: 0 });
  });

  it("halves after each sleep but never below the floor", () => {
    const budgets: number[] = [];
    let state = initialSpinState(LIMIT);
    for (let sleep = 1; sleep < USER_SPIN_PROBE_AFTER_SLEEPS; sleep++) {
      state = nextSpinState(state, false, LIMIT);
      budgets.push(state.budget);
    }
    expect(budgets[0]).to.equal(Math.max(LIMIT / 2, USER_SPIN_FLOOR_ITERATIONS));
    for (let index = 1; index < budgets.length; index++) expect(budgets[index]).to.equal(Math.max(budgets[index - 1]! / 2, USER_SPIN_FLOOR_ITERATIONS));
    expect(Math.min(...budgets)).to.equal(USER_SPIN_FLOOR_ITERATIONS);
  });

  it("grows back to the limit once answers come while polling at the floor", () => {
    const sleptOften = after(initialSpinState(LIMIT), Array<boolean>(10).fill(false));
    expect(sleptOften.budget).to.equal(USER_SPIN_FLOOR_ITERATIONS);
    expect(after(sleptOften, Array<boolean>(4).fill(true))).to.deep.equal({ budget: LIMIT, sleepStreak: 0 });
  });

  it("probes with a long poll once per run of sleeps, then falls back within the limit", () => {
    let state = after(initialSpinState(LIMIT), Array<boolean>(USER_SPIN_PROBE_AFTER_SLEEPS).fill(false));
    expect(state.budget).to.equal(USER_SPIN_PROBE_ITERATIONS);
    state = nextSpinState(state, false, LIMIT);
    expect(state.budget).to.be.at.most(LIMIT);
    const budgets = Array.from({ length: 4 * USER_SPIN_PROBE_AFTER_SLEEPS }, () => (state = nextSpinState(state, false, LIMIT)).budget);
    expect(budgets.filter((budget) => budget > LIMIT)).to.have.length(4);
  });

  it("a successful probe restores the full budget", () => {
    const probing = after(initialSpinState(LIMIT), Array<boolean>(USER_SPIN_PROBE_AFTER_SLEEPS).fill(false));
    expect(nextSpinState(probing, true, LIMIT)).to.deep.equal({ budget: LIMIT, sleepStreak: 0 });
  });

  it("never polls when the limit is 0 (pure sleep/wake)", () => {
    const outcomes = Array.from({ length: 3 * USER_SPIN_PROBE_AFTER_SLEEPS }, (_, index) => index % 5 === 0);
    let state = initialSpinState(0);
    for (const answered of outcomes) {
      state = nextSpinState(state, answered, 0);
      expect(state.budget).to.equal(0);
    }
  });

  it("never exceeds a limit below the floor", () => {
    const state = after(initialSpinState(100), [false, false, false, true, true], 100);
    expect(state.budget).to.be.at.most(100);
  });
});
