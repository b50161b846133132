// kv-client: connects to the 'kv' service through the name service and runs a short KeyValue
// conversation, one step per reply (its end subscribed: each reply arrives received), so the same
// binary runs in either domain: put name-VALUE=VALUE, get name-VALUE, get a key nobody put, bye.
// If the service is not published yet it tries again a little later.
import { Blocks, Capabilities, Channels, Console, describeError, Endpoint, EVENT_CLOSED, Mode, Names, Process } from "../../runtime/assembly";
export { cabi_realloc, deliver, dispatch, serve } from "../../runtime/assembly";
import { KeyValue } from "../contracts/key-value.generated";

let value = "";
let step = 0;
let name = "";
/** Each client its own key, so two clients never read each other's value. */
let key = "";

function onReply(server: Endpoint, reply: u32, attachment: u32): void {
  if (server.event == EVENT_CLOSED) return;
  if (step == 0) {
    Console.log(name + ": put " + key + "=" + value + " -> " + KeyValue.messageName(reply));
    KeyValue.sendGet(server.handle, <u32>Blocks.fromText(key));
  } else if (step == 1) {
    Console.log(name + ": get " + key + " -> " + (reply == KeyValue.VALUE ? Blocks.takeText(attachment) : KeyValue.messageName(reply)));
    KeyValue.sendGet(server.handle, <u32>Blocks.fromText("nobody-put-this"));
  } else {
    Console.log(name + ": get nobody-put-this -> " + (reply == KeyValue.VALUE ? Blocks.takeText(attachment) : KeyValue.messageName(reply)));
    KeyValue.sendBye(server.handle);
    // Dropping the endpoint closes the channel: the server hears of it, and this process, holding
    // nothing that can wake it, ends.
    Capabilities.drop(server.handle);
  }
  step++;
}

function onConnected(server: i32): void {
  if (server < 0) {
    Console.error(name + ": cannot connect to kv: " + describeError(server));
    Process.exit(1);
    return;
  }
  Channels.subscribe(<u32>server, onReply);
  KeyValue.sendPut(<u32>server, <u32>Blocks.fromText(key + "=" + value));
}

export function main(): i32 {
  const args = Process.args();
  value = args.length > 0 ? args[0] : "anonymous";
  key = "name-" + value;
  name = "kv-client " + value + (Mode.isKernel() ? " (kernel domain)" : " (user domain)");
  Names.connectWhenPublished("kv", onConnected);
  return 0;
}
