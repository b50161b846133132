// The kernel's handle on one domain thread: its Worker, the port that carries its domain boots
// and instantiation requests, and the doorbell it sleeps on between domains. A thread may serve
// several domains one after another (thread-succession.ts); the pool (worker-pool.ts) decides.
import type { MessagePort, Worker } from "node:worker_threads";
import { workerThreads } from "../on-demand-modules.js";
import type { DomainBootData } from "./domain-thread.js";
import { DOORBELL_WORD, type DomainBootMessage, type ThreadBootData } from "./thread-succession.js";

export class PooledThread {
  /** The kernel's end of the thread's port; the kernel only ever posts on it. */
  readonly port: MessagePort;
  private readonly doorbell = new Int32Array(new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT));
  /** Domains the thread served before the current one. */
  private served = 0;
  /** The call table the thread holds: a boot with the same one leaves it out. */
  private callsSent: DomainBootData["calls"] | undefined;

  constructor(readonly worker: Worker) {
    const { port1, port2 } = new (workerThreads().MessageChannel)();
    this.port = port1;
    // The kernel never listens on its end; it must not keep the host process alive.
    this.port.unref();
    const boot: ThreadBootData = { port: port2, doorbell: this.doorbell.buffer as SharedArrayBuffer };
    worker.postMessage(boot, [port2]);
  }

  /** Node's id of the thread: the same for every domain it serves. */
  get id(): number {
    return this.worker.threadId;
  }

  /** Domains this thread served before the one it serves now. */
  get domainsBefore(): number {
    return this.served;
  }

  /** Hands the thread its next domain: the boot goes on the port, then the doorbell wakes the thread. */
  boot(domain: DomainBootData): void {
    const { calls, ...rest } = domain;
    const message: DomainBootMessage = calls === this.callsSent ? rest : domain;
    this.callsSent = calls;
    this.port.postMessage(message);
    Atomics.add(this.doorbell, DOORBELL_WORD, 1);
    Atomics.notify(this.doorbell, DOORBELL_WORD);
  }

  /** Its domain ended cleanly and released it: the thread is back at its doorbell. */
  domainReleased(): void {
    this.served++;
  }

  /** Stops the thread, whatever it is doing; settles once it has exited. */
  terminate(): Promise<number> {
    this.port.close();
    return this.worker.terminate();
  }
}
