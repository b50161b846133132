// Threads for user domains. Starting a Worker costs tens of milliseconds, most of it before the
// module is even seen, so the pool can keep a few started, idle threads that wait for their boot
// message; taking one costs a postMessage. Idle threads are unref'd: they never keep the host
// process alive.
import { Worker } from "node:worker_threads";
import { USER_DOMAIN_OLD_GENERATION_MEGABYTES } from "../params.js";

/** The thread's entry module: the trap stubs and the entry runner. */
export const DOMAIN_THREAD_SCRIPT = new URL("./worker-main.js", import.meta.url);

export class WorkerPool {
  private readonly idle: Worker[] = [];
  private closed = false;

  /**
   * `size` idle threads are kept started; 0 starts each thread on demand. `script` is the thread's
   * entry module; tests give one that wraps the real one to make threads die on purpose.
   */
  constructor(private readonly size: number, private readonly script: URL = DOMAIN_THREAD_SCRIPT) {
    this.refill();
  }

  /** A started thread, waiting for its boot message; the caller owns it from now on. */
  take(): Worker {
    const worker = this.idle.shift() ?? this.start();
    worker.removeAllListeners();
    worker.ref();
    if (this.idle.length < this.size) setImmediate(() => this.refill());
    return worker;
  }

  /** Stops the idle threads and starts no more. */
  async close(): Promise<void> {
    this.closed = true;
    const idle = this.idle.splice(0);
    await Promise.all(idle.map((worker) => worker.terminate()));
  }

  private refill(): void {
    while (!this.closed && this.idle.length < this.size) {
      const worker = this.start();
      worker.unref();
      // An idle thread that dies is simply forgotten.
      const forget = () => {
        const index = this.idle.indexOf(worker);
        if (index >= 0) this.idle.splice(index, 1);
      };
      worker.once("exit", forget);
      worker.once("error", forget);
      this.idle.push(worker);
    }
  }

  private start(): Worker {
    return new Worker(this.script, {
      resourceLimits: { maxOldGenerationSizeMb: USER_DOMAIN_OLD_GENERATION_MEGABYTES },
      stdout: false,
      stderr: false,
    });
  }
}
