// A user domain on worker_threads: one Worker per process, a trap page between it and the
// kernel, and the kernel side's trap service loop (poll briefly, then Atomics.waitAsync, so the
// main thread never blocks), CPU-budget preemption and exactly-once completion.
import type { Worker } from "node:worker_threads";
import { performance } from "node:perf_hooks";
import type {
  Alarm, AlarmClient, KernelTrapHandler, TimerDevice, UserDomain, UserDomainOutcome, UserDomainSpec,
  UserDomainStats, UserFault, UserFaultKind,
} from "../../hil/index.js";
import { MmuCounter, type AddressSpace } from "../mmu/index.js";
import { setUpDomainMemory } from "./domain-memory.js";
import type { WorkerBootData, WorkerFault, WorkerMessage } from "./messages.js";
import { TrapService } from "./trap-service.js";
import { TrapWord, type TrapPage } from "./trap-page.js";
import { waitAsync } from "./wait-async.js";
import { WakePollBackoff } from "./wake-poll.js";
import type { WorkerPool } from "./worker-pool.js";

export interface UserDomainTuning {
  readonly timer: TimerDevice;
  readonly userSpinIterations: number;
  readonly kernelPollMicroseconds: number;
  readonly kernelPollAfterWakeMicroseconds: number;
  readonly kernelBurstTraps: number;
  readonly workers: WorkerPool;
}

/** Polls of the request word between two reads of the clock while the kernel side polls. */
const POLLS_PER_CLOCK_READ = 64;


export class NodeUserDomain implements UserDomain, AlarmClient {
  readonly processId: number;
  readonly name: string;
  readonly completion: Promise<UserDomainOutcome>;
  readonly addressSpace: AddressSpace;
  private resolveCompletion!: (outcome: UserDomainOutcome) => void;
  private decided: UserDomainOutcome | undefined;
  private finished = false;
  /** Set when no further trap may be answered: the domain is stopping. */
  private closed = false;
  private readonly page: TrapPage;
  private readonly worker: Worker | undefined;
  private readonly functionNames: ReadonlyMap<number, string>;
  private readonly alarm: Alarm;
  private lastRequest = 0;
  private waitersPending = 0;
  private afterWaiterDrained: (() => void) | undefined;
  private readonly service: TrapService;
  private clockStarted = false;
  private inKernel = false;
  private runningSince = 0;
  private chargedMilliseconds = 0;
  private kernelWaits = 0;
  /** The last answer had to wake the user side: its next trap comes no sooner than a wake-up. */
  private wokeSleeper = false;
  private readonly wakePoll = new WakePollBackoff();
  private kernelYields = 0;

  constructor(private readonly spec: UserDomainSpec, handler: KernelTrapHandler, private readonly tuning: UserDomainTuning) {
    this.processId = spec.processId;
    this.name = spec.name;
    this.completion = new Promise((resolve) => { this.resolveCompletion = resolve; });
    this.alarm = tuning.timer.createAlarm();
    const memory = setUpDomainMemory(spec);
    this.page = memory.trapPage;
    this.addressSpace = memory.addressSpace;
    this.functionNames = memory.functionNames;
    this.service = new TrapService(this.page, this, handler);
    const layoutPages = memory.layoutMemoryPages;
    const limitPages = memory.memoryLimitPages;
    if (layoutPages > limitPages) {
      this.decide(this.fault("out-of-memory", `module needs ${layoutPages} pages of memory at start (limit ${limitPages})`));
      this.finish();
      return;
    }
    const boot: WorkerBootData = {
      trapBuffer: this.page.buffer,
      pageCount: this.page.geometry.pageCount,
      module: spec.module,
      entry: spec.entry,
      memoryLimitPages: limitPages,
      layoutMemoryPages: layoutPages,
      badPointerPolicy: spec.badPointerPolicy,
      userSpinIterations: tuning.userSpinIterations,
    };
    this.worker = tuning.workers.take();
    this.worker.on("message", (message: WorkerMessage) => this.onMessage(message));
    this.worker.on("error", (error: Error & { code?: string }) => {
      const kind: UserFaultKind = error.code === "ERR_WORKER_OUT_OF_MEMORY" ? "out-of-memory" : "worker-crash";
      this.decide(this.fault(kind, error.message));
    });
    this.worker.on("exit", (code) => {
      this.decide(this.fault("worker-crash", `the domain's thread stopped without reporting (exit code ${code})`));
      this.finish();
    });
    this.worker.postMessage(boot);
    this.serve();
  }

