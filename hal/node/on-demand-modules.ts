// Node modules the HAL loads at first use rather than when it is made. A `singlet run` of a
// kernel-domain app never starts a thread or opens a UDP socket, and loading these (with Node's
// internals behind them) cost about 2.3 ms of that run's start (docs/startup.md).
import { createRequire } from "node:module";

type WorkerThreads = typeof import("node:worker_threads");
type Datagrams = typeof import("node:dgram");

const load = createRequire(import.meta.url);
let workerThreadsModule: WorkerThreads | undefined;
let datagramsModule: Datagrams | undefined;

export function workerThreads(): WorkerThreads {
  return workerThreadsModule ??= load("node:worker_threads") as WorkerThreads;
}

export function datagramSockets(): Datagrams {
  return datagramsModule ??= load("node:dgram") as Datagrams;
}
