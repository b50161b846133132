// hello: prints a greeting and its arguments, then exits 0.
import { Console, Process } from "../../runtime/assembly";
export { cabi_realloc, deliver, dispatch, serve } from "../../runtime/assembly";

export function main(): i32 {
  Console.log("Hello from Singlet!");
  const args = Process.args();
  Console.log("args: " + (args.length > 0 ? args.join(" ") : "(none)"));
  return 0;
}