  terminate(reason: string): void {
    this.stop(this.fault("kernel", reason));
  }

  stats(): UserDomainStats {
    const counters = this.page.pageTable.counters;
    return {
      ringSwitches: this.service.ringSwitches,
      ringSwitchesByCall: this.service.ringSwitchesByCall,
      trapsByCall: this.service.trapsByCall,
      batchedCallsByCall: this.service.batchedByCall,
      pageFaults: Atomics.load(counters, MmuCounter.pageFaults),
      tlb: {
        hits: Atomics.load(counters, MmuCounter.tlbHits),
        misses: Atomics.load(counters, MmuCounter.tlbMisses),
        flushes: Atomics.load(counters, MmuCounter.tlbFlushes),
      },
      pagesMapped: this.page.pageTable.pagesMapped,
      memoryPages: Atomics.load(this.page.header, TrapWord.memoryPages),
      userMilliseconds: this.charged(),
      kernelWaitersPending: this.waitersPending,
      waits: {
        userSleeps: Atomics.load(this.page.header, TrapWord.userSleeps),
        kernelWaits: this.kernelWaits,
        kernelYields: this.kernelYields,
      },
    };
  }

  alarmFired(): void {
    if (this.closed) return;
    const charged = this.charged();
    const budget = this.spec.cpuBudgetMilliseconds;
    if (charged >= budget) {
      this.stop(this.fault("cpu-budget", `ran ${charged.toFixed(1)} ms in user mode (budget ${budget} ms)`));
    } else {
      this.alarm.arm(budget - charged, this);
    }
  }

  // --- the trap service loop -------------------------------------------------------------

  /** Serves requests while they keep coming, polls briefly, then waits without blocking. */
  private serve = (): void => {
    const header = this.page.header;
    const pollMilliseconds = this.tuning.kernelPollMicroseconds / 1000;
    // No polling at all (kernelPollMicroseconds 0) stays no polling: the pure sleep/wake configuration.
    const wakePollMilliseconds = pollMilliseconds === 0 ? 0 : Math.max(this.tuning.kernelPollAfterWakeMicroseconds / 1000, pollMilliseconds);
    let served = 0;
    let polls = 0;
    let pollingLong = false;
    let pollUntil = performance.now() + pollMilliseconds;
    for (;;) {
      if (this.closed) return;
      const sequence = Atomics.load(header, TrapWord.requestSequence);
      if (sequence !== this.lastRequest) {
        this.lastRequest = sequence;
        if (pollingLong) this.wakePoll.succeeded();
        // serveOne reads the clock as it leaves the kernel: that reading starts the poll window.
        const left = this.serveOne();
        pollingLong = this.wokeSleeper && this.wakePoll.shouldPollLong();
        pollUntil = left + (pollingLong ? wakePollMilliseconds : pollMilliseconds);
        if (++served >= this.tuning.kernelBurstTraps) {
          // Let timers (the CPU budget) and other domains run before serving more.
          this.kernelYields++;
          setImmediate(this.serve);
          return;
        }
        continue;
      }
      // Reading the clock costs more than a poll: look at it every POLLS_PER_CLOCK_READ polls.
      if (++polls % POLLS_PER_CLOCK_READ !== 0 || performance.now() < pollUntil) continue;
      if (pollingLong) this.wakePoll.failed();
      pollingLong = false;
      // Announce the wait before waiting: a request landing in between makes waitAsync return at once.
      Atomics.store(header, TrapWord.kernelWaiting, 1);
      const wait = waitAsync(header, TrapWord.requestSequence, sequence);
      if (!wait.async) {
        Atomics.store(header, TrapWord.kernelWaiting, 0);
        continue;
      }
      this.waitersPending++;
      this.kernelWaits++;
      void wait.value.then(() => {
        Atomics.store(header, TrapWord.kernelWaiting, 0);
        this.waitersPending--;
        const drained = this.afterWaiterDrained;
        if (drained) {
          this.afterWaiterDrained = undefined;
          drained();
        } else {
          this.serve();
        }
      });
      return;
    }
  };

