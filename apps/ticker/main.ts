// ticker: a periodic timer. `main` starts it and returns; each tick arrives as an event, and after
// the last one the app cancels the timer, which leaves the process nothing to wait for: it ends
// with main's exit code (docs/process-model.md). Prints the same lines in either domain.
import { Console, describeError, Process, Timer } from "../../runtime/assembly";
export { cabi_realloc, deliver, dispatch, serve } from "../../runtime/assembly";

let ticks: u32 = 5;

function tick(timer: Timer): void {
  Console.log("tick " + timer.fired.toString() + " of " + ticks.toString());
  if (timer.fired >= ticks) {
    timer.cancel();
    Console.log("ticker: done");
  }
}

export function main(): i32 {
  const args = Process.args();
  let interval: u64 = 100;
  if (args.length > 0) ticks = <u32>parseInt(args[0]);
  if (args.length > 1) interval = <u64>parseInt(args[1]);
  if (ticks == 0 || interval == 0) {
    Console.error("usage: ticker [ticks > 0] [milliseconds > 0]");
    return 2;
  }
  const timer = Timer.every(interval, tick);
  if (!timer.ok) {
    Console.error("ticker: the kernel refused the timer: " + describeError(timer.handle));
    return 1;
  }
  Console.log("ticker: " + ticks.toString() + " ticks " + interval.toString() + " ms apart");
  return 0;
}
