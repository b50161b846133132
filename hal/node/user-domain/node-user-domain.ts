// The kernel's half of a user domain on worker_threads. The kernel thread and the domain's
// thread pass one baton (channel.ts). While the domain holds it the kernel either blocks — an
// upcall or an instantiation, which must return a value synchronously — or waits without
// blocking (the process's entry). Either way it services every kernel call and kernel jump the
// domain makes before the baton comes back with a result, and charges the time the domain held
// the baton against its CPU budget.
import type { MessagePort, Worker } from "node:worker_threads";
import { performance } from "node:perf_hooks";
import type {
  AbiValue, Alarm, AlarmClient, AddressSpaceView, TimerDevice, LinkedCallResult, UserDomainHandler, UserDomainSpec, UserDomainStats, LinkedEnding,
  UserInstanceSpec, LinkedInstantiation, UserDomain, TrapOutcome, UserFault,
} from "../../hil/index.js";
import { setUpDomainMemory } from "./domain-memory.js";
import { summarizeInstances } from "./instance-stats.js";
import { TrapService } from "./trap-service.js";
import type { TrapPage } from "./trap-page.js";
import { DomainCharge } from "./domain-charge.js";
import { BUDGET_RECHECK_MILLISECONDS, blockingCallEnding, budgetEnding, threadStartEnding } from "./domain-limits.js";
import { waitAsync } from "./wait-async.js";
import { KernelPollWindow } from "./wake-poll.js";
import type { WorkerPool } from "./worker-pool.js";
import type { PooledThread } from "./pooled-thread.js";
import { Answer, Channel, ChannelOverflow, ChannelWord, Message, Turn } from "./channel.js";
import type { EndingReport, InstantiateRequest } from "./domain-thread.js";

export interface UserDomainTuning {
  readonly timer: TimerDevice;
  readonly userSpinIterations: number;
  readonly kernelPollMicroseconds: number;
  readonly kernelPollAfterWakeMicroseconds: number;
  readonly kernelBurstTraps: number;
  readonly workers: WorkerPool;
}

/** Longest single Atomics.wait of a blocked kernel thread: bounds how late a budget is noticed. */
const BLOCKED_WAIT_SLICE_MILLISECONDS = 20;

/** What serveOne returns for a kernel call left waiting: the domain holds no baton and nothing is answered. */
const PARKED = -1;

/** Polls of the turn word between two reads of the clock while the kernel side polls. */
const POLLS_PER_CLOCK_READ = 64;

interface KernelInstance {
  readonly page: TrapPage;
  readonly addressSpace: AddressSpaceView;
  readonly service: TrapService;
  readonly functionNames: ReadonlyMap<number, string>;
}

export class NodeUserDomain implements UserDomain, AlarmClient {
  readonly processId: number;
  readonly name: string;
  private readonly channel = Channel.create();
  private readonly thread: PooledThread;
  /** Domains the thread served before this one (stats). */
  private readonly threadDomainsBefore: number;
  private readonly port: MessagePort;
  private readonly worker: Worker;
  private readonly instances: KernelInstance[] = [];
  private readonly alarm: Alarm;
  private endingOutcome: LinkedEnding | undefined;
  /** What the kernel decided while serving a call (an exit, a kill): outranks what the thread reports. */
  private kernelDecision: LinkedEnding | undefined;
  private closed = false;
  private ringSwitches = 0;
  private kernelJumps = 0;
  private upcalls = 0;
  /** What the domain has used of its CPU budget (domain-charge.ts). */
  private readonly charge = new DomainCharge();
  private waitingStart: ((result: LinkedCallResult) => void) | undefined;
  private threadStartedWaiting: number | undefined;
  private threadSeenReady = false;
  /** Bound once: the trap service asks after every call whether the domain was stopped meanwhile. */
  private readonly isClosed = (): boolean => this.closed;
  /** Non-blocking waits for the baton still outstanding (one at most). */
  private waitersPending = 0;
  private kernelWaits = 0;
  private kernelYields = 0;
  /** A kernel call left waiting (a write to a full output queue) and what it waits for. */
  private parked: { readonly instance: KernelInstance; readonly until: Promise<void> } | undefined;
  /** How long the kernel thread polls for the domain's next message before it waits. */
  private readonly pollWindow: KernelPollWindow;
  /** Exports called so far, by `instance:name`: later calls send only the number. */
  private readonly exportNumbers = new Map<string, number>();
  /**
   * Calls and instantiations the kernel handed the domain that have not come back (returned,
   * refused or ended). At 0, with the baton, the thread sits in its idle loop: no frame of the
   * process is on its stack.
   */
  private requestsOutstanding = 0;

