// A simulated CPU: runs a user domain's instances on the calling thread, with the same trap
// stubs, page tables, TLB and switch counting as the real one, but no Worker and no waiting.
// Calls run to completion: there is no preemption (cpuBudgetMilliseconds is not enforced) and
// terminate takes effect at the domain's next crossing. Siblings link only directly (no memory
// copies) and there are no kernel jumps. For deterministic tests of kernel-call handling.
import type {
  AbiValue, AddressSpaceView, Cpu, LinkedCallResult, LinkedEnding, LinkedInstantiation, UserDomain, UserDomainHandler,
  UserDomainSpec, UserDomainStats, UserFault, UserInstanceSpec,
} from "../hil/index.js";
import { AddressSpace, TranslationLookasideBuffer } from "../node/mmu/index.js";
import {
  DomainUnwind, OutcomeCode, TrapService, TrapWord, buildTrapImports, summarizeInstances, initialSpinState, observeMemory, setUpDomainMemory,
  type DomainMemory, type StubContext, type WorkerFault,
} from "../node/user-domain/index.js";
import { classifyWasmError } from "../../runtime/abi/index.js";

interface SimInstance {
  readonly memory: DomainMemory;
  readonly context: StubContext;
  readonly service: TrapService;
  exports: WebAssembly.Exports | undefined;
}

type WasmFunction = (...core: (number | bigint)[]) => unknown;

/** Two switches per crossing the kernel makes into the domain: in, and back. */
const SWITCHES_PER_CALL = 2;

export class SimUserDomain implements UserDomain {
  readonly processId: number;
  readonly name: string;
  private readonly instances: SimInstance[] = [];
  private endingOutcome: LinkedEnding | undefined;
  private stopped = false;
  private calls = 0;
  private upcalls = 0;

  constructor(private readonly spec: UserDomainSpec, private readonly handler: UserDomainHandler) {
    this.processId = spec.processId;
    this.name = spec.name;
  }

  get ending(): LinkedEnding | undefined {
    return this.endingOutcome;
  }

  ready(): Promise<void> {
    return Promise.resolve();
  }

  addressSpace(instance: number): AddressSpaceView {
    const found = this.instances[instance];
    if (!found) throw new RangeError(`domain ${this.name} has no instance ${instance}`);
    return found.memory.addressSpace;
  }

  instantiate(spec: UserInstanceSpec): LinkedInstantiation {
    if (this.endingOutcome) return { ok: false, reason: "ended", outcome: this.endingOutcome };
    if (spec.kernelEntries.length > 0 || spec.siblings.some((sibling) => sibling.parameters?.some((type) => type === "string" || type === "list<u8>"))) {
      return { ok: false, reason: "link", message: "the simulated CPU links siblings directly only and has no kernel jumps" };
    }
    const memory = setUpDomainMemory({ module: spec.binary, memoryLimitPages: spec.memoryLimitPages, regions: spec.regions });
    if (memory.layoutMemoryPages > memory.memoryLimitPages) {
      return { ok: false, reason: "out-of-memory", message: `module '${spec.name}' needs ${memory.layoutMemoryPages} pages of memory at start (limit ${memory.memoryLimitPages})` };
    }
    this.calls++;
    const trapPage = memory.trapPage;
    const process: StubContext["process"] = { memory: undefined, bytes: new Uint8Array(0), realloc: undefined };
    const service = new TrapService(trapPage, this, this.handler, this.spec.calls);
    const context: StubContext = {
      trapPage, process,
      addressSpace: new AddressSpace(trapPage.pageTable, [], () => process.bytes.byteLength || (process.memory?.buffer.byteLength ?? 0), new TranslationLookasideBuffer(trapPage.pageTable.counters)),
      badPointerPolicy: "efault",
      memoryLimitPages: memory.memoryLimitPages,
      userSpinIterations: 0,
      spin: initialSpinState(0),
      enterKernel: () => this.serveTrap(service, trapPage.header),
      mappedMemoryPages: memory.layoutMemoryPages,
      unwinding: undefined,
    };
    const simInstance: SimInstance = { memory, context, service, exports: undefined };
    this.instances.push(simInstance);
    const imports = buildTrapImports(context, this.spec.calls) as Record<string, Record<string, WebAssembly.ImportValue>>;
    for (const sibling of spec.siblings) {
      const callee = this.instances[sibling.target]?.exports?.[sibling.exportName];
      if (typeof callee === "function") (imports[sibling.importModule] ??= {})[sibling.importName] = callee;
    }
    try {
      const instance = new WebAssembly.Instance(spec.module, imports);
      simInstance.exports = instance.exports;
      if (instance.exports.memory instanceof WebAssembly.Memory) process.memory = instance.exports.memory;
      if (typeof instance.exports.cabi_realloc === "function") process.realloc = instance.exports.cabi_realloc as StubContext["process"]["realloc"];
      observeMemory(context);
      return { ok: true, instance: this.instances.length - 1 };
    } catch (error) {
      if (!context.unwinding && error instanceof WebAssembly.LinkError) return this.refused("link", error.message);
      if (!context.unwinding && error instanceof WebAssembly.CompileError) return this.refused("compile", error.message);
      return { ok: false, reason: "ended", outcome: this.endWith(this.endingFrom(simInstance, error)) };
    }
  }

