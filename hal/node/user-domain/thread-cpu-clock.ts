// The CPU time one thread has used, as the kernel reads it for a user domain's CPU budget: on
// Linux, the thread's own line in /proc (user and system time, in clock ticks). Elsewhere there
// is no per-thread CPU clock Node can read, and the domain falls back to wall time.
import { closeSync, openSync, readFileSync, readSync } from "node:fs";

/**
 * Ticks per second of the times in /proc: USER_HZ, which Linux fixes at 100 for user space on
 * every architecture it runs on (the kernel's own HZ may differ; /proc converts).
 */
const CLOCK_TICKS_PER_SECOND = 100;

/** Fields of /proc/…/stat after the command name: utime is the 12th, stime the 13th (from state). */
const UTIME_FIELD = 11;
const STIME_FIELD = 12;

/** A stat line is a few hundred bytes; one read of this many holds it whole. */
const STAT_LINE_BYTES = 1024;

/** The calling thread's id, or 0 where the platform does not say (read in the domain's thread). */
export function currentThreadId(): number {
  try {
    return Number(readFileSync("/proc/thread-self/stat", "latin1").split(" ", 1)[0]) || 0;
  } catch {
    return 0;
  }
}

export class ThreadCpuClock {
  private readonly line = Buffer.alloc(STAT_LINE_BYTES);
  private last = 0;
  private closed = false;

  private constructor(private readonly descriptor: number) {}

  /** A clock for thread `threadId` of this process, or undefined where none can be read. */
  static forThread(threadId: number): ThreadCpuClock | undefined {
    if (threadId <= 0) return undefined;
    try {
      const clock = new ThreadCpuClock(openSync(`/proc/self/task/${threadId}/stat`, "r"));
      return clock.read() === undefined ? (clock.close(), undefined) : clock;
    } catch {
      return undefined;
    }
  }

  /** User plus system time of the thread, in milliseconds; the last reading once the thread is gone. */
  milliseconds(): number {
    return this.read() ?? this.last;
  }

  /** Whether the thread still exists: its stat line can no longer be read once it has exited. */
  alive(): boolean {
    return this.read() !== undefined;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    closeSync(this.descriptor);
  }

  private read(): number | undefined {
    if (this.closed) return undefined;
    try {
      const length = readSync(this.descriptor, this.line, 0, STAT_LINE_BYTES, 0);
      const text = this.line.toString("latin1", 0, length);
      // The command name may hold spaces and parentheses: the fields start after the last ')'.
      const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
      const ticks = Number(fields[UTIME_FIELD]) + Number(fields[STIME_FIELD]);
      if (!Number.isFinite(ticks)) return undefined;
      this.last = (ticks * 1000) / CLOCK_TICKS_PER_SECOND;
      return this.last;
    } catch {
      return undefined;
    }
  }
}