  constructor(
    private readonly spec: UserDomainSpec, private readonly handler: UserDomainHandler,
    private readonly tuning: UserDomainTuning, private readonly onStopped: () => void = () => undefined,
  ) {
    this.processId = spec.processId;
    this.name = spec.name;
    this.pollWindow = new KernelPollWindow(tuning.kernelPollMicroseconds / 1000, tuning.kernelPollAfterWakeMicroseconds / 1000);
    this.alarm = tuning.timer.createAlarm();
    this.thread = tuning.workers.take();
    this.threadDomainsBefore = this.thread.domainsBefore;
    this.port = this.thread.port;
    this.worker = this.thread.worker;
    this.worker.on("error", this.threadFailed);
    this.worker.on("exit", this.threadExited);
    this.thread.boot({
      kind: "domain-boot", calls: spec.calls, channelBuffer: this.channel.buffer,
      badPointerPolicy: spec.badPointerPolicy, userSpinIterations: tuning.userSpinIterations,
    });
    // A parked domain waits for the kernel and must not keep the host process alive on its own;
    // it is referenced only while its entry runs (start), when the kernel waits for it.
    this.worker.unref();
  }

  private readonly threadFailed = (error: Error & { code?: string }): void => {
    this.stop({ kind: "faulted", fault: { kind: error.code === "ERR_WORKER_OUT_OF_MEMORY" ? "out-of-memory" : "worker-crash", message: error.message } });
  };

  private readonly threadExited = (code: number): void => {
    this.stop({ kind: "faulted", fault: { kind: "worker-crash", message: `the domain's thread stopped without reporting (exit code ${code})` } });
  };

  get ending(): LinkedEnding | undefined {
    return this.endingOutcome;
  }

  async ready(): Promise<void> {
    const header = this.channel.header;
    const startedWaiting = performance.now();
    // The host process must stay up while a process waits for its domain's thread.
    this.worker.ref();
    while (!this.closed && Atomics.load(header, ChannelWord.threadReady) === 0) {
      const seen = Atomics.load(header, ChannelWord.sequence);
      if (Atomics.load(header, ChannelWord.threadReady) !== 0) break;
      const late = threadStartEnding(performance.now() - startedWaiting);
      if (late) {
        this.stop(late);
        break;
      }
      // The thread notifies without changing the word, so a notify between the two loads above is
      // caught by the slice's timeout rather than missed.
      const wait = waitAsync(header, ChannelWord.sequence, seen, BLOCKED_WAIT_SLICE_MILLISECONDS);
      if (wait.async) await wait.value;
    }
    if (!this.closed) {
      this.noteThreadReady();
      this.worker.unref();
    }
  }

  instantiate(spec: UserInstanceSpec): LinkedInstantiation {
    if (this.endingOutcome) return { ok: false, reason: "ended", outcome: this.endingOutcome };
    this.requireBaton("instantiate");
    const memory = setUpDomainMemory({ module: spec.binary, memoryLimitPages: spec.memoryLimitPages, regions: spec.regions });
    if (memory.layoutMemoryPages > memory.memoryLimitPages) {
      return { ok: false, reason: "out-of-memory", message: `module '${spec.name}' needs ${memory.layoutMemoryPages} pages of memory at start (limit ${memory.memoryLimitPages})` };
    }
    const page = memory.trapPage;
    this.instances.push({ page, addressSpace: memory.addressSpace, service: new TrapService(page, this, this.handler, this.spec.calls), functionNames: memory.functionNames });
    const request: InstantiateRequest = {
      kind: "instantiate", name: spec.name, module: spec.module, trapBuffer: page.buffer, pageCount: page.geometry.pageCount,
      layoutMemoryPages: memory.layoutMemoryPages, memoryLimitPages: memory.memoryLimitPages,
      siblings: spec.siblings, kernelEntries: spec.kernelEntries,
    };
    this.port.postMessage(request);
    this.passToDomain(Message.instantiate);
    const message = this.awaitBlocked();
    if (message === Message.returned) return { ok: true, instance: Number(this.channel.readResult()) };
    this.instances.pop();
    if (message === Message.instantiateFailed) {
      const refusal = this.channel.readReport<{ reason: "link" | "compile"; message: string }>();
      return { ok: false, reason: refusal.reason, message: refusal.message };
    }
    return { ok: false, reason: "ended", outcome: this.endingOutcome! };
  }

