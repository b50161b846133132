// Buffered console output for apps that print a lot (find, cat): lines gather and go to the
// console a few KiB at a time. In the kernel domain a full output queue answers wouldBlock, so
// `flush` can stop short; the app then defers its remaining work (Scheduler.defer) and flushes
// again later. In a user domain the write waits for room instead, so `flush` finishes.
import * as consoleCalls from "./bindings/console.generated";
import * as processCalls from "./bindings/process.generated";
import { Scheduler } from "./events";

/** console.write's answer when the queue is full (the kernel domain's; a user domain waits). */
const WOULD_BLOCK: i32 = -11;

/** UTF-16 units gathered before a write: one crossing carries this many. */
const FLUSH_UNITS: i32 = 8 * 1024;

export class Output {
  /** Made at the first line, not at start: an app that never prints this way gets no start code from it. */
  private static parts: Array<string> | null = null;
  private static units: i32 = 0;
  /** Text a short write left over, written before anything gathered after it. */
  private static rest: string = "";

  /** Queues `text` and a newline; writes when enough has gathered. False when the console is full for now. */
  static line(text: string): bool {
    const parts = Output.gathered();
    parts.push(text);
    parts.push("\n");
    Output.units += text.length + 1;
    return Output.units >= FLUSH_UNITS ? Output.flush() : true;
  }

  /** Queues `text` as it is; as `line`. */
  static text(text: string): bool {
    Output.gathered().push(text);
    Output.units += text.length;
    return Output.units >= FLUSH_UNITS ? Output.flush() : true;
  }

  /**
   * Ends the app with `code` once everything queued is written: returns `code` for main to return
   * when it went at once; otherwise defers until the console takes the rest, then exits.
   */
  static finish(code: i32): i32 {
    Output.exitCode = code;
    if (!Output.flush()) Scheduler.defer(Output.retryFinish);
    return code;
  }

  private static exitCode: i32 = 0;

  private static gathered(): Array<string> {
    let parts = Output.parts;
    if (parts === null) Output.parts = parts = new Array<string>();
    return parts;
  }

  private static retryFinish(): void {
    if (Output.flush()) processCalls.exit(Output.exitCode);
    else Scheduler.defer(Output.retryFinish);
  }

  /** Writes what has gathered: true when all of it went, false when the console is full for now. */
  static flush(): bool {
    if (Output.units > 0) {
      const parts = Output.gathered();
      Output.rest += parts.join("");
      parts.length = 0;
      Output.units = 0;
    }
    while (Output.rest.length > 0) {
      const taken = consoleCalls.write(Output.rest);
      if (taken == 0 || taken == WOULD_BLOCK) return false;
      // The reader has gone (peerClosed): nothing will ever take the rest.
      if (taken < 0) {
        Output.rest = "";
        return true;
      }
      Output.rest = Output.rest.substring(taken);
    }
    return true;
  }
}
