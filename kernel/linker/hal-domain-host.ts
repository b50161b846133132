// User domains for the linker on the HAL's CPU: a process's user-mode instances live in one
// user domain — a worker isolate, out of the kernel's reach — and every upcall, kernel jump
// and kernel call between it and the kernel is a counted crossing through the HAL. The kernel
// side of a crossing runs the same syscall table and the same linker code as the kernel domain.
import type { AbiValue, Cpu, UserDomainStats, LinkedEnding, UserDomain, TrapOutcome } from "../../hal/hil/index.js";
import { syscallDescriptors } from "../../runtime/abi/index.js";
import type { ResourceLimits } from "../policy/index.js";
import { RESUMED_AS_CALL, USER_MODE, WAIT_CONDITION_OF_CALL, answersWouldBlock, type WaitCondition } from "../services/index.js";
import type { CallContext } from "../syscalls/context.js";
import { describeEnding, dispatchLifted } from "../syscalls/dispatch-lifted.js";
import { SyscallFault } from "../syscalls/failure.js";
import { ProcessExit } from "../syscalls/signals.js";
import { statusFromOutcome } from "./domain-outcome.js";
import type { CrossingValue } from "./crossing.js";
import type { CrossingParameters, KernelJumpHandler, HostedUserDomain, UserDomainHost, UserInstanceId, UserInstanceRequest } from "./domain-host.js";

const modeCurrentNumber = syscallDescriptors.find((descriptor) => descriptor.qualifiedName === "mode.current")!.number;
/** The calls a user domain may wait in, by number (kernel/services/blocking-calls.ts). */
const waitConditionByNumber: readonly (WaitCondition | undefined)[] = syscallDescriptors.map((descriptor) => WAIT_CONDITION_OF_CALL.get(descriptor.qualifiedName));
/** What a parked call is served as when it is taken up again, by number (blocking-calls.ts RESUMED_AS_CALL). */
const resumedAsByNumber: readonly (number | undefined)[] = syscallDescriptors.map((descriptor) => {
  const resumedAs = RESUMED_AS_CALL.get(descriptor.qualifiedName);
  return resumedAs === undefined ? undefined : syscallDescriptors.find((candidate) => candidate.qualifiedName === resumedAs)!.number;
});
/** The arguments of a call served as its waiting part: those calls take none. */
const NO_ARGUMENTS: readonly AbiValue[] = [];

class HalUserDomain implements HostedUserDomain {
  private readonly domain: UserDomain;
  /**
   * The exception kernel code threw while serving a kernel call or a kernel jump (an exit, an
   * abort, a fuel fault, a kill). The domain unwinds because of it; the process ends with it,
   * exactly as in the kernel domain.
   */
  private kernelSideEnding: unknown;

  constructor(readonly domainId: number, cpu: Cpu, context: CallContext, kernelJump: KernelJumpHandler, cpuBudgetMilliseconds: number) {
    this.domain = cpu.createUserDomain({
      processId: context.process.processId,
      name: context.process.name,
      calls: syscallDescriptors,
      cpuBudgetMilliseconds,
      badPointerPolicy: "efault",
    }, {
      handleTrap: (_domain, syscallNumber, callArgs, canWait, resumed) => {
        // The process may have instances in both domains: `mode.current` answers for this one.
        if (syscallNumber === modeCurrentNumber) return { kind: "return", value: USER_MODE };
        // A parked call whose first part ran is served again as only its waiting part.
        const resumedAs = resumed ? resumedAsByNumber[syscallNumber] : undefined;
        const served = resumedAs ?? syscallNumber;
        const args = resumedAs === undefined ? callArgs : NO_ARGUMENTS;
        const outcome = dispatchLifted(context, served, args, this.noteEnding);
        // A call that would block: a user domain waits in it (blocking-calls.ts), holding no CPU.
        if (canWait && outcome.kind === "return" && answersWouldBlock(outcome.value)) {
          const until = waitConditionByNumber[served]?.(context, args);
          if (until) return { kind: "wait", until };
        }
        return outcome;
      },
      handleKernelJump: (_domain, jumpIndex, args) => this.kernelJump(kernelJump, jumpIndex, args),
    });
  }

