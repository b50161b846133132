// How long the kernel thread polls for a domain's next message after passing it the baton: the
// normal window, or a longer one after waking a sleeping user side, with its back-off. The long
// window pays when the user side answers within it (both sides return to polling), and only costs
// the main thread when the machine is oversubscribed and the woken thread cannot even get a CPU.
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

/**
 * The kernel thread's polling window for one domain. No polling at all (a normal window of 0)
 * stays no polling: pure sleep/wake.
 */
export class KernelPollWindow {
  private readonly backoff = new WakePollBackoff();
  /** The last pass had to wake the user side: its next message comes no sooner than a wake-up. */
  private wokeSleeper = false;
  /** Whether the window open now is the long one after a wake-up. */
  private long = false;

  constructor(private readonly pollMilliseconds: number, private readonly afterWakeMilliseconds: number) {}

  /** The baton went to the domain; `wokeSleeper`: its thread slept and had to be woken. */
  passed(wokeSleeper: boolean): void {
    this.wokeSleeper = wokeSleeper;
  }

  /**
   * Opens a window counted from `since` (the last pass, where the domain's next message starts
   * from): the time until which to poll. After a pass that woke a sleeping user side its next
   * message comes a wake-up later: the window is long enough to catch it, or both sides end up
   * waking each other on every call.
   */
  open(since: number): number {
    this.long = this.pollMilliseconds > 0 && this.wokeSleeper && this.backoff.shouldPollLong();
    return since + (this.long ? Math.max(this.afterWakeMilliseconds, this.pollMilliseconds) : this.pollMilliseconds);
  }

  /** The window ran out before the message came. */
  ranOut(): void {
    if (this.long) this.backoff.failed();
    this.long = false;
  }

  /** The message came within the window. */
  caught(): void {
    if (this.long) this.backoff.succeeded();
    this.long = false;
  }
}
