// A simulated CPU: runs a user domain's module on the calling thread, with the same trap stubs,
// page table, TLB and switch counting as the real one, but no Worker and no waiting. Entries run
// to completion: there is no preemption (cpuBudgetMilliseconds is not enforced) and terminate
// takes effect at the domain's next crossing. For deterministic tests of kernel-call handling.
import type {
  Cpu, KernelTrapHandler, UserDomain, UserDomainOutcome, UserDomainSpec, UserDomainStats, UserFault,
} from "../hil/index.js";
import { MmuCounter, type AddressSpace } from "../node/mmu/index.js";
import {
  OutcomeCode, TrapService, TrapWord, runEntry, setUpDomainMemory, type DomainMemory, type WorkerFault,
} from "../node/user-domain/index.js";

export class SimUserDomain implements UserDomain {
  readonly processId: number;
  readonly name: string;
  readonly completion: Promise<UserDomainOutcome>;
  readonly addressSpace: AddressSpace;
  private readonly memory: DomainMemory;
  private readonly service: TrapService;
  private decided: UserDomainOutcome | undefined;
  private stopped = false;

  constructor(private readonly spec: UserDomainSpec, handler: KernelTrapHandler) {
    this.processId = spec.processId;
    this.name = spec.name;
    this.memory = setUpDomainMemory(spec);
    this.addressSpace = this.memory.addressSpace;
    this.service = new TrapService(this.memory.trapPage, this, handler);
    this.completion = new Promise((resolve) => queueMicrotask(() => resolve(this.run())));
  }

  terminate(reason: string): void {
    this.decide({ kind: "faulted", fault: { kind: "kernel", message: reason } });
    this.stopped = true;
  }

  stats(): UserDomainStats {
    const counters = this.memory.trapPage.pageTable.counters;
    return {
      ringSwitches: this.service.ringSwitches,
      ringSwitchesByCall: this.service.ringSwitchesByCall,
      trapsByCall: this.service.trapsByCall,
      batchedCallsByCall: this.service.batchedByCall,
      pageFaults: counters[MmuCounter.pageFaults]!,
      tlb: { hits: counters[MmuCounter.tlbHits]!, misses: counters[MmuCounter.tlbMisses]!, flushes: counters[MmuCounter.tlbFlushes]! },
      pagesMapped: this.memory.trapPage.pageTable.pagesMapped,
      memoryPages: this.memory.trapPage.header[TrapWord.memoryPages]!,
      userMilliseconds: 0,
      kernelWaitersPending: 0,
      waits: { userSleeps: 0, kernelWaits: 0, kernelYields: 0 },
    };
  }

  private run(): UserDomainOutcome {
    const header = this.memory.trapPage.header;
    if (this.memory.layoutMemoryPages > this.memory.memoryLimitPages) {
      this.decide({ kind: "faulted", fault: { kind: "out-of-memory", message: `module needs ${this.memory.layoutMemoryPages} pages of memory at start (limit ${this.memory.memoryLimitPages})` } });
      return this.decided!;
    }
    const result = runEntry({
      trapPage: this.memory.trapPage,
      module: this.spec.module as WebAssembly.Module | Uint8Array<ArrayBuffer>,
      entry: this.spec.entry,
      memoryLimitPages: this.memory.memoryLimitPages,
      layoutMemoryPages: this.memory.layoutMemoryPages,
      badPointerPolicy: this.spec.badPointerPolicy,
      userSpinIterations: 0,
      onRunning: () => {},
      enterKernel: () => {
        const outcome = this.stopped ? undefined : this.service.serve(() => this.stopped);
        if (outcome === undefined) {
          // Stopped before or during the call: answer with a fault so the stub unwinds.
          header[TrapWord.outcomeKind] = OutcomeCode.fault;
          return;
        }
        if (outcome.kind === "exit") this.decide({ kind: "exited", code: outcome.code | 0 });
        if (outcome.kind === "fault") this.decide({ kind: "faulted", fault: { kind: "kernel", message: outcome.reason } });
      },
    });
    if (result.type === "returned") this.decide({ kind: "returned", value: result.value });
    else if (result.type === "exited") this.decide({ kind: "exited", code: result.code });
    else this.decide({ kind: "faulted", fault: this.named(result.fault) });
    return this.decided!;
  }

  private named(fault: WorkerFault): UserFault {
    const functionName = fault.functionIndex !== undefined ? this.memory.functionNames.get(fault.functionIndex) : undefined;
    return functionName !== undefined ? { ...fault, functionName } : fault;
  }

  private decide(outcome: UserDomainOutcome): void {
    if (this.decided === undefined) this.decided = outcome;
  }
}

export class SimCpu implements Cpu {
  createUserDomain(spec: UserDomainSpec, handler: KernelTrapHandler): UserDomain {
    return new SimUserDomain(spec, handler);
  }
}