  addressSpace(instance: number): AddressSpaceView {
    const found = this.instances[instance];
    if (!found) throw new RangeError(`domain ${this.name} has no instance ${instance}`);
    return found.addressSpace;
  }

  call(instance: number, exportName: string, args: readonly AbiValue[]): LinkedCallResult {
    if (this.endingOutcome) return this.endingOutcome;
    this.requireBaton(`call ${exportName}`);
    const refused = this.sendCall(instance, exportName, args);
    if (refused) return refused;
    this.upcalls++;
    return this.resultOf(this.awaitBlocked());
  }

  start(instance: number, exportName: string): Promise<LinkedCallResult> {
    if (this.endingOutcome) return Promise.resolve(this.endingOutcome);
    this.requireBaton(`start ${exportName}`);
    const refused = this.sendCall(instance, exportName, []);
    if (refused) return Promise.resolve(refused);
    this.worker.ref();
    return new Promise((resolve) => {
      this.waitingStart = (result) => {
        this.worker.unref();
        resolve(result);
      };
      this.armBudget();
      this.serveAsync();
    });
  }

  terminate(reason: string): void {
    this.stop({ kind: "faulted", fault: { kind: "kernel", message: reason } });
  }

  /**
   * Ends the domain as `terminate` does; its thread serves a later domain if it is fit to
   * (threadReusable), and is terminated otherwise.
   */
  release(reason: string): void {
    const outcome: LinkedEnding = { kind: "faulted", fault: { kind: "kernel", message: reason } };
    this.stop(outcome, this.threadReusable());
  }

  entryBegins(): void {
    this.charge.entryBegins();
  }

  stats(): UserDomainStats {
    const { trapsByCall, ringSwitchesByCall, pageFaults, tlb, pagesMapped, memoryPages } = summarizeInstances(this.instances);
    return {
      thread: { id: this.thread.id, domainsBefore: this.threadDomainsBefore },
      ringSwitches: this.ringSwitches, trapsByCall, ringSwitchesByCall, kernelJumps: this.kernelJumps, upcalls: this.upcalls,
      instances: this.instances.length, pageFaults, tlb, pagesMapped, memoryPages, userMilliseconds: this.charge.charged(),
      kernelWaitersPending: this.waitersPending,
      waits: { userSleeps: Atomics.load(this.channel.header, ChannelWord.userSleeps), kernelWaits: this.kernelWaits, kernelYields: this.kernelYields },
    };
  }

  alarmFired(): void {
    if (this.closed || this.charge.userSince === undefined) return;
    this.checkBudget();
    if (!this.closed) this.armBudget();
  }

  // --- the baton ---------------------------------------------------------------------------

  /**
   * Only the side holding the baton may send: a call while the domain runs would overwrite the
   * message it is about to read. Kernel code reaches a domain only from inside a crossing it
   * serves, so this fails only on a kernel bug, and says so.
   */
  private requireBaton(what: string): void {
    if (!this.channel.holds(Turn.kernel)) throw new RangeError(`${what}: domain ${this.name} is running; calls into it must come from kernel code it is waiting on`);
  }

  private sendCall(instance: number, exportName: string, args: readonly AbiValue[]): LinkedCallResult | undefined {
    const header = this.channel.header;
    header[ChannelWord.instance] = instance;
    const key = `${instance}:${exportName}`;
    let exportNumber = this.exportNumbers.get(key);
    try {
      if (exportNumber === undefined) {
        header[ChannelWord.namesExport] = 1;
        this.channel.writeValues([exportName, ...args]);
        // Numbered only once the name is on its way to the domain.
        exportNumber = this.exportNumbers.size;
        this.exportNumbers.set(key, exportNumber);
      } else {
        header[ChannelWord.namesExport] = 0;
        this.channel.writeValues(args);
      }
      header[ChannelWord.number] = exportNumber;
    } catch (error) {
      if (!(error instanceof ChannelOverflow)) throw error;
      return this.endWith({ kind: "faulted", fault: { kind: "kernel", message: `call ${exportName}: ${error.message}` } });
    }
    this.passToDomain(Message.call);
    return undefined;
  }

