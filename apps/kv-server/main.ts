// kv-server: publishes the service 'kv' and answers KeyValue requests (apps/contracts/key-value.json;
// key-value.generated.ts beside it has the typed sends), one channel per client. Keys and values travel in exchange-heap blocks.
// Each client's end is subscribed: its requests arrive already received (Channels.subscribe).
// After N clients have said goodbye it drops its listener, holds nothing more, and ends.
import { Blocks, Capabilities, Channels, Console, describeError, Endpoint, EVENT_CLOSED, Names, Process } from "../../runtime/assembly";
export { cabi_realloc, deliver, dispatch, serve } from "../../runtime/assembly";
import { KeyValue } from "../contracts/key-value.generated";


const store = new Map<string, string>();
let listener: u32 = 0;
let expected: i32 = 2;
let finished: i32 = 0;

function onRequest(client: Endpoint, request: u32, attachment: u32): void {
  if (client.event == EVENT_CLOSED) {
    Capabilities.drop(client.handle);
    finished++;
    if (finished >= expected) {
      Console.log("kv-server: served " + finished.toString() + " clients, closing");
      Capabilities.drop(listener);
    }
    return;
  }
  if (request == KeyValue.PUT) {
    const entry = Blocks.takeText(attachment);
    const split = entry.indexOf("=");
    store.set(entry.substring(0, split), entry.substring(split + 1));
    KeyValue.sendOk(client.handle);
  } else if (request == KeyValue.GET) {
    const key = Blocks.takeText(attachment);
    if (store.has(key)) KeyValue.sendValue(client.handle, <u32>Blocks.fromText(store.get(key)));
    else KeyValue.sendMissing(client.handle);
  }
}

/** Each connection is message 0 on the listener, carrying the server end of the client's channel. */
function onConnection(listener: Endpoint, message: u32, serverEnd: u32): void {
  if (listener.event != EVENT_CLOSED) Channels.subscribe(serverEnd, onRequest);
}

export function main(): i32 {
  const args = Process.args();
  if (args.length > 0) expected = <i32>parseInt(args[0]);
  const published = Names.publish("kv", "KeyValue");
  if (published < 0) {
    Console.error("kv-server: cannot publish 'kv': " + describeError(published));
    return 1;
  }
  listener = <u32>published;
  Channels.subscribe(listener, onConnection);
  Console.log("kv-server: serving kv for " + expected.toString() + " clients");
  return 0;
}
