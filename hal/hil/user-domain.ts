// User domains: one protected domain per process, the only boundary between the kernel and code
// it does not run itself. It holds the process's user-mode module instances (one for a single
// module app, several linked to each other for a multi-module one), takes synchronous calls from
// the kernel (the entry, upcalls) and enters the kernel by kernel calls and, at declared entry
// points, by kernel jumps.
import type { AbiValueType, SyscallDescriptor } from "../../runtime/abi/index.js";
import type { BadPointerPolicy, CrossingWaitStats, TlbStats, UserDomainOutcome } from "./cpu.js";
import type { AddressSpaceView, RegionRequest } from "./mmu.js";
import type { AbiValue, KernelTrapHandler, TrapOutcome } from "./trap.js";

export interface UserDomainSpec {
  readonly processId: number;
  /**
   * The kernel's call table, by call number: the domain's trap stubs are built from it and kernel
   * calls are lifted by it. The HAL knows no other table.
   */
  readonly calls: readonly SyscallDescriptor[];
  /** For logs and fault reports. */
  readonly name: string;
  /** User-mode running time the whole domain may use (all upcalls and the entry together). */
  readonly cpuBudgetMilliseconds: number;
  readonly badPointerPolicy: BadPointerPolicy;
}

/** An import of one instance resolved to an export of an instance created earlier in the same domain. */
export interface LinkedSiblingImport {
  readonly importModule: string;
  readonly importName: string;
  readonly target: number;
  readonly exportName: string;
  /**
   * With a string or list<u8> among them, the call copies that memory from the caller's linear
   * memory into the callee's (both through their page tables); otherwise the callee's exported
   * function itself is the import: a direct Wasm→Wasm link.
   */
  readonly parameters?: readonly AbiValueType[];
}

/** An import that enters the kernel at a declared entry point (`syskerneljump`). */
export interface LinkedKernelEntryImport {
  readonly importModule: string;
  readonly importName: string;
  /** Handed back to `handleKernelJump`; the only way the domain names a kernel entry. */
  readonly jumpIndex: number;
  /** Strings and byte lists are lifted out of the caller's memory through its page table. */
  readonly parameters?: readonly AbiValueType[];
}

export interface UserInstanceSpec {
  /** The module's name, for fault reports. */
  readonly name: string;
  readonly module: WebAssembly.Module;
  /** The module's bytes: the MMU model reads the memory layout and function names from them. */
  readonly binary: Uint8Array;
  /** Upper bound on this instance's linear memory in 64 KiB pages. */
  readonly memoryLimitPages: number;
  /** Extra regions the kernel maps over the derived layout (shared data, read-only pages). */
  readonly regions?: readonly RegionRequest[];
  readonly siblings: readonly LinkedSiblingImport[];
  readonly kernelEntries: readonly LinkedKernelEntryImport[];
}

export type LinkedInstantiation =
  | { readonly ok: true; readonly instance: number }
  /** `link`/`compile`: the module could not be instantiated; the domain lives on. */
  | { readonly ok: false; readonly reason: "link" | "compile"; readonly message: string }
  /** The module's initial memory does not fit the instance's limit; the domain lives on. */
  | { readonly ok: false; readonly reason: "out-of-memory"; readonly message: string }
  /** The domain ended while instantiating (a start function trapped or exited). */
  | { readonly ok: false; readonly reason: "ended"; readonly outcome: LinkedEnding };

export type LinkedEnding = Extract<UserDomainOutcome, { kind: "exited" | "faulted" }>;

export type LinkedCallResult =
  | { readonly kind: "returned"; readonly value: AbiValue | undefined }
  | LinkedEnding;

export interface UserDomainHandler extends KernelTrapHandler {
  /**
   * A kernel jump: runs on the kernel thread with the arguments already lifted through the
   * caller's page table. It may call back into the same domain (an upcall) before it returns.
   */
  handleKernelJump(domain: DomainIdentity, jumpIndex: number, args: readonly AbiValue[]): TrapOutcome;
}

export interface DomainIdentity {
  readonly processId: number;
  readonly name: string;
}

export interface UserDomainStats {
  /**
   * The thread the domain ran on. Domains with the same `id` shared one thread, one after the
   * other; `domainsBefore` counts the domains it served before this one. The simulator runs every
   * domain on the calling thread: id 0, none before.
   */
  readonly thread: { readonly id: number; readonly domainsBefore: number };
  /** Crossings between the domain and the kernel, both directions: every call in or out and its return. */
  readonly ringSwitches: number;
  /** Kernel calls by call name. */
  readonly trapsByCall: Readonly<Record<string, number>>;
  /** Ring switches of kernel calls by call name: two per answered call, one for a call never answered. */
  readonly ringSwitchesByCall: Readonly<Record<string, number>>;
  /** Model pages currently mapped present, over all instances. */
  readonly pagesMapped: number;
  /** Linear memory in Wasm pages over all instances, as last observed. */
  readonly memoryPages: number;
  /** Whether the kernel side still has a wait outstanding on this domain (0 after it ended). */
  readonly kernelWaitersPending: number;
  /** How the two sides waited for each other: what spin-then-wait cost. */
  readonly waits: CrossingWaitStats;
  readonly kernelJumps: number;
  readonly upcalls: number;
  readonly instances: number;
  readonly pageFaults: number;
  readonly tlb: TlbStats;
  readonly userMilliseconds: number;
}

/** A running user domain: its own isolate, reachable only through the crossings above. */
export interface UserDomain extends DomainIdentity {
  /** Settles once the domain's thread is up (or the domain ended): instantiate will not wait for it. */
  ready(): Promise<void>;
  /** The kernel's view of one instance's address space (protect, map, translate for diagnostics). */
  addressSpace(instance: number): AddressSpaceView;
  /** Creates an instance; blocks the kernel thread until the domain answers (servicing its traps). */
  instantiate(spec: UserInstanceSpec): LinkedInstantiation;
  /**
   * An upcall: lowers `args` into the instance (strings and byte lists through its
   * cabi_realloc), runs the export and returns its scalar result. Blocks the kernel thread and
   * services the domain's kernel calls and kernel jumps while it waits.
   */
  call(instance: number, exportName: string, args: readonly AbiValue[]): LinkedCallResult;
  /** Runs an export without blocking the kernel thread (a process's entry). */
  start(instance: number, exportName: string): Promise<LinkedCallResult>;
  /** Set once the domain has ended; every later call answers with it. */
  readonly ending: LinkedEnding | undefined;
  stats(): UserDomainStats;
  /**
   * The process has finished handling one event and asks for the next (its `serve` loop is in
   * `events.wait`): the CPU budget counts from here, as fuel counts per `dispatch` in the kernel
   * domain, so a long-lived server is bounded per event, not for its whole life.
   */
  entryBegins(): void;
  /** Stops the domain now; ends it as a `kernel` fault with `reason` unless it already ended. */
  terminate(reason: string): void;
  /**
   * The kernel is done with the domain: ends it as `terminate(reason)` does. An implementation
   * may give the domain's thread to a later domain when the domain ended normally and the thread
   * sits idle; nothing of this domain is then visible to the next (the clean-isolate guarantee,
   * docs/hal/README.md). A kill is `terminate`: its thread is never reused.
   */
  release(reason: string): void;
}