  /** `answersKernelCall`: the time since the kernel took the baton was spent on the domain's call. */
  private passToDomain(message: number, answersKernelCall = false): void {
    this.ringSwitches++;
    if (message === Message.call || message === Message.instantiate) this.requestsOutstanding++;
    this.pollWindow.passed(Atomics.load(this.channel.header, ChannelWord.userSleeping) !== 0);
    const now = performance.now();
    this.charge.passedToDomain(now, answersKernelCall);
    this.channel.pass(Turn.user, message);
  }

  /** The baton is back: stop charging the domain. */
  private tookBaton(): void {
    this.ringSwitches++;
    this.charge.tookBaton(performance.now());
  }

  /**
   * Blocks the kernel thread until the domain returns or ends, servicing its traps and jumps.
   * Returns the final message (returned, ended, instantiateFailed).
   */
  private awaitBlocked(): number {
    const header = this.channel.header;
    let blockedSince = performance.now();
    let chargedBefore = this.charge.charged();
    for (;;) {
      let polls = 0;
      const pollUntil = this.pollUntil();
      while (!this.channel.holds(Turn.kernel) && !this.closed) {
        if (++polls % POLLS_PER_CLOCK_READ !== 0 || performance.now() < pollUntil) continue;
        this.pollWindow.ranOut();
        const seen = Atomics.load(header, ChannelWord.sequence);
        if (this.channel.holds(Turn.kernel)) break;
        // The event loop cannot run while the kernel thread blocks: the budget is checked here.
        const left = this.spec.cpuBudgetMilliseconds - this.charge.sinceLastWait();
        Atomics.store(header, ChannelWord.kernelWaiting, 1);
        Atomics.wait(header, ChannelWord.sequence, seen, Math.max(0, Math.min(left, BLOCKED_WAIT_SLICE_MILLISECONDS)));
        Atomics.store(header, ChannelWord.kernelWaiting, 0);
        if (!this.threadSeenReady) {
          this.awaitingThread();
          blockedSince = performance.now();
          chargedBefore = this.charge.charged();
        } else {
          this.checkBudget();
          this.checkBlockingTime(blockedSince, chargedBefore);
          // The worker's exit event cannot be delivered while this thread blocks: look for the thread itself.
          if (!this.closed && !this.charge.threadAlive()) {
            this.stop({ kind: "faulted", fault: { kind: "worker-crash", message: "the domain's thread stopped during a blocking call" } });
          }
        }
      }
      if (this.closed) return Message.ended;
      this.pollWindow.caught();
      const message = this.serveOne();
      if (message !== undefined) return message;
    }
  }

  /** Until when to poll for the domain's next message: counted from the last pass (wake-poll.ts). */
  private pollUntil(): number {
    return this.pollWindow.open(this.charge.userSince ?? performance.now());
  }

  /** Waits for the baton without blocking: polls briefly, then Atomics.waitAsync. */
  private serveAsync = (): void => {
    const header = this.channel.header;
    let served = 0;
    for (;;) {
      if (this.closed) return this.settleStart(this.endingOutcome!);
      let polls = 0;
      const pollUntil = this.pollUntil();
      while (!this.channel.holds(Turn.kernel)) {
        if (++polls % POLLS_PER_CLOCK_READ !== 0 || performance.now() < pollUntil) continue;
        this.pollWindow.ranOut();
        const seen = Atomics.load(header, ChannelWord.sequence);
        Atomics.store(header, ChannelWord.kernelWaiting, 1);
        if (this.channel.holds(Turn.kernel)) {
          Atomics.store(header, ChannelWord.kernelWaiting, 0);
          break;
        }
        const wait = waitAsync(header, ChannelWord.sequence, seen);
        if (!wait.async) {
          Atomics.store(header, ChannelWord.kernelWaiting, 0);
          continue;
        }
        this.waitersPending++;
        this.kernelWaits++;
        void wait.value.then(() => {
          this.waitersPending--;
          Atomics.store(header, ChannelWord.kernelWaiting, 0);
          this.serveAsync();
        });
        return;
      }
      this.pollWindow.caught();
      const message = this.serveOne(true);
      if (message === PARKED) {
        void this.parked!.until.then(this.resumeParked, this.resumeParked);
        return;
      }
      if (message !== undefined) return this.settleStart(this.resultOf(message));
      if (++served >= this.tuning.kernelBurstTraps) {
        // Let timers (the CPU budget) and other processes run before serving more.
        this.kernelYields++;
        setImmediate(this.serveAsync);
        return;
      }
    }
  };

