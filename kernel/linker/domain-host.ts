// The seam between the linker and user domains. The linker decides what runs where; a
// UserDomainHost makes a user domain real. `HalUserDomainHost` (hal-domain-host.ts) implements
// it over the HAL's user domains: one worker isolate per process.
import type { UserDomainStats } from "../../hal/hil/index.js";
import type { AbiValueType } from "../../runtime/abi/index.js";
import type { ResourceLimits } from "../policy/index.js";
import type { ModuleImage } from "../loader/index.js";
import type { CallContext } from "../syscalls/context.js";
import type { CrossingValue } from "./crossing.js";

/** Index of an instance inside its user domain, in instantiation order. */
export type UserInstanceId = number;

/** Canonical-ABI parameter types of a crossing call; undefined passes core values through. */
export type CrossingParameters = readonly AbiValueType[] | undefined;

/**
 * The kernel side of `syskerneljump`: the domain's trap stub lifts the arguments out of the
 * user instance's memory (through the page table) and calls this with the index the linker
 * gave the import. It returns the scalar result, or throws what ends the process
 * (ProcessExit, ProcessAbort, SyscallFault) for the trap stub to turn into a process end.
 */
export type KernelJumpHandler = (jumpIndex: number, args: readonly CrossingValue[]) => CrossingValue | undefined;

export interface SiblingImport {
  readonly importModule: string;
  readonly importName: string;
  /** An instance created earlier in the same domain. */
  readonly target: UserInstanceId;
  readonly exportName: string;
  /**
   * When these carry memory (string, list<u8>), the host copies through a small adapter
   * (lift from the caller, lower through the callee's cabi_realloc); otherwise it must pass
   * the callee's exported function itself as the import: a direct Wasm→Wasm link.
   */
  readonly parameters: CrossingParameters;
}

export interface KernelJumpImport {
  readonly importModule: string;
  readonly importName: string;
  /** Passed back to the KernelJumpHandler; the only way user code names a kernel entry. */
  readonly jumpIndex: number;
  readonly parameters: CrossingParameters;
}

export interface UserInstanceRequest {
  readonly image: ModuleImage;
  /** The code to run: the image's, with memory and table maximums bounded by the process's limits. */
  readonly module: WebAssembly.Module;
  /** Upper bound on the instance's linear memory, in 64 KiB pages. */
  readonly memoryLimitPages: number;
  /** Imports resolved inside this domain. */
  readonly siblings: readonly SiblingImport[];
  /** Imports that enter the kernel at a declared AlwaysKernelMode entry point. */
  readonly kernelJumps: readonly KernelJumpImport[];
}

export interface HostedUserDomain {
  readonly domainId: number;
  /**
   * Instantiates `image` in this domain. Its kernel ABI imports are the host's trap stubs,
   * serviced by the syscall table with the domain's CallContext; `mode.current` answers 0.
   */
  instantiate(request: UserInstanceRequest): UserInstanceId;
  /**
   * An upcall: runs `exportName` synchronously and returns its scalar result. The kernel thread
   * blocks until the domain answers, and while it waits it must keep servicing this domain's
   * traps (kernel calls and kernel jumps), because the callee may make them. Throws what ends
   * the process (ProcessExit, ProcessAbort, SyscallFault, or a Wasm trap).
   */
  call(instance: UserInstanceId, exportName: string, args: readonly CrossingValue[], parameters: CrossingParameters): CrossingValue | undefined;
  /** Runs the process's entry (`main`) in this domain without blocking the kernel thread. */
  run(instance: UserInstanceId, exportName: string): Promise<number>;
  /** Settles when the domain's thread is up, so instantiating will not block on its start. */
  ready(): Promise<void>;
  /** Stops the domain now (a kill); the running entry ends as a `killed` fault with `reason`. */
  terminate(reason: string): void;
  /** Domain crossings (either direction) since the domain was created: upcalls, kernel jumps, kernel calls. */
  readonly crossings: number;
  /** The HAL's counters for the domain, where the host keeps them (for `--stats`). */
  stats(): UserDomainStats;
  /**
   * The process has finished handling one event and asks for the next (its `serve` loop is in
   * `events.wait`): the CPU budget counts from here, as fuel counts per `dispatch` in the kernel
   * domain, so a long-lived server is bounded per event, not for its whole life.
   */
  entryBegins(): void;
  dispose(): void;
}

export interface UserDomainHost {
  /** True only when user domains are physically out of the kernel's reach (a Worker isolate). */
  readonly isProtectionBoundary: boolean;
  /** One line for `--stats` and logs: what this host is. */
  readonly description: string;
  /**
   * Whether an upcall may enter a domain that is itself waiting in a kernel jump (user → kernel
   * → user again). The kernel refuses such re-entry when this is false instead of deadlocking.
   */
  readonly acceptsUpcallDuringKernelJump: boolean;
  /**
   * A user domain for one process; kernel calls from it are serviced with `context`. `limits`
   * are the main module's (its CPU budget bounds the domain's user-mode time).
   */
  createDomain(context: CallContext, kernelJump: KernelJumpHandler, limits: ResourceLimits): HostedUserDomain;
}
