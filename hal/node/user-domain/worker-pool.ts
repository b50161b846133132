// Threads for user domains. Starting a Worker costs tens of milliseconds, most of it before the
// module is even seen, and its exit a few more. The pool keeps two kinds of idle thread: a few
// started ahead of need (prewarmed) and threads whose domain ended cleanly (released), which
// serve the next domain without a start at all (thread-succession.ts). Idle threads are
// unref'd, so they never keep the host process alive, and `close` stops them.
import { workerThreads } from "../on-demand-modules.js";
import { IDLE_DOMAIN_THREAD_MILLISECONDS, USER_DOMAIN_OLD_GENERATION_MEGABYTES } from "../params.js";
import { PooledThread } from "./pooled-thread.js";

/** The thread's entry module: the trap stubs and the entry runner. */
export const DOMAIN_THREAD_SCRIPT = new URL("./worker-main.js", import.meta.url);

export interface WorkerPoolOptions {
  /** Idle threads kept started ahead of need; 0 starts each new thread on demand. */
  readonly prewarmed: number;
  /** Idle threads kept, at most, when a domain releases its thread; 0 terminates each thread when its domain ends. */
  readonly kept: number;
  /** The thread's entry module; tests give one that wraps the real one to make threads die on purpose. */
  readonly script?: URL;
  /** How long a released thread is kept unused before it is terminated; IDLE_DOMAIN_THREAD_MILLISECONDS by default. */
  readonly idleMilliseconds?: number;
}

export class WorkerPool {
  /** Idle threads, the most recently used last: its caches are the warmest. */
  private readonly idle: PooledThread[] = [];
  /** Released threads' timers: one unused for `idleMilliseconds` is terminated. */
  private readonly expiries = new Map<PooledThread, NodeJS.Timeout>();
  private closed = false;
  private readonly prewarmed: number;
  private readonly kept: number;
  private readonly script: URL;
  private readonly idleMilliseconds: number;

  constructor(options: WorkerPoolOptions) {
    this.prewarmed = options.prewarmed;
    this.kept = options.kept;
    this.script = options.script ?? DOMAIN_THREAD_SCRIPT;
    this.idleMilliseconds = options.idleMilliseconds ?? IDLE_DOMAIN_THREAD_MILLISECONDS;
    this.refill();
  }

  /** An idle thread (a released one first), or a new one; the caller owns it from now on. */
  take(): PooledThread {
    const thread = this.idle.pop() ?? this.start();
    this.stopExpiry(thread);
    thread.worker.removeAllListeners();
    thread.worker.ref();
    if (this.idle.length < this.prewarmed) setImmediate(() => this.refill());
    return thread;
  }

  /**
   * A thread whose domain ended cleanly and released it. Kept while there is room, otherwise
   * (and after `close`) terminated; a kept thread unused for `idleMilliseconds` is terminated too.
   */
  giveBack(thread: PooledThread): void {
    thread.worker.removeAllListeners();
    if (this.closed || this.idle.length >= this.kept) {
      void thread.terminate();
      return;
    }
    this.keepIdle(thread);
    const expiry = setTimeout(() => {
      if (this.forget(thread)) void thread.terminate();
    }, this.idleMilliseconds);
    expiry.unref();
    this.expiries.set(thread, expiry);
  }

  /** Threads idle now: prewarmed and released. */
  get idleThreads(): number {
    return this.idle.length;
  }

  /** Stops the idle threads and starts no more; threads given back later are terminated. */
  async close(): Promise<void> {
    this.closed = true;
    const idle = this.idle.splice(0);
    for (const thread of idle) this.stopExpiry(thread);
    await Promise.all(idle.map((thread) => thread.terminate()));
  }

  private refill(): void {
    while (!this.closed && this.idle.length < this.prewarmed) this.keepIdle(this.start());
  }

  private keepIdle(thread: PooledThread): void {
    thread.worker.unref();
    // An idle thread that dies is simply forgotten.
    const forget = () => this.forget(thread);
    thread.worker.once("exit", forget);
    thread.worker.once("error", forget);
    this.idle.push(thread);
  }

  private forget(thread: PooledThread): boolean {
    this.stopExpiry(thread);
    const index = this.idle.indexOf(thread);
    if (index < 0) return false;
    this.idle.splice(index, 1);
    return true;
  }

  private stopExpiry(thread: PooledThread): void {
    clearTimeout(this.expiries.get(thread));
    this.expiries.delete(thread);
  }

  private start(): PooledThread {
    return new PooledThread(new (workerThreads().Worker)(this.script, {
      resourceLimits: { maxOldGenerationSizeMb: USER_DOMAIN_OLD_GENERATION_MEGABYTES },
      stdout: false,
      stderr: false,
    }));
  }
}