  private settleStart(result: LinkedCallResult): void {
    const resolve = this.waitingStart;
    this.waitingStart = undefined;
    resolve?.(result);
  }

  /**
   * Serves the message that came with the baton. A trap or jump is answered and undefined is
   * returned (keep waiting); a final message is returned as is.
   */
  private serveOne(canWait = false): number | undefined {
    this.tookBaton();
    const header = this.channel.header;
    const message = header[ChannelWord.message]!;
    if (message === Message.trap) {
      const instance = this.instances[header[ChannelWord.instance]!];
      if (!instance) return this.protocolError(`trap from unknown instance ${header[ChannelWord.instance]}`);
      return this.answerTrap(instance, canWait, false);
    }
    if (message === Message.kernelJump) {
      this.kernelJumps++;
      const jumpIndex = header[ChannelWord.number]!;
      const args = this.channel.readValues() as AbiValue[];
      let outcome: TrapOutcome;
      try {
        outcome = this.handler.handleKernelJump(this, jumpIndex, args);
      } catch (error) {
        outcome = { kind: "fault", reason: `kernel failed serving a kernel jump: ${(error as Error).message}` };
      }
      if (this.closed) return Message.ended;
      this.noteDecision(outcome);
      if (outcome.kind === "return") {
        header[ChannelWord.answer] = Answer.return;
        this.channel.writeResult(outcome.value);
      } else if (outcome.kind === "exit") {
        header[ChannelWord.answer] = Answer.exit;
        header[ChannelWord.exitCode] = outcome.code | 0;
      } else {
        header[ChannelWord.answer] = Answer.fault;
      }
      this.passToDomain(Message.answer);
      return undefined;
    }
    if (message === Message.ended) {
      this.requestsOutstanding--;
      const report = this.channel.readReport<EndingReport>();
      this.endWith(report.kind === "exited" ? report : { kind: "faulted", fault: this.named(report.fault) });
      return Message.ended;
    }
    if (message === Message.returned || message === Message.instantiateFailed) {
      this.requestsOutstanding--;
      return message;
    }
    return this.protocolError(`unexpected message ${message}`);
  }

  /**
   * Serves the trap in `instance`'s page and answers it; a call the kernel says must wait is left
   * unanswered (PARKED) and served again, as a retry, once its `until` settles.
   */
  private answerTrap(instance: KernelInstance, canWait: boolean, retry: boolean): number | undefined {
    // The trap service counts its own two switches per call; ours are counted by the baton.
    const outcome = instance.service.serve(this.isClosed, canWait, retry);
    if (outcome?.kind === "wait") {
      // Waiting is neither the domain's time nor kernel work: nothing is charged meanwhile.
      this.charge.parked();
      this.parked = { instance, until: outcome.until };
      return PARKED;
    }
    if (outcome) this.noteDecision(outcome);
    if (this.closed) return Message.ended;
    this.passToDomain(Message.answer, true);
    return undefined;
  }

  /** A parked call's wait is over: serve it again, then go on serving the entry. */
  private resumeParked = (): void => {
    const parked = this.parked;
    this.parked = undefined;
    if (!parked || this.closed) return this.serveAsync();
    this.charge.resumed();
    const message = this.answerTrap(parked.instance, true, true);
    if (message === PARKED) {
      void this.parked!.until.then(this.resumeParked, this.resumeParked);
      return;
    }
    if (message !== undefined) return this.settleStart(this.resultOf(message));
    // The budget alarm may have fired while the domain waited, when there was nothing to charge.
    this.armBudget();
    this.serveAsync();
  };

  private protocolError(detail: string): number {
    this.stop({ kind: "faulted", fault: { kind: "kernel", message: `crossing protocol: ${detail}` } });
    return Message.ended;
  }

  private resultOf(message: number): LinkedCallResult {
    if (message === Message.returned) return { kind: "returned", value: this.channel.readResult() };
    return this.endingOutcome!;
  }

  private noteDecision(outcome: TrapOutcome): void {
    if (this.kernelDecision) return;
    if (outcome.kind === "exit") this.kernelDecision = { kind: "exited", code: outcome.code | 0 };
    else if (outcome.kind === "fault") {
      const suffix = outcome.errorCode !== undefined ? ` (error ${outcome.errorCode})` : "";
      this.kernelDecision = { kind: "faulted", fault: { kind: "kernel", message: outcome.reason + suffix } };
    }
  }

