// One module's entry in a user domain of its own, the way the kernel runs a single-module app
// in a user domain: create the domain, wait for its thread, instantiate, run the entry. Works
// on any CPU; the HAL's conformance suites and benchmarks drive domains through it.
import type {
  AddressSpaceView, BadPointerPolicy, Cpu, KernelTrapHandler, RegionRequest, UserDomain, UserDomainOutcome, UserDomainStats,
} from "../../hil/index.js";
import type { SyscallDescriptor } from "../../../runtime/abi/index.js";

export interface ModuleRunSpec {
  readonly processId: number;
  /** The kernel's call table the domain's stubs are built from. */
  readonly calls: readonly SyscallDescriptor[];
  readonly name: string;
  /** The module to run: bytes, or a compiled module with its bytes in `binary`. */
  readonly module: WebAssembly.Module | Uint8Array;
  /**
   * The module's bytes when `module` is compiled: the MMU model reads the memory layout and
   * function names from them. Without them a compiled module gets a flat layout (all heap).
   */
  readonly binary?: Uint8Array;
  /** The export to call; its i32 result becomes the `returned` value. */
  readonly entry: string;
  readonly memoryLimitPages: number;
  readonly cpuBudgetMilliseconds: number;
  readonly badPointerPolicy: BadPointerPolicy;
  readonly regions?: readonly RegionRequest[];
}

export interface RunningModule {
  readonly domain: UserDomain;
  /** Settles once, after the entry ended and the domain stopped. Never rejects. */
  readonly completion: Promise<UserDomainOutcome>;
  /** The instance's address space; undefined until it is instantiated. */
  addressSpace(): AddressSpaceView | undefined;
  stats(): UserDomainStats;
  terminate(reason: string): void;
}

/** Without the bytes the model cannot read a layout: an empty module stands in for the facts. */
const NO_LAYOUT = new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);

export function runModule(cpu: Cpu, spec: ModuleRunSpec, handler: KernelTrapHandler): RunningModule {
  const domain = cpu.createUserDomain({
    processId: spec.processId, name: spec.name, calls: spec.calls, cpuBudgetMilliseconds: spec.cpuBudgetMilliseconds, badPointerPolicy: spec.badPointerPolicy,
  }, {
    handleTrap: (caller, syscallNumber, args) => handler.handleTrap(caller, syscallNumber, args),
    // One module declares no kernel entries: a jump cannot be imported, so it cannot arrive.
    handleKernelJump: (_caller, jumpIndex) => ({ kind: "fault", reason: `kernel jump ${jumpIndex}: a single module has no kernel entries` }),
  });
  let instance: number | undefined;
  const run = async (): Promise<UserDomainOutcome> => {
    await domain.ready();
    let module: WebAssembly.Module;
    try {
      module = spec.module instanceof WebAssembly.Module ? spec.module : new WebAssembly.Module(spec.module as Uint8Array<ArrayBuffer>);
    } catch (error) {
      return { kind: "faulted", fault: { kind: "trap", message: `module cannot run: ${(error as Error).message}` } };
    }
    const binary = spec.module instanceof Uint8Array ? spec.module : spec.binary ?? NO_LAYOUT;
    const created = domain.instantiate({ name: spec.name, module, binary, memoryLimitPages: spec.memoryLimitPages, regions: spec.regions, siblings: [], kernelEntries: [] });
    if (!created.ok) {
      if (created.reason === "ended") return created.outcome;
      if (created.reason === "out-of-memory") return { kind: "faulted", fault: { kind: "out-of-memory", message: created.message } };
      return { kind: "faulted", fault: { kind: "trap", message: `module cannot run: ${created.message}` } };
    }
    instance = created.instance;
    if (!WebAssembly.Module.exports(module).some((entry) => entry.name === spec.entry && entry.kind === "function")) {
      return { kind: "faulted", fault: { kind: "trap", message: `module exports no function '${spec.entry}'` } };
    }
    const result = await domain.start(instance, spec.entry);
    return result.kind === "returned" ? { kind: "returned", value: typeof result.value === "number" ? result.value | 0 : 0 } : result;
  };
  const completion = run().then((outcome) => {
    domain.release("the entry has ended");
    return outcome;
  });
  return {
    domain,
    completion,
    addressSpace: () => instance === undefined ? undefined : domain.addressSpace(instance),
    stats: () => domain.stats(),
    terminate: (reason) => domain.terminate(reason),
  };
}
