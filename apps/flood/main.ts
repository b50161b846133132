// flood: writes `lines` lines of `width` units (arguments; 1000 and 100 by default), each line
// starting with `tag` when a third argument gives one, then one line on stderr saying how its
// writes went, and exits 0.
//
// A refused write (would-block: the process's output queue is full) reaches only an in-kernel
// process: in a user domain the kernel parks the write until there is room, so the app simply
// goes at the reader's pace (the retry below is kept for a kernel that answers otherwise). In
// the kernel domain nothing drains until `main` returns, so trying again would only burn fuel:
// the app counts the rest of the line as refused and moves on. A closed stream (peer-closed)
// ends the writing.
import { Console, Mode, Process } from "../../runtime/assembly";
export { cabi_realloc, deliver, dispatch, serve } from "../../runtime/assembly";

/** docs/abi/errors.md: the output queue is full. */
const WOULD_BLOCK: i32 = -11;

function lineOf(width: i32, tag: string): string {
  const words = (tag.length > 0 ? tag + " " : "") + "flood ".repeat(<i32>(width / 6) + 1);
  return words.substring(0, width - 1) + "\n";
}

export function main(): i32 {
  const args = Process.args();
  const lines = args.length > 0 ? I32.parseInt(args[0]) : 1000;
  const width = args.length > 1 ? I32.parseInt(args[1]) : 100;
  const line = lineOf(width, args.length > 2 ? args[2] : "");
  const retry = !Mode.isKernel();
  let written: u64 = 0;
  let refused: u64 = 0;
  let wouldBlock: u64 = 0;
  let stoppedBy: i32 = 0;
  for (let index = 0; index < lines && stoppedBy == 0; index++) {
    let rest = line;
    while (rest.length > 0) {
      const result = Console.write(rest);
      if (result >= 0) {
        written += <u64>result;
        rest = rest.substring(result);
        continue;
      }
      if (result == WOULD_BLOCK) {
        wouldBlock++;
        if (retry) {
          continue;
        }
      } else {
        stoppedBy = result;
      }
      refused += <u64>rest.length;
      break;
    }
  }
  Console.error("flood: wrote " + written.toString() + " units, refused " + refused.toString() +
    ", would-block " + wouldBlock.toString() + (stoppedBy != 0 ? ", stopped by error " + (-stoppedBy).toString() : ""));
  return 0;
}
