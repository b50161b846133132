// The kernel side's longer poll after waking a sleeping user side, and its back-off: it pays when
// the user side answers within the window (both sides return to polling), and only costs the
// main thread when the machine is oversubscribed and the woken thread cannot even get a CPU.
import { KERNEL_WAKE_POLL_MAXIMUM_SKIPS } from "../params.js";

export class WakePollBackoff {
  /** Wake-ups to let pass with the normal window before trying the long one again. */
  private skips = 0;
  private backoff = 0;

  /** After an answer that woke the user side: whether to poll the long window for its next trap. */
  shouldPollLong(): boolean {
    if (this.skips === 0) return true;
    this.skips--;
    return false;
  }

  /** The next trap came within the long window: keep using it. */
  succeeded(): void {
    this.backoff = 0;
  }

  /** The long window ran out: skip it for twice as many wake-ups as last time, up to a bound. */
  failed(): void {
    this.backoff = Math.min(KERNEL_WAKE_POLL_MAXIMUM_SKIPS, Math.max(1, this.backoff * 2));
    this.skips = this.backoff;
  }
}
