// fault: traps on purpose (an out-of-bounds memory access) after printing one line.
import { Console, Process } from "../../runtime/assembly";
export { cabi_realloc, deliver, dispatch, serve } from "../../runtime/assembly";

function readFarAway(address: usize): u32 {
  // Far past the module's maximum memory: the access traps.
  return load<u32>(address);
}

export function main(): i32 {
  Console.log("fault: about to touch memory that does not exist");
  const args = Process.args();
  if (args.length > 0 && args[0] == "abort") {
    assert(false, "fault asked to abort");
  }
  return <i32>readFarAway(0xfff0_0000);
}
