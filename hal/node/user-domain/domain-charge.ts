// What a user domain is charged against its CPU budget: its thread's CPU time since the thread
// became ready (Linux: the thread's own clock; elsewhere the wall time the domain held the baton)
// plus the kernel's time serving its kernel calls. The baton's comings and goings are reported
// here by the domain; waiting (a parked call, a domain between calls) is charged to no one.
import { performance } from "node:perf_hooks";
import { ThreadCpuClock } from "./thread-cpu-clock.js";

/**
 * How recent a reading of the charge may be to serve as an entry's starting point. Reading the
 * thread's CPU clock costs about 5 µs (a read of /proc), more than the rest of a user domain's
 * `events.wait` that finds an event queued, and the clock moves in 10 ms ticks anyway. The charge
 * only grows, so an older reading is never larger: the budget then counts the same or up to this
 * much more of the process's time, never less.
 */
const ENTRY_START_READING_REUSE_MILLISECONDS = 1;

export class DomainCharge {
  /** Wall time the domain held the baton: the measure where no thread CPU clock can be read. */
  private wallMilliseconds = 0;
  private cpuClock: ThreadCpuClock | undefined;
  private cpuAtReady = 0;
  private kernelWorkMilliseconds = 0;
  /** When the kernel last took the baton. */
  private batonTakenAt = 0;
  /** Set while the domain holds the baton: when it got it. */
  userSince: number | undefined;
  /** What was charged when the process last asked for an event: its budget counts from there. */
  private chargedAtLastWait = 0;
  /** The reading entryBegins took last, and when. */
  private entryStartReading = 0;
  private entryStartReadAt = Number.NEGATIVE_INFINITY;

  /** The domain's thread is up (its operating-system id, 0 when unknown): from now on its CPU time is the process's. */
  threadReady(threadId: number): void {
    this.cpuClock = ThreadCpuClock.forThread(threadId);
    this.cpuAtReady = this.cpuClock?.milliseconds() ?? 0;
  }

  /** The domain gets the baton at `now`; `answersKernelCall`: the kernel's time since it took the baton served the domain. */
  passedToDomain(now: number, answersKernelCall: boolean): void {
    if (answersKernelCall) this.kernelWorkMilliseconds += now - this.batonTakenAt;
    this.userSince = now;
  }

  /** The kernel took the baton back at `now`. */
  tookBaton(now: number): void {
    if (this.userSince !== undefined) this.wallMilliseconds += now - this.userSince;
    this.userSince = undefined;
    this.batonTakenAt = now;
  }

  /** A kernel call is left waiting: the kernel's work on it so far is charged, the wait is not. */
  parked(): void {
    this.kernelWorkMilliseconds += performance.now() - this.batonTakenAt;
  }

  /** The process asks for its next event: its CPU budget counts from here (sinceLastWait). */
  entryBegins(): void {
    const now = performance.now();
    if (now - this.entryStartReadAt >= ENTRY_START_READING_REUSE_MILLISECONDS) {
      this.entryStartReading = this.charged();
      this.entryStartReadAt = now;
    }
    this.chargedAtLastWait = this.entryStartReading;
  }

  /** The kernel takes a parked call up again. */
  resumed(): void {
    this.batonTakenAt = performance.now();
  }

  /** The thread is not up yet: what passes now is start-up, nobody's. */
  restartWithoutCharge(now: number): void {
    this.userSince = now;
  }

  /** Whether the domain's thread still exists; true where there is no clock to ask. */
  threadAlive(): boolean {
    return this.cpuClock?.alive() ?? true;
  }

  charged(): number {
    const own = this.cpuClock
      ? this.cpuClock.milliseconds() - this.cpuAtReady
      : this.wallMilliseconds + (this.userSince !== undefined ? performance.now() - this.userSince : 0);
    return own + this.kernelWorkMilliseconds;
  }

  /** What the budget holds against the process: its charge since it last asked for an event (or since it started). */
  sinceLastWait(): number {
    return this.charged() - this.chargedAtLastWait;
  }

  /** The domain is stopping: charge what ran, keep the last reading, let the clock go. */
  stop(): void {
    if (this.userSince !== undefined) this.wallMilliseconds += performance.now() - this.userSince;
    this.userSince = undefined;
    this.cpuClock?.milliseconds();
    this.cpuClock?.close();
  }
}
