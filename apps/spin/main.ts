// spin: loops forever. The kernel must stop it (fuel in kernel mode, a CPU budget in user mode).
import { Console } from "../../runtime/assembly";
export { cabi_realloc, deliver, dispatch, serve } from "../../runtime/assembly";

let counter: u64 = 0;

export function main(): i32 {
  Console.log("spin: starting an endless loop");
  while (true) {
    counter++;
  }
  return 0;
}