  /** Function indices are per module: a name is only certain when the domain holds one instance. */
  private named(fault: UserFault): UserFault {
    if (fault.functionIndex === undefined || this.instances.length !== 1) return fault;
    const functionName = this.instances[0]!.functionNames.get(fault.functionIndex);
    return functionName !== undefined ? { ...fault, functionName } : fault;
  }

  // --- CPU budget and ending ------------------------------------------------------------------

  /** The thread is up: from now on its CPU time is the process's. */
  private noteThreadReady(): void {
    if (this.threadSeenReady) return;
    this.threadSeenReady = true;
    this.charge.threadReady(Atomics.load(this.channel.header, ChannelWord.threadId));
  }

  private armBudget(): void {
    if (!Number.isFinite(this.spec.cpuBudgetMilliseconds)) return;
    this.alarm.arm(Math.max(BUDGET_RECHECK_MILLISECONDS, this.spec.cpuBudgetMilliseconds - this.charge.sinceLastWait()), this);
  }

  /** The thread is not up yet: charge nothing, but do not wait for it forever. */
  private awaitingThread(): void {
    const now = performance.now();
    this.charge.restartWithoutCharge(now);
    if (Atomics.load(this.channel.header, ChannelWord.threadReady) !== 0) {
      this.noteThreadReady();
      return;
    }
    this.threadStartedWaiting ??= now;
    const late = threadStartEnding(now - this.threadStartedWaiting);
    if (late) this.stop(late);
  }

  /** A blocking call may not hold the kernel thread long (domain-limits.ts says what long is). */
  private checkBlockingTime(blockedSince: number, chargedBefore: number): void {
    if (this.closed) return;
    const ending = blockingCallEnding(performance.now() - blockedSince, this.charge.charged() - chargedBefore);
    if (ending) this.stop(ending);
  }

  private checkBudget(): void {
    const ending = budgetEnding(this.charge.sinceLastWait(), this.spec.cpuBudgetMilliseconds);
    if (ending) this.stop(ending);
  }

  /** Records how the domain ended; the kernel's own decision wins over the thread's report. */
  private endWith(outcome: LinkedEnding): LinkedEnding {
    this.endingOutcome ??= this.kernelDecision ?? outcome;
    return this.endingOutcome;
  }

  /**
   * Whether the thread may serve another domain: it is up and alive, idle (the kernel holds the
   * baton and nothing it handed the domain is outstanding, so no frame of the process is on the
   * thread's stack), and the domain ended, if it did, by exiting: any fault leaves the isolate
   * suspect (out of heap, a stack overflow, a trap in the middle of the runtime's own code).
   */
  private threadReusable(): boolean {
    if (this.closed || !this.threadSeenReady || this.requestsOutstanding !== 0 || this.waitersPending !== 0 || this.parked) return false;
    if (!this.channel.holds(Turn.kernel)) return false;
    const ending = this.endingOutcome ?? this.kernelDecision;
    if (ending && ending.kind !== "exited") return false;
    return this.charge.threadAlive();
  }

  /** `reuseThread`: the thread is idle and fit (threadReusable); it goes back to the pool instead of being terminated. */
  private stop(outcome: LinkedEnding, reuseThread = false): void {
    if (this.closed) return;
    // The last reading before the thread goes: stats keep reporting it.
    this.charge.stop();
    this.endWith(outcome);
    this.closed = true;
    this.alarm.disarm();
    this.worker.off("error", this.threadFailed);
    this.worker.off("exit", this.threadExited);
    if (reuseThread) {
      // Not a crossing of the process: the thread leaves the channel and waits for its next domain.
      this.channel.pass(Turn.user, Message.release);
      this.thread.domainReleased();
      this.tuning.workers.giveBack(this.thread);
    } else {
      void this.thread.terminate();
    }
    this.onStopped();
    // Wake a pending non-blocking wait so the entry's promise settles.
    Atomics.notify(this.channel.header, ChannelWord.sequence);
    // With a wait outstanding, its wake-up settles the entry (serveAsync sees `closed`), so the
    // entry's ending is reported only once the kernel holds no wait on the domain.
    if (this.waitingStart && this.waitersPending === 0) setImmediate(() => this.settleStart(this.endingOutcome!));
  }
}
