// Conformance of the kernel side's long poll after a wake-up: used while it pays, backed off
// (boundedly) while it does not.
import { expect } from "chai";
import { KernelPollWindow, WakePollBackoff } from "../../hal/node/user-domain/index.js";
import { KERNEL_WAKE_POLL_MAXIMUM_SKIPS } from "../../hal/node/params.js";

/** How many wake-ups pass with the normal window before the long one is tried again. */
function skippedBeforeNextLongPoll(backoff: WakePollBackoff): number {
  let skipped = 0;
  while (!backoff.shouldPollLong()) skipped++;
  return skipped;
}

describe("hal kernel-side poll after a wake-up", () => {
  it("polls long after every wake-up while the user side's next trap comes within the window", () => {
    const backoff = new WakePollBackoff();
    for (let wake = 0; wake < 10; wake++) {
      expect(backoff.shouldPollLong()).to.equal(true);
      backoff.succeeded();
    }
  });

  it("skips 1, 2, 4, ... wake-ups after long polls that ran out, up to the bound", () => {
    const backoff = new WakePollBackoff();
    expect(backoff.shouldPollLong()).to.equal(true);
    const skips: number[] = [];
    for (let failure = 0; failure < 9; failure++) {
      backoff.failed(); // the long poll last granted ran out
      skips.push(skippedBeforeNextLongPoll(backoff)); // and ends by granting the next one
    }
    expect(skips).to.deep.equal([1, 2, 4, 8, 16, 32, 64, 128, 256].map((skip) => Math.min(skip, KERNEL_WAKE_POLL_MAXIMUM_SKIPS)));
  });

  it("goes back to polling long after every wake-up once a long poll pays again", () => {
    const backoff = new WakePollBackoff();
    for (let failure = 0; failure < 5; failure++) { backoff.shouldPollLong(); backoff.failed(); }
    skippedBeforeNextLongPoll(backoff);
    backoff.succeeded();
    expect(backoff.shouldPollLong()).to.equal(true);
  });

  it("opens the normal window after a pass that found the user side awake, the long one after waking it, and backs the long one off when it runs out", () => {
    const window = new KernelPollWindow(0.02, 0.1);
    window.passed(false);
    expect(window.open(1000)).to.equal(1000.02);
    window.passed(true);
    expect(window.open(1000)).to.equal(1000.1);
    window.ranOut();
    // Backed off: the next wake-up gets the normal window, the one after the long one again.
    expect(window.open(2000)).to.equal(2000.02);
    expect(window.open(3000)).to.equal(3000.1);
    window.caught();
    expect(window.open(4000)).to.equal(4000.1);
  });

  it("stays without polling when the normal window is 0, woken or not", () => {
    const window = new KernelPollWindow(0, 0.1);
    window.passed(true);
    expect(window.open(1000)).to.equal(1000);
  });
});