  call(instance: number, exportName: string, args: readonly AbiValue[]): LinkedCallResult {
    return this.invoke(instance, exportName, args, true);
  }

  private invoke(instance: number, exportName: string, args: readonly AbiValue[], upcall: boolean): LinkedCallResult {
    if (this.endingOutcome) return this.endingOutcome;
    const target = this.instances[instance];
    const callee = target?.exports?.[exportName];
    if (!target || typeof callee !== "function") {
      return this.endWith({ kind: "faulted", fault: { kind: "trap", message: `no exported function '${exportName}' in instance ${instance}` } });
    }
    if (args.some((value) => typeof value === "string" || value instanceof Uint8Array)) {
      return this.endWith({ kind: "faulted", fault: { kind: "kernel", message: "the simulated CPU passes scalar arguments only" } });
    }
    this.calls++;
    if (upcall) this.upcalls++;
    try {
      const value = (callee as WasmFunction)(...(args as (number | bigint)[]));
      if (target.context.unwinding) throw target.context.unwinding;
      if (this.endingOutcome) return this.endingOutcome;
      observeMemory(target.context);
      return { kind: "returned", value: value as AbiValue | undefined };
    } catch (error) {
      return this.endWith(this.endingFrom(target, error));
    }
  }

  start(instance: number, exportName: string): Promise<LinkedCallResult> {
    // The entry is not an upcall: only calls made while the kernel waits are.
    return new Promise((resolve) => queueMicrotask(() => resolve(this.invoke(instance, exportName, [], false))));
  }

  terminate(reason: string): void {
    this.endWith({ kind: "faulted", fault: { kind: "kernel", message: reason } });
    this.stopped = true;
  }

  /** The calling thread is every domain's: there is no thread to keep. */
  release(reason: string): void {
    this.terminate(reason);
  }

  /** The sim domain runs in the kernel's thread on the virtual clock and keeps no CPU budget. */
  entryBegins(): void {}

  stats(): UserDomainStats {
    const summary = summarizeInstances(this.instances.map(({ service, memory }) => ({ service, page: memory.trapPage })));
    const { trapsByCall, ringSwitchesByCall, pageFaults, tlb, pagesMapped, memoryPages } = summary;
    return {
      thread: { id: 0, domainsBefore: 0 },
      ringSwitches: this.calls * SWITCHES_PER_CALL + summary.kernelCallSwitches, trapsByCall, ringSwitchesByCall,
      kernelJumps: 0, upcalls: this.upcalls, instances: this.instances.length,
      pageFaults, tlb, pagesMapped, memoryPages, userMilliseconds: 0, kernelWaitersPending: 0,
      waits: { userSleeps: 0, kernelWaits: 0, kernelYields: 0 },
    };
  }

  /** A trap, answered inline: the kernel's handler runs on this same thread. */
  private serveTrap(service: TrapService, header: Int32Array): void {
    const outcome = this.stopped ? undefined : service.serve(() => this.stopped);
    if (outcome === undefined) {
      // Stopped before or during the call: answer with a fault so the stub unwinds.
      header[TrapWord.outcomeKind] = OutcomeCode.fault;
      return;
    }
    if (outcome.kind === "exit") this.endWith({ kind: "exited", code: outcome.code | 0 });
    if (outcome.kind === "fault") {
      const suffix = outcome.errorCode !== undefined ? ` (error ${outcome.errorCode})` : "";
      this.endWith({ kind: "faulted", fault: { kind: "kernel", message: outcome.reason + suffix } });
    }
  }

  private refused(reason: "link" | "compile", message: string): LinkedInstantiation {
    this.instances.pop();
    return { ok: false, reason, message };
  }

  private endingFrom(instance: SimInstance, error: unknown): LinkedEnding {
    // The module may have caught the unwind (Wasm exception handling) and thrown something else.
    const unwind = instance.context.unwinding ?? (error instanceof DomainUnwind ? error : undefined);
    if (unwind) return unwind.outcome.kind === "exited" ? { kind: "exited", code: unwind.outcome.code } : { kind: "faulted", fault: this.named(instance, unwind.outcome.fault) };
    return { kind: "faulted", fault: this.named(instance, classifyWasmError(error, "worker-crash")) };
  }

  private named(instance: SimInstance, fault: WorkerFault): UserFault {
    const functionName = fault.functionIndex !== undefined ? instance.memory.functionNames.get(fault.functionIndex) : undefined;
    return functionName !== undefined ? { ...fault, functionName } : fault;
  }

  /** The first ending wins: the kernel's exit or kill outranks what unwinding reports later. */
  private endWith(outcome: LinkedEnding): LinkedEnding {
    this.endingOutcome ??= outcome;
    return this.endingOutcome;
  }
}

export class SimCpu implements Cpu {
  createUserDomain(spec: UserDomainSpec, handler: UserDomainHandler): UserDomain {
    return new SimUserDomain(spec, handler);
  }
}
