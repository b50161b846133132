// The channel benchmark's AssemblyScript pair: the request/reply of channel-apps.ts written with the
// runtime's `Channels.subscribe`, as an app author would, compiled at bench time. Each side's
// messages arrive received through the runtime's `deliver` in the kernel domain.
import { RUNTIME_IMPORT, compileAssemblyScriptSource } from "../runtime/toolchain/compile-source.js";
import { SERVICE_NAME } from "./channel-apps.js";

/**
 * The AssemblyScript of a service's start: main publishes `name` and subscribes its listener, and
 * each connection's server end is subscribed to `onRequest`, which the source defines, as it
 * defines the global `listener`.
 */
export function subscribedService(name: string): string {
  return `
function onConnection(endpoint: Endpoint, message: u32, serverEnd: u32): void {
  if (endpoint.event != EVENT_CLOSED) Channels.subscribe(serverEnd, onRequest);
}

export function main(): i32 {
  const published = Names.publish("${name}");
  if (published < 0) return 1;
  listener = <u32>published;
  return Channels.subscribe(listener, onConnection);
}
`;
}

/** Answers each request with message 1; when its one client closes, drops everything and ends. */
const SERVER = `
import { Capabilities, Channels, EVENT_CLOSED, Endpoint, Names } from "${RUNTIME_IMPORT}";
export { cabi_realloc, deliver, dispatch, serve } from "${RUNTIME_IMPORT}";

let listener: u32 = 0;

function onRequest(client: Endpoint, message: u32, attachment: u32): void {
  if (client.event == EVENT_CLOSED) {
    Capabilities.drop(client.handle);
    Capabilities.drop(listener);
    return;
  }
  Channels.send(client.handle, 1);
}
${subscribedService(SERVICE_NAME)}`;

/** Makes its first argument's number of requests, each sent when the previous reply arrived, then closes. */
const CLIENT = `
import { Capabilities, Channels, EVENT_CLOSED, Endpoint, Names, Process } from "${RUNTIME_IMPORT}";
export { cabi_realloc, deliver, dispatch, serve } from "${RUNTIME_IMPORT}";

let left: i32 = 0;

function onReply(server: Endpoint, message: u32, attachment: u32): void {
  if (server.event == EVENT_CLOSED) return;
  left--;
  if (left == 0) Capabilities.drop(server.handle);
  else Channels.send(server.handle, 0);
}

export function main(): i32 {
  left = <i32>parseInt(Process.args()[0]);
  const server = Names.connect("${SERVICE_NAME}");
  if (server < 0) return 2;
  Channels.subscribe(<u32>server, onReply);
  Channels.send(<u32>server, 0);
  return 0;
}
`;

/** The pair's core modules. */
export async function compileSubscribedPair(): Promise<{ server: Uint8Array<ArrayBuffer>; client: Uint8Array<ArrayBuffer> }> {
  return { server: await compileAssemblyScriptSource("ping-server", SERVER), client: await compileAssemblyScriptSource("ping-client", CLIENT) };
}