  /** The first ending kernel code decided for this process: it outranks how the domain unwound. */
  private readonly noteEnding = (ending: unknown): void => {
    this.kernelSideEnding ??= ending;
  };

  private kernelJump(kernelJump: KernelJumpHandler, jumpIndex: number, args: readonly AbiValue[]): TrapOutcome {
    try {
      return { kind: "return", value: kernelJump(jumpIndex, args) as AbiValue | undefined };
    } catch (error) {
      this.noteEnding(error);
      if (error instanceof ProcessExit) return { kind: "exit", code: error.code };
      return { kind: "fault", reason: describeEnding(error) };
    }
  }

  instantiate(request: UserInstanceRequest): UserInstanceId {
    const image = request.image;
    const result = this.domain.instantiate({
      name: image.name,
      module: request.module,
      binary: image.originalBytes,
      memoryLimitPages: request.memoryLimitPages,
      siblings: request.siblings.map(({ importModule, importName, target, exportName, parameters }) => ({ importModule, importName, target, exportName, parameters })),
      kernelEntries: request.kernelJumps.map(({ importModule, importName, jumpIndex, parameters }) => ({ importModule, importName, jumpIndex, parameters })),
    });
    if (result.ok) return result.instance;
    if (result.reason === "ended") throw this.endingError(result.outcome);
    if (result.reason === "out-of-memory") throw new SyscallFault({ kind: "out-of-memory", message: result.message });
    throw result.reason === "link" ? new WebAssembly.LinkError(result.message) : new WebAssembly.CompileError(result.message);
  }

  call(instance: UserInstanceId, exportName: string, args: readonly CrossingValue[], _parameters: CrossingParameters): CrossingValue | undefined {
    const result = this.domain.call(instance, exportName, args);
    if (result.kind === "returned") return result.value;
    throw this.endingError(result);
  }

  async run(instance: UserInstanceId, exportName: string): Promise<number> {
    const result = await this.domain.start(instance, exportName);
    if (result.kind === "returned") return typeof result.value === "number" ? result.value | 0 : 0;
    throw this.endingError(result);
  }

  ready(): Promise<void> {
    return this.domain.ready();
  }

  terminate(reason: string): void {
    this.domain.terminate(reason);
  }

  get crossings(): number {
    return this.domain.stats().ringSwitches;
  }

  /** The HAL's counters for this domain: ring switches, kernel calls by name, MMU activity. */
  stats(): UserDomainStats {
    return this.domain.stats();
  }

  entryBegins(): void {
    this.domain.entryBegins();
  }

  dispose(): void {
    // A thread left idle by a normal end may serve the next process (the HAL decides).
    this.domain.release("the process is done with its user domain");
  }

  /** What ends the process, as the kernel domain would have thrown it. */
  private endingError(ending: LinkedEnding): unknown {
    if (this.kernelSideEnding !== undefined) return this.kernelSideEnding;
    if (ending.kind === "exited") return new ProcessExit(ending.code);
    const status = statusFromOutcome(ending);
    return new SyscallFault(status.kind === "faulted" ? status.fault : { kind: "killed", message: "the user domain ended" });
  }
}

/** The real user-domain host: a protection boundary, one worker isolate per process. */
export class HalUserDomainHost implements UserDomainHost {
  readonly isProtectionBoundary = true as const;
  readonly description: string = "HAL user domains: one worker isolate per process; upcalls, kernel jumps and kernel calls cross through the trap channel";
  readonly acceptsUpcallDuringKernelJump: boolean = true;
  private nextDomainId = 1;

  constructor(private readonly cpu: Cpu) {}

  createDomain(context: CallContext, kernelJump: KernelJumpHandler, limits: ResourceLimits): HostedUserDomain {
    return new HalUserDomain(this.nextDomainId++, this.cpu, context, kernelJump, limits.cpuMilliseconds);
  }
}
