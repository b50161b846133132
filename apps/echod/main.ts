// echod: a TCP echo server. Each connection gets an exchange-heap block; what arrives is received
// into it and sent on from it, so the bytes never enter the app's memory. Everything is an event,
// in both domains: a connection waiting (readable on the listener), data or the peer's end
// waiting (readable), room to send again after a short send (writable), a reset (closed). While a
// connection's peer does not read, echod stops reading from it too (its unsent bytes wait in the
// block), so a client that never reads slows only itself. A receive and the send of what it
// received go to the kernel together (a linked batch), queued with the process's next wait: in a
// user domain the echo and the wait for the next event are one crossing (batch.submit-and-wait),
// in the kernel domain one batch at the end of the delivery. With a limit N, after N connections the
// listener closes; once the last connection ends nothing can wake the process and it ends.
// With a service name as well, echod publishes it in the name service once it listens, and
// answers each connection there with its port (a block holding the port as text): a client
// finds a server started on port 0 without anyone choosing a port (the `npm start` demo).
import { Blocks, Capabilities, Channels, Console, describeError, Endpoint, EVENT_CLOSED, Names, Process, Socket, Sockets } from "../../runtime/assembly";
export { cabi_realloc, deliver, dispatch, serve } from "../../runtime/assembly";

/** Bytes one receive moves: a loopback read is rarely larger. */
const BLOCK_BYTES: u32 = 16 * 1024;
const WOULD_BLOCK: i32 = -11;

/** A connection's unsent bytes: `length` bytes at `offset` of its block. */
class Echo {
  block: u32 = 0;
  offset: u32 = 0;
  length: u32 = 0;
  /** The peer finished: close once the unsent bytes have gone. */
  ending: bool = false;
  /** An echo is queued with the next wait: its answer comes before the next event. */
  queued: bool = false;
}

const echoes = new Map<i32, Echo>();
let listener: Socket | null = null;
let port: u32 = 0;
let limit: i32 = 0;
let accepted: i32 = 0;
let finished: i32 = 0;
/** The name echod publishes its port under ("" for none), and the listener that name gave. */
let service = "";
let serviceListener: i32 = 0;

function finish(socket: Socket): void {
  const echo = echoes.get(socket.handle);
  echoes.delete(socket.handle);
  Capabilities.drop(echo.block);
  socket.close();
  finished++;
  if (limit > 0 && finished >= limit) Console.log("echod: served " + finished.toString() + " connections");
}

/** Counts what a send answered against the unsent bytes; false when the socket can take no more now. */
function sent(echo: Echo, result: i32): bool {
  if (result == WOULD_BLOCK) return false;
  if (result < 0) {
    // The peer is gone: nothing more can be echoed to it.
    echo.length = 0;
    echo.ending = true;
    return true;
  }
  echo.offset += <u32>result;
  echo.length -= <u32>result;
  return true;
}

/** Sends what is unsent; true when all of it went. */
function flush(socket: Socket, echo: Echo): bool {
  while (echo.length > 0) {
    if (!sent(echo, socket.sendBlock(echo.block, echo.offset, echo.length))) return false;
  }
  return true;
}

function onData(socket: Socket): void {
  const echo = echoes.get(socket.handle);
  // Unsent bytes wait for room: reading more now would only hold more. An echo already queued
  // reads what there is.
  if (echo.length > 0 || echo.queued) return;
  echo.queued = true;
  socket.receiveThenSendWithNextWait(echo.block, 0, BLOCK_BYTES, onEchoed);
}

/** The queued echo ran: what its receive and its send answered are on the socket. */
function onEchoed(socket: Socket): void {
  const echo = echoes.get(socket.handle);
  echo.queued = false;
  const received = socket.received;
  if (received == WOULD_BLOCK) return;
  if (received <= 0) {
    // The peer's end (0) or its failure: close once what is unsent has gone.
    finish(socket);
    return;
  }
  echo.offset = 0;
  echo.length = <u32>received;
  if (!sent(echo, socket.sent) || !flush(socket, echo)) return;
  if (echo.ending) {
    finish(socket);
    return;
  }
  // A receive that did not fill the block took everything there was: what arrives next is an
  // event of its own, so asking again now would only cost a kernel call. A full block may have
  // left more behind: that goes with the next wait too.
  if (<u32>received == BLOCK_BYTES) onData(socket);
}

function onRoom(socket: Socket): void {
  const echo = echoes.get(socket.handle);
  if (!flush(socket, echo)) return;
  if (echo.ending) finish(socket);
  // Data may have waited while the block was full: no new event says so.
  else onData(socket);
}

function onGone(socket: Socket): void {
  if (echoes.has(socket.handle)) finish(socket);
}

function onConnection(server: Socket): void {
  for (;;) {
    if (limit > 0 && accepted >= limit) return;
    const connection = server.accept();
    if (connection === null) return;
    accepted++;
    const block = Blocks.create(BLOCK_BYTES);
    if (block < 0) {
      Console.error("echod: no exchange heap for a connection: " + describeError(block));
      connection.close();
      continue;
    }
    const echo = new Echo();
    echo.block = <u32>block;
    echoes.set(connection.handle, echo);
    connection.onReadable(onData);
    connection.onWritable(onRoom);
    connection.onClosed(onGone);
    if (limit > 0 && accepted >= limit) {
      server.close();
      listener = null;
      // Nobody else will be served: the name goes too, or it would keep the process alive.
      if (serviceListener > 0) Capabilities.drop(<u32>serviceListener);
      serviceListener = 0;
      return;
    }
  }
}

/** A connection on the published name (message 0 carries its server end): tell it the port, then hang up. */
function onPortAsked(names: Endpoint, message: u32, connection: u32): void {
  if (names.event == EVENT_CLOSED || connection == 0) return;
  const portText = Blocks.fromText(port.toString());
  if (portText >= 0 && Channels.send(connection, 0, <u32>portText) < 0) Capabilities.drop(<u32>portText);
  Capabilities.drop(connection);
}

function onListening(server: Socket): void {
  port = <u32>server.localPort();
  Console.log("echod: listening on 127.0.0.1 port " + port.toString());
  if (service.length == 0 || listener === null) return;
  serviceListener = Names.publish(service);
  if (serviceListener < 0) {
    Console.error("echod: cannot publish " + service + ": " + describeError(serviceListener));
    Process.exit(1);
    return;
  }
  Channels.subscribe(<u32>serviceListener, onPortAsked);
}

function onListenerFailed(server: Socket): void {
  Console.error("echod: cannot listen on port " + port.toString() + ": " + describeError(server.localPort()));
  Process.exit(1);
}

export function main(): i32 {
  const args = Process.args();
  if (args.length < 1) {
    Console.error("usage: echod PORT [CONNECTIONS [SERVICE]]");
    return 2;
  }
  port = <u32>parseInt(args[0]);
  if (args.length > 1) limit = <i32>parseInt(args[1]);
  if (args.length > 2) service = args[2];
  const server = Sockets.listen("127.0.0.1", port);
  if (!server.ok) {
    Console.error("echod: cannot listen on port " + port.toString() + ": " + describeError(server.handle));
    return 1;
  }
  listener = server;
  server.onReadable(onConnection);
  server.onWritable(onListening);
  server.onClosed(onListenerFailed);
  return 0;
}
