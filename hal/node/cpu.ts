// The Node CPU: creates user domains on worker_threads and keeps track of the live ones.
import type { Cpu, TimerDevice, UserDomain, UserDomainHandler, UserDomainSpec } from "../hil/index.js";
import { DEFAULT_KEPT_DOMAIN_THREADS, DEFAULT_KERNEL_BURST_TRAPS, DEFAULT_KERNEL_POLL_AFTER_WAKE_MICROSECONDS, DEFAULT_KERNEL_POLL_MICROSECONDS, DEFAULT_USER_SPIN_ITERATIONS } from "./params.js";
import { NodeUserDomain, WorkerPool, type UserDomainTuning } from "./user-domain/index.js";

export interface NodeCpuOptions {
  /** User side: polls of the answer word before sleeping in Atomics.wait (0 sleeps at once). */
  readonly userSpinIterations?: number;
  /** Kernel side: microseconds of polling for a domain's next trap before Atomics.waitAsync (0 waits at once). */
  readonly kernelPollMicroseconds?: number;
  /** Kernel side: microseconds of polling after an answer that had to wake the user side (see params). */
  readonly kernelPollAfterWakeMicroseconds?: number;
  /** Kernel side: traps served in one synchronous burst before yielding to the event loop. */
  readonly kernelBurstTraps?: number;
  /** Threads kept started and idle for new domains (0, the default, starts each on demand). */
  readonly prewarmedDomains?: number;
  /**
   * Idle threads kept, at most, for later domains when domains end normally (default
   * DEFAULT_KEPT_DOMAIN_THREADS); 0 terminates every thread when its domain ends.
   */
  readonly keptDomainThreads?: number;
  /**
   * The domain thread's entry module, `hal/node/user-domain/worker-main.js` by default. Fault
   * injection: a test substitutes a module that loads the real one and makes the thread die.
   */
  readonly domainThreadScript?: URL;
}

export class NodeCpu implements Cpu {
  private readonly tuning: UserDomainTuning;
  private readonly live = new Set<UserDomain>();

  constructor(timer: TimerDevice, options: NodeCpuOptions = {}) {
    this.tuning = {
      timer,
      userSpinIterations: options.userSpinIterations ?? DEFAULT_USER_SPIN_ITERATIONS,
      kernelPollMicroseconds: options.kernelPollMicroseconds ?? DEFAULT_KERNEL_POLL_MICROSECONDS,
      kernelPollAfterWakeMicroseconds: options.kernelPollAfterWakeMicroseconds ?? DEFAULT_KERNEL_POLL_AFTER_WAKE_MICROSECONDS,
      kernelBurstTraps: options.kernelBurstTraps ?? DEFAULT_KERNEL_BURST_TRAPS,
      workers: new WorkerPool({
        prewarmed: options.prewarmedDomains ?? 0,
        kept: options.keptDomainThreads ?? DEFAULT_KEPT_DOMAIN_THREADS,
        script: options.domainThreadScript,
      }),
    };
  }

  createUserDomain(spec: UserDomainSpec, handler: UserDomainHandler): UserDomain {
    const domain = new NodeUserDomain(spec, handler, this.tuning, () => this.live.delete(domain));
    this.live.add(domain);
    return domain;
  }

  /** Domains not yet ended: what a leak check counts. */
  get liveDomains(): number {
    return this.live.size;
  }

  /** Idle threads: prewarmed ones and ones kept for reuse. */
  get idleThreads(): number {
    return this.tuning.workers.idleThreads;
  }

  /** Terminates every live domain; stops idle threads (prewarmed and kept). */
  async terminateAll(reason: string): Promise<void> {
    for (const domain of [...this.live]) domain.terminate(reason);
    await this.tuning.workers.close();
  }
}
