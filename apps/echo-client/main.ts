// echo-client: sends one line to an echo server and prints the answer. Event-driven, so the same
// binary runs in both domains: connected (writable) → send and half-close; readable → receive
// into a block until the server's end, then print what came back. The server is a port, or the
// name an echod published its port under (asked again a little later while it is not there yet).
import { Blocks, Capabilities, Channels, Console, describeError, Endpoint, EVENT_CLOSED, Names, Process, Socket, Sockets } from "../../runtime/assembly";
export { cabi_realloc, deliver, dispatch, serve } from "../../runtime/assembly";

const BLOCK_BYTES: u32 = 4096;
const WOULD_BLOCK: i32 = -11;

let line = "";
let block: u32 = 0;
let received: u32 = 0;
let sent: i32 = 0;
let exitCode: i32 = 0;
let service = "";

function onConnected(socket: Socket): void {
  if (sent > 0) return;
  const bytes = Uint8Array.wrap(String.UTF8.encode(line));
  sent = socket.send(bytes);
  if (sent < bytes.length) {
    Console.error("echo-client: sent " + sent.toString() + " of " + bytes.length.toString() + " bytes");
    exitCode = 1;
  }
  socket.shutdown();
}

function onAnswer(socket: Socket): void {
  for (;;) {
    const count = socket.receive(block, received, BLOCK_BYTES - received);
    if (count == WOULD_BLOCK) return;
    if (count < 0) {
      Console.error("echo-client: the connection failed: " + describeError(count));
      socket.close();
      Process.exit(1);
      return;
    }
    if (count == 0 || received + <u32>count >= BLOCK_BYTES) {
      received += <u32>count;
      Console.log("echo-client: " + String.UTF8.decode(Blocks.read(block, 0, received).buffer));
      socket.close();
      Process.exit(exitCode);
      return;
    }
    received += <u32>count;
  }
}

function onFailed(socket: Socket): void {
  Console.error("echo-client: cannot connect: " + describeError(socket.receive(block, 0, 1)));
  socket.close();
  Process.exit(1);
}

function connectTo(port: u32): void {
  const socket = Sockets.connect("127.0.0.1", port);
  if (!socket.ok) {
    Console.error("echo-client: cannot connect: " + describeError(socket.handle));
    Process.exit(1);
    return;
  }
  socket.onWritable(onConnected);
  socket.onReadable(onAnswer);
  socket.onClosed(onFailed);
}

/** The server's answer on the name: one message carrying its port as text. */
function onPort(server: Endpoint, message: u32, portText: u32): void {
  if (server.event == EVENT_CLOSED || portText == 0) {
    if (server.event == EVENT_CLOSED) return;
    Console.error("echo-client: " + service + " sent no port");
    Process.exit(1);
    return;
  }
  const port = <u32>parseInt(Blocks.takeText(portText));
  Capabilities.drop(server.handle);
  connectTo(port);
}

function onServiceConnected(server: i32): void {
  if (server < 0) {
    Console.error("echo-client: cannot find " + service + ": " + describeError(server));
    Process.exit(1);
    return;
  }
  Channels.subscribe(<u32>server, onPort);
}

export function main(): i32 {
  const args = Process.args();
  if (args.length < 2) {
    Console.error("usage: echo-client PORT|SERVICE WORDS...");
    return 2;
  }
  line = args.slice(1).join(" ");
  const created = Blocks.create(BLOCK_BYTES);
  if (created < 0) return 1;
  block = <u32>created;
  const port = parseInt(args[0]);
  if (isNaN(port)) {
    service = args[0];
    Names.connectWhenPublished(service, onServiceConnected);
  } else {
    connectTo(<u32>port);
  }
  return 0;
}
