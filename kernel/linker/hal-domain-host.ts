// User domains for the linker on the HAL's CPU: a process's user-mode instances live in one
// linked domain — a worker isolate, out of the kernel's reach — and every upcall, kernel jump
// and kernel call between it and the kernel is a counted crossing through the HAL. The kernel
// side of a crossing runs the same syscall table and the same linker code as the kernel domain.
import type { AbiValue, Cpu, UserDomainStats, LinkedEnding, UserDomain, TrapOutcome } from "../../hal/hil/index.js";
import { syscallDescriptors, type ManifestLimits } from "../../runtime/abi/index.js";
import type { ModuleImage } from "../loader/index.js";
import { DEFAULT_USER_CPU_MILLISECONDS, DEFAULT_USER_MEMORY_PAGES } from "../params.js";
import { USER_MODE } from "../services/index.js";
import type { CallContext } from "../syscalls/context.js";
import { describeEnding, dispatchLifted } from "../syscalls/dispatch-lifted.js";
import { SyscallFault } from "../syscalls/failure.js";
import { ProcessExit } from "../syscalls/signals.js";
import { statusFromOutcome } from "./domain-outcome.js";
import type { CrossingValue } from "./crossing.js";
import type { CrossingParameters, KernelJumpHandler, HostedUserDomain, UserDomainHost, UserInstanceId, UserInstanceRequest } from "./domain-host.js";

const modeCurrentNumber = syscallDescriptors.find((descriptor) => descriptor.qualifiedName === "mode.current")!.number;

/**
 * A user domain runs a module as loaded, without the verifier's fuel rewrite: its running time
 * is bounded by the domain's CPU budget instead. Compiled once per image.
 */
const uninstrumentedModules = new WeakMap<ModuleImage, WebAssembly.Module>();

function uninstrumentedModule(image: ModuleImage): WebAssembly.Module {
  if (image.bytes === image.originalBytes) return image.module;
  let module = uninstrumentedModules.get(image);
  if (!module) {
    module = new WebAssembly.Module(image.originalBytes);
    uninstrumentedModules.set(image, module);
  }
  return module;
}

class HalUserDomain implements HostedUserDomain {
  private readonly domain: UserDomain;
  /**
   * The exception kernel code threw while serving a kernel jump (an exit, a fuel fault, a kill).
   * The domain unwinds because of it; the process ends with it, exactly as in the kernel domain.
   */
  private kernelSideEnding: unknown;

  constructor(readonly domainId: number, cpu: Cpu, context: CallContext, kernelJump: KernelJumpHandler, cpuBudgetMilliseconds: number) {
    this.domain = cpu.createUserDomain!({
      processId: context.process.processId,
      name: context.process.name,
      cpuBudgetMilliseconds,
      badPointerPolicy: "efault",
    }, {
      // The process may have instances in both domains: `mode.current` answers for this one.
      handleTrap: (_domain, syscallNumber, args) => syscallNumber === modeCurrentNumber
        ? { kind: "return", value: USER_MODE }
        : dispatchLifted(context, syscallNumber, args, this.noteEnding),
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
      module: uninstrumentedModule(image),
      binary: image.originalBytes,
      memoryLimitPages: image.manifest.limits?.memoryPages ?? DEFAULT_USER_MEMORY_PAGES,
      siblings: request.siblings.map(({ importModule, importName, target, exportName, parameters }) => ({ importModule, importName, target, exportName, parameters })),
      kernelEntries: request.kernelJumps.map(({ importModule, importName, jumpIndex, parameters }) => ({ importModule, importName, jumpIndex, parameters })),
    });
    if (result.ok) return result.instance;
    if (result.reason === "ended") throw this.endingError(result.outcome);
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

  dispose(): void {
    this.domain.terminate("the process is done with its user domain");
  }

  /** What ends the process, as the kernel domain would have thrown it. */
  private endingError(ending: LinkedEnding): unknown {
    if (this.kernelSideEnding !== undefined) return this.kernelSideEnding;
    if (ending.kind === "exited") return new ProcessExit(ending.code);
    const status = statusFromOutcome(ending);
    return new SyscallFault(status.kind === "faulted" ? status.fault : { kind: "killed", message: "the user domain ended" });
  }
}

export interface HalUserDomainHostOptions {
  /** User-mode time a process's domain may use when the main module's manifest sets none. */
  readonly cpuBudgetMilliseconds?: number;
}

/** The real user-domain host: a protection boundary, one worker isolate per process. */
export class HalUserDomainHost implements UserDomainHost {
  readonly isProtectionBoundary = true as const;
  readonly description: string = "HAL user domains: one worker isolate per process; upcalls, kernel jumps and kernel calls cross through the trap channel";
  readonly acceptsUpcallDuringKernelJump: boolean = true;
  private nextDomainId = 1;

  constructor(private readonly cpu: Cpu, private readonly options: HalUserDomainHostOptions = {}) {
    if (!cpu.createUserDomain) throw new RangeError("this CPU cannot host linked user domains");
  }

  createDomain(context: CallContext, kernelJump: KernelJumpHandler, limits?: ManifestLimits): HostedUserDomain {
    const budget = limits?.cpuMilliseconds ?? this.options.cpuBudgetMilliseconds ?? DEFAULT_USER_CPU_MILLISECONDS;
    return new HalUserDomain(this.nextDomainId++, this.cpu, context, kernelJump, budget);
  }
}