  /** Serves the pending request; returns the clock reading taken as the kernel left it. */
  private serveOne(): number {
    this.enterKernel();
    const outcome = this.service.serve(this.isClosed);
    if (outcome === undefined) return performance.now();
    if (outcome.kind === "exit") this.decide({ kind: "exited", code: outcome.code | 0 });
    else if (outcome.kind === "fault") {
      const suffix = outcome.errorCode !== undefined ? ` (error ${outcome.errorCode})` : "";
      this.decide(this.fault("kernel", outcome.reason + suffix));
    }
    const left = this.leaveKernel();
    Atomics.add(this.page.header, TrapWord.responseSequence, 1);
    this.wokeSleeper = Atomics.load(this.page.header, TrapWord.userSleeping) !== 0;
    if (this.wokeSleeper) Atomics.notify(this.page.header, TrapWord.responseSequence, 1);
    return left;
  }

  /** Bound once: the trap service asks after every call whether the domain was stopped meanwhile. */
  private readonly isClosed = (): boolean => this.closed;

  // --- CPU budget ----------------------------------------------------------------------------

  private startClock(): void {
    if (this.clockStarted || this.closed) return;
    this.clockStarted = true;
    this.runningSince = performance.now();
    if (Number.isFinite(this.spec.cpuBudgetMilliseconds)) this.alarm.arm(this.spec.cpuBudgetMilliseconds, this);
  }

  private enterKernel(): void {
    this.startClock();
    if (!this.inKernel) this.chargedMilliseconds += performance.now() - this.runningSince;
    this.inKernel = true;
  }

  private leaveKernel(): number {
    this.inKernel = false;
    this.runningSince = performance.now();
    return this.runningSince;
  }

  /** Charges the running stretch, if any, and stops charging. */
  private stopClock(): void {
    if (this.clockStarted && !this.inKernel) this.chargedMilliseconds += performance.now() - this.runningSince;
    this.inKernel = true;
  }

  private charged(): number {
    if (!this.clockStarted || this.inKernel || this.finished) return this.chargedMilliseconds;
    return this.chargedMilliseconds + (performance.now() - this.runningSince);
  }

  // --- ending --------------------------------------------------------------------------------

  private onMessage(message: WorkerMessage): void {
    switch (message.type) {
      case "running": this.startClock(); return;
      case "returned": this.decide({ kind: "returned", value: message.value }); return;
      case "exited": this.decide({ kind: "exited", code: message.code }); return;
      case "faulted": this.decide({ kind: "faulted", fault: this.named(message.fault) }); return;
    }
  }

  private named(fault: WorkerFault): UserFault {
    const functionName = fault.functionIndex !== undefined ? this.functionNames.get(fault.functionIndex) : undefined;
    return functionName !== undefined ? { ...fault, functionName } : fault;
  }

  private fault(kind: UserFaultKind, message: string): UserDomainOutcome {
    return { kind: "faulted", fault: { kind, message } };
  }

  /** The first decision wins: the kernel's exit or kill outranks what the thread reports later. */
  private decide(outcome: UserDomainOutcome): void {
    if (this.decided === undefined) this.decided = outcome;
  }

  private stop(outcome: UserDomainOutcome): void {
    if (this.closed) return;
    this.stopClock();
    this.decide(outcome);
    this.closed = true;
    this.alarm.disarm();
    void this.worker?.terminate();
  }

  /** Runs once the thread is gone: releases the kernel's wait, then settles the completion. */
  private finish(): void {
    if (this.finished) return;
    this.stopClock();
    this.finished = true;
    this.closed = true;
    this.alarm.disarm();
    const settle = () => this.resolveCompletion(this.decided!);
    if (this.waitersPending > 0) {
      this.afterWaiterDrained = settle;
      Atomics.notify(this.page.header, TrapWord.requestSequence);
    } else {
      settle();
    }
  }
}
