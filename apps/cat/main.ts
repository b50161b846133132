// cat: prints each file named as an argument, in order; a file it cannot read is reported and
// the rest are still printed (exit 1 then).
import { Console, errorMessage, Files, Output, Process } from "../../runtime/assembly";
export { cabi_realloc, deliver, dispatch, serve } from "../../runtime/assembly";

export function main(): i32 {
  const args = Process.args();
  if (args.length == 0) {
    Console.error("usage: cat FILE...");
    return 2;
  }
  let code = 0;
  for (let index = 0; index < args.length; index++) {
    const file = Files.open(args[index], Files.READ);
    let text: string | null = null;
    if (file !== null) {
      text = file.readText();
      file.close();
    }
    if (text === null) {
      Console.error("cat: " + args[index] + ": " + errorMessage(Files.lastError));
      code = 1;
      continue;
    }
    Output.text(<string>text);
  }
  return Output.finish(code);
}
