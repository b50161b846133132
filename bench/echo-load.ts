// The echo benchmark's load generator, run in a worker thread so its sockets do not share the
// server's event loop: CLIENTS connections, each making round trips of one small payload, one at
// a time, until it has made its share or the time bound passes. Posts each round trip's latency.
import { connect, type Socket } from "node:net";
import { parentPort, workerData } from "node:worker_threads";

export interface LoadRequest {
  readonly port: number;
  readonly clients: number;
  readonly roundTripsPerClient: number;
  readonly payloadBytes: number;
  /** Stops early past this many milliseconds, whatever was made by then. */
  readonly timeLimitMilliseconds: number;
}

export interface LoadResult {
  /** Nanoseconds of each round trip, every client's together. */
  readonly latencies: number[];
  /** Milliseconds from the first connection made to the last round trip done. */
  readonly elapsedMilliseconds: number;
}

function connected(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: "127.0.0.1", noDelay: true }, () => resolve(socket));
    socket.once("error", reject);
  });
}

async function drive(request: LoadRequest): Promise<LoadResult> {
  const sockets = await Promise.all(Array.from({ length: request.clients }, () => connected(request.port)));
  const payload = Buffer.alloc(request.payloadBytes, 0x61);
  const latencies: number[] = [];
  const started = performance.now();
  const deadline = started + request.timeLimitMilliseconds;
  await Promise.all(sockets.map((socket) => new Promise<void>((resolve, reject) => {
    let made = 0;
    let received = 0;
    let sentAt = 0n;
    const send = () => {
      if (made >= request.roundTripsPerClient || performance.now() > deadline) {
        socket.end();
        resolve();
        return;
      }
      received = 0;
      sentAt = process.hrtime.bigint();
      socket.write(payload);
    };
    socket.on("data", (data: Buffer) => {
      received += data.length;
      if (received < payload.length) return;
      latencies.push(Number(process.hrtime.bigint() - sentAt));
      made++;
      send();
    });
    socket.once("error", reject);
    send();
  })));
  const elapsedMilliseconds = performance.now() - started;
  for (const socket of sockets) socket.destroy();
  return { latencies, elapsedMilliseconds };
}

if (parentPort) {
  const port = parentPort;
  drive(workerData as LoadRequest).then((result) => port.postMessage(result), (error: Error) => port.postMessage({ error: error.message }));
}
