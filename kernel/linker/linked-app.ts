// A linked app: every instance of the plan created in its domain, imports resolved as the plan
// says, and per-edge counters of calls and mode switches. Same-domain scalar edges pass the
// callee's exported function itself as the import (Wasm→Wasm, nothing in between); only
// crossings and copies go through JS.
import type { ModuleImage } from "../loader/index.js";
import { entryFuel, moduleLimits, type Principal, type ResourceLimits } from "../policy/index.js";
import type { ExitStatus } from "../process/index.js";
import { InstanceMemory } from "../sip/instance-memory.js";
import { statusFromException } from "../sip/run-in-kernel.js";
import { fuelGaugeOf, fuelGlobalOf, meteredCallOf, meteredCallOfThree, setFuel, type FuelGauge, type MeteredCall, type MeteredCallOfThree } from "../../verifier/index.js";
import { DELIVER_EXPORT, DISPATCH_EXPORT, EventKind, type Manifest } from "../../runtime/abi/index.js";
import type { EventSource } from "../events/index.js";
import type { CallContext } from "../syscalls/context.js";
import { SyscallFault } from "../syscalls/failure.js";
import type { AppImage } from "./app-image.js";
import { kernelAbiImportsFor } from "./bind-kernel-abi.js";
import type { KernelInstancePool } from "./instance-pool.js";
import { runMovedStart } from "../sip/run-in-kernel.js";
import { runWithinTime } from "../sip/entry-guard.js";
import { copyArguments, liftArguments, lowerArguments, type CoreValue, type CrossingValue } from "./crossing.js";
import type { KernelJumpImport, SiblingImport, HostedUserDomain, UserDomainHost, UserInstanceId } from "./domain-host.js";
import { boundedModule } from "./bounded-module.js";
import { MAX_UPCALL_DEPTH } from "./limits.js";
import { LinkError } from "./link-error.js";
import { instanceKey, instantiationOrder, modeSwitchesPerCall, type EdgePlan, type InstancePlacement, type LinkPlan, type ResolutionKind } from "./plan.js";

/** One import edge's counters: what `--stats` prints and the conformance suite checks. */
export interface EdgeCounter {
  readonly callerModule: string;
  readonly callerDomain: string;
  /** `module.function` of the callee. */
  readonly callee: string;
  readonly calleeDomain: string;
  readonly kind: ResolutionKind;
  /** Calls made over the edge; undefined for direct links, which are not wrapped and never switch modes. */
  calls: number | undefined;
  modeSwitches: number;
}

type WasmFunction = (...core: CoreValue[]) => unknown;

/** One declared way into the kernel for this app's user domain; the callee is found on first use. */
interface KernelJumpEntry {
  readonly edge: EdgePlan;
  readonly counter: EdgeCounter;
  readonly calleeImage: ModuleImage;
  target?: KernelInstance;
}

interface KernelInstance {
  readonly instance: WebAssembly.Instance;
  readonly memory: InstanceMemory;
}

/** A start function ended the link (a trap, an exit, a kill): the refusal carries that ending for the process. */
function startFunctionEnded(placement: InstancePlacement, error: unknown, image: ModuleImage): LinkError {
  const ending = statusFromException(error, image);
  const how = ending.kind === "exited" ? `exit(${ending.code})` : `${ending.fault.kind}: ${ending.fault.message}`;
  return new LinkError(placement.module, "(module)", "instantiation-failed", `instantiation in the ${placement.domain} domain failed: its start function ended: ${how}`, ending);
}

export class LinkedApp {
  readonly counters: EdgeCounter[];
  readonly userDomain: HostedUserDomain | undefined;
  private readonly kernelInstances = new Map<string, KernelInstance>();
  private readonly userInstances = new Map<string, UserInstanceId>();
  private readonly kernelJumps: KernelJumpEntry[] = [];
  private upcallDepth = 0;
  /** The budget of the kernel-domain entry running now: what a FuelExhausted fault reports. */
  private fuelBudget = 0;
  private kernelJumpDepth = 0;
  /** The CPU budget that bounds this app's kernel-domain code when some of it is unverified (carries no fuel). */
  private readonly unfueledKernelMilliseconds: number | undefined;

  /**
   * `pool`, when given, supplies this app's kernel-domain instances that import nothing from other
   * modules (every single-module app's): pre-made, given to this process alone (instance-pool.ts).
   */
  constructor(readonly app: AppImage, readonly plan: LinkPlan, readonly principal: Principal, private readonly context: CallContext, readonly host: UserDomainHost | undefined, private readonly pool?: KernelInstancePool) {
    this.counters = plan.edges.map((edge) => ({
      callerModule: edge.caller.module, callerDomain: edge.caller.domain,
      callee: `${edge.callee.module}.${edge.functionName}`, calleeDomain: edge.callee.domain,
      kind: edge.kind, calls: edge.kind === "direct" ? undefined : 0, modeSwitches: 0,
    }));
    const needsUserDomain = plan.instances.some((instance) => instance.domain === "user");
    if (needsUserDomain && !host) {
      throw new LinkError(plan.main.module, "main", "no-user-domains", "the plan puts instances in a user domain, but this kernel has no user-domain host");
    }
    const mainLimits = this.limitsOf(app.modules.get(plan.main.module)!);
    this.unfueledKernelMilliseconds = plan.instances.some((instance) => instance.domain === "kernel" && !instance.verified) ? mainLimits.cpuMilliseconds : undefined;
    this.userDomain = needsUserDomain ? host!.createDomain(context, (index, args) => this.kernelJump(index, args), mainLimits) : undefined;
  }

  /**
   * Settles once the user domain (if any) can take instances without the kernel thread blocking
   * on its thread's start-up: a new thread takes tens of milliseconds, the kernel's to spend on
   * other processes meanwhile.
   */
  async ready(): Promise<void> {
    await this.userDomain?.ready();
  }

  /**
   * Creates every instance of the plan, in dependency order, each start function run before the
   * next instance is made; blocks on user-domain instantiations and start functions.
   */
  link(): void {
    try {
      for (const placement of instantiationOrder(this.plan.instances, this.plan.edges)) {
        const pending = this.instantiate(placement);
        if (pending) this.startFailure(placement, () => this.userDomain!.call(pending.instance, pending.startExport, [], undefined));
      }
    } catch (error) {
      // No process will run: its domain (a thread) must not outlive the failed link.
      this.dispose();
      throw error;
    }
  }

  /**
   * `link` for a process the kernel is starting: a user-domain start function (top-level code,
   * which may run for as long as its CPU budget allows) runs without blocking the kernel thread.
   */
  async linkWithoutBlocking(): Promise<void> {
    try {
      for (const placement of instantiationOrder(this.plan.instances, this.plan.edges)) {
        const pending = this.instantiate(placement);
        if (!pending) continue;
        let failure: unknown;
        await this.userDomain!.run(pending.instance, pending.startExport).catch((error: unknown) => { failure = error; });
        if (failure !== undefined) this.startFailure(placement, () => { throw failure; });
      }
    } catch (error) {
      this.dispose();
      throw error;
    }
  }

  /** Runs a start function; how it ends, if not by returning, ends the link (not the kernel). */
  private startFailure(placement: InstancePlacement, start: () => unknown): void {
    try {
      start();
    } catch (error) {
      throw startFunctionEnded(placement, error, this.image(placement.module));
    }
  }

  /**
   * Runs kernel-domain code of this app: directly when every kernel-domain instance carries fuel
   * (verified), under a time bound when one does not (entry-guard.ts says why).
   */
  private guarded<T>(entry: () => T): T {
    if (this.unfueledKernelMilliseconds === undefined) return entry();
    return runWithinTime(entry, this.unfueledKernelMilliseconds);
  }

  /** What one module may use: its manifest's asks within the principal's ceilings (checked at plan time). */
  private limitsOf(image: ModuleImage): ResourceLimits {
    return moduleLimits(image.manifest, this.principal.limits);
  }

  private image(module: string): ModuleImage {
    return this.app.modules.get(module)!;
  }

  /** Creates one instance; a user-domain instance whose start function is still to run says so. */
  private instantiate(placement: InstancePlacement): { instance: UserInstanceId; startExport: string } | undefined {
    const outgoing = this.plan.edges.map((edge, index) => ({ edge, counter: this.counters[index]! }))
      .filter(({ edge }) => instanceKey(edge.caller) === instanceKey(placement));
    const image = this.image(placement.module);
    try {
      if (placement.domain === "kernel") {
        this.instantiateInKernel(placement, image, outgoing);
        return undefined;
      }
      return this.instantiateInUserDomain(placement, image, outgoing);
    } catch (error) {
      // Already a refusal with its ending (a memory or table minimum over the limits): kept as is.
      if (error instanceof LinkError) throw error;
      if (error instanceof WebAssembly.LinkError || error instanceof WebAssembly.CompileError) {
        throw new LinkError(placement.module, "(module)", "instantiation-failed", `instantiation in the ${placement.domain} domain failed (an import's signature differs from the export's?): ${error.message}`);
      }
      // A start function that traps, exits or is killed ends the link, not the kernel.
      throw startFunctionEnded(placement, error, image);
    }
  }

  private instantiateInKernel(placement: InstancePlacement, image: ModuleImage, outgoing: { edge: EdgePlan; counter: EdgeCounter }[]): void {
    const bounded = boundedModule(image, "kernel", this.limitsOf(image));
    let instance: WebAssembly.Instance;
    let memory: InstanceMemory;
    if (this.pool && outgoing.length === 0) {
      // Imports only from the kernel: nothing of this process is in them but the process, bound now.
      const taken = this.pool.take(bounded.module);
      taken.abi.bind(this.context.process, () => this.fuelBudget);
      ({ instance, memory } = taken);
    } else {
      memory = new InstanceMemory();
      const imports = kernelAbiImportsFor(this.context, memory, "kernel", () => this.fuelBudget);
      for (const { edge, counter } of outgoing) {
        (imports[edge.importModule] ??= {})[edge.importName] = this.kernelSideImport(edge, counter, memory);
      }
      instance = new WebAssembly.Instance(bounded.module, imports as WebAssembly.Imports);
      memory.attach(instance);
    }
    this.kernelInstances.set(instanceKey(placement), { instance, memory });
    // After attaching: the start function's kernel calls need the memory.
    this.guarded(() => runMovedStart(instance, bounded.startExport));
  }

  /** The import a kernel-domain caller gets for one edge. */
  private kernelSideImport(edge: EdgePlan, counter: EdgeCounter, callerMemory: InstanceMemory): unknown {
    if (edge.kind === "direct") return this.kernelInstances.get(instanceKey(edge.callee))!.instance.exports[edge.functionName];
    if (edge.kind === "copy") {
      const target = this.kernelInstances.get(instanceKey(edge.callee))!;
      const callee = target.instance.exports[edge.functionName] as WasmFunction;
      return (...core: CoreValue[]) => {
        counter.calls!++;
        return callee(...copyArguments(core, edge.parameters, callerMemory, target.instance));
      };
    }
    // An upcall: resolved on first call, since the user instance may be created after this one.
    let calleeInstance: UserInstanceId | undefined;
    return (...core: CoreValue[]) => {
      if (this.upcallDepth >= MAX_UPCALL_DEPTH) {
        throw new SyscallFault({ kind: "killed", message: `upcall ${counter.callee}: ${this.upcallDepth} upcalls nested (limit ${MAX_UPCALL_DEPTH})` });
      }
      if (this.kernelJumpDepth > 0 && !this.host!.acceptsUpcallDuringKernelJump) {
        throw new SyscallFault({ kind: "killed", message: `upcall ${counter.callee}: the user domain is waiting in a kernel jump and its host cannot take an upcall meanwhile` });
      }
      counter.calls!++;
      counter.modeSwitches += modeSwitchesPerCall(edge.kind);
      const values = liftArguments(core, edge.parameters, callerMemory);
      this.upcallDepth++;
      try {
        calleeInstance ??= this.userInstances.get(instanceKey(edge.callee))!;
        return this.userDomain!.call(calleeInstance, edge.functionName, values, edge.parameters);
      } finally {
        this.upcallDepth--;
      }
    };
  }

  private instantiateInUserDomain(placement: InstancePlacement, image: ModuleImage, outgoing: { edge: EdgePlan; counter: EdgeCounter }[]): { instance: UserInstanceId; startExport: string } | undefined {
    const siblings: SiblingImport[] = [];
    const kernelJumps: KernelJumpImport[] = [];
    for (const { edge, counter } of outgoing) {
      if (edge.kind === "kernel-jump") {
        kernelJumps.push({ importModule: edge.importModule, importName: edge.importName, jumpIndex: this.kernelJumps.length, parameters: edge.parameters });
        this.kernelJumps.push({ edge, counter, calleeImage: this.image(edge.callee.module) });
      } else {
        siblings.push({ importModule: edge.importModule, importName: edge.importName, target: this.userInstances.get(instanceKey(edge.callee))!, exportName: edge.functionName, parameters: edge.parameters });
      }
    }
    const limits = this.limitsOf(image);
    const { module, startExport } = boundedModule(image, "user", limits);
    const instance = this.userDomain!.instantiate({ image, module, memoryLimitPages: limits.memoryPages, siblings, kernelJumps });
    this.userInstances.set(instanceKey(placement), instance);
    return startExport === undefined ? undefined : { instance, startExport };
  }

  /**
   * `syskerneljump`: the only way from a user domain into kernel mode. Checked on every call,
   * not only at link time, so revoking the principal's capability takes effect at once.
   */
  private kernelJump(jumpIndex: number, args: readonly CrossingValue[]): CrossingValue | undefined {
    const jump = this.kernelJumps[jumpIndex];
    if (!jump) throw new SyscallFault({ kind: "killed", message: `syskerneljump: no kernel entry ${jumpIndex} in this app` });
    const { edge, counter, calleeImage } = jump;
    if (!this.principal.kernelModeTrustFor(calleeImage.verified)) {
      throw new SyscallFault({ kind: "killed", message: `syskerneljump ${counter.callee}: EPERM: ${this.principal.describe()} may not run '${calleeImage.name}' in kernel mode` });
    }
    counter.calls!++;
    counter.modeSwitches += modeSwitchesPerCall(edge.kind);
    const target = jump.target ??= this.kernelInstances.get(instanceKey(edge.callee))!;
    // Entering the kernel at a declared entry starts that entry's fuel budget; nested jumps share it.
    if (this.kernelJumpDepth === 0) this.refuelKernelInstances(calleeImage.manifest, edge.functionName);
    this.kernelJumpDepth++;
    try {
      const callee = target.instance.exports[edge.functionName] as WasmFunction;
      return this.guarded(() => callee(...lowerArguments(args, edge.parameters, target.instance))) as CrossingValue | undefined;
    } finally {
      this.kernelJumpDepth--;
    }
  }

  /** Runs `main` where the plan put it and turns however it ends into an exit status. */
  async run(entry = "main"): Promise<ExitStatus> {
    if (this.plan.main.domain === "kernel") return this.runInKernel(entry);
    try {
      return { kind: "exited", code: await this.userDomain!.run(this.userInstances.get(instanceKey(this.plan.main))!, entry) };
    } catch (error) {
      return statusFromException(error, this.image(this.plan.main.module));
    }
  }

  /** `run` for a main in the kernel domain, which runs to completion on the kernel thread. */
  runInKernel(entry = "main"): ExitStatus {
    const mainImage = this.image(this.plan.main.module);
    try {
      const instance = this.kernelInstances.get(instanceKey(this.plan.main))!.instance;
      const main = instance.exports[entry];
      this.refuelKernelInstances(mainImage.manifest, entry);
      if (typeof main !== "function") return { kind: "faulted", fault: { kind: "killed", message: `module exports no function '${entry}'` } };
      const result = this.guarded(main as () => unknown);
      return { kind: "exited", code: typeof result === "number" ? result | 0 : 0 };
    } catch (error) {
      return statusFromException(error, mainImage);
    }
  }

  /**
   * Whether main's module exports function `name`: the kernel checks for `dispatch` and `serve`
   * before it relies on them, so a missing one is a clear fault rather than a trap.
   */
  mainExportsFunction(name: string): boolean {
    const module = this.image(this.plan.main.module).module;
    return WebAssembly.Module.exports(module).some((entry) => entry.name === name && entry.kind === "function");
  }

  /**
   * Delivers one event taken from the process's queue to main in the kernel domain: a subscribed
   * endpoint's message event (its source has a receipt) is received for the process and handed to
   * `deliver`; any other event, or a message that could not be received, goes to `dispatch`.
   */
  deliverEventInKernel(kind: number, tag: number, source: EventSource): ExitStatus | undefined {
    const receipt = kind === EventKind.message ? source.receipt : undefined;
    if (receipt === undefined) return this.deliverInKernel(kind, tag);
    if (!this.deliversMessagesInKernel()) {
      return { kind: "faulted", fault: { kind: "killed", message: `the app subscribed to a channel endpoint but its main module exports no '${DELIVER_EXPORT}' function to deliver its messages (docs/process-model.md)` } };
    }
    return receipt.receive() ? this.deliverMessageInKernel(tag, receipt.number, receipt.attachment) : this.deliverInKernel(kind, tag);
  }

  /**
   * Delivers one event to main in the kernel domain: `dispatch(kind, tag)`, run to completion under
   * the fuel budget of the `dispatch` entry. Returns how the process ended, when the delivery ended
   * it (an exit, a fault, fuel used up); undefined when the handler returned.
   */
  deliverInKernel(kind: number, tag: number): ExitStatus | undefined {
    const delivery = this.startDelivery();
    if ("ending" in delivery) return delivery.ending;
    let left: number | undefined;
    try {
      if (delivery.meteredDispatch && this.unfueledKernelMilliseconds === undefined) {
        // Verified code needs no time bound: one call fills main's fuel, runs dispatch and reads what is left.
        left = delivery.meteredDispatch(kind, tag, delivery.budget);
      } else {
        delivery.mainFuelGauge?.fill(delivery.budget);
        this.guarded(() => delivery.dispatch(kind, tag));
        left = delivery.mainFuelGauge?.remaining();
      }
    } catch (error) {
      return statusFromException(error, this.image(this.plan.main.module));
    }
    this.countDeliveryFuel(delivery.budget, left);
    return undefined;
  }

  /**
   * Delivers one message the kernel received for main (channels.subscribe): `deliver(tag,
   * message, attachment)`, under the same budget and with the same answer as `deliverInKernel`.
   * Asked only when `deliversMessagesInKernel()`.
   */
  private deliverMessageInKernel(tag: number, message: number, attachment: number): ExitStatus | undefined {
    const delivery = this.startDelivery();
    if ("ending" in delivery) return delivery.ending;
    const deliver = delivery.deliver!;
    let left: number | undefined;
    try {
      if (delivery.meteredDeliver && this.unfueledKernelMilliseconds === undefined) {
        left = delivery.meteredDeliver(tag, message, attachment, delivery.budget);
      } else {
        delivery.mainFuelGauge?.fill(delivery.budget);
        this.guarded(() => deliver(tag, message, attachment));
        left = delivery.mainFuelGauge?.remaining();
      }
    } catch (error) {
      return statusFromException(error, this.image(this.plan.main.module));
    }
    this.countDeliveryFuel(delivery.budget, left);
    return undefined;
  }

  /** Whether main's module exports `deliver`, through which subscribed endpoints' messages arrive received. */
  private deliversMessagesInKernel(): boolean {
    const delivery = this.delivery ??= this.prepareDelivery();
    return !("ending" in delivery) && delivery.deliver !== undefined;
  }

  /** Fills every kernel-domain instance but main's with the dispatch entry's budget (refuelKernelInstances says why). */
  private startDelivery(): NonNullable<LinkedApp["delivery"]> {
    this.lastDeliveryFuel = Infinity;
    const delivery = this.delivery ??= this.prepareDelivery();
    if ("ending" in delivery) return delivery;
    this.fuelBudget = delivery.budget;
    const others = delivery.otherFuelGauges;
    for (let index = 0; index < others.length; index++) others[index]!.fill(delivery.budget);
    return delivery;
  }

  private countDeliveryFuel(budget: number, left: number | undefined): void {
    if (left === undefined) return;
    const used = budget - left;
    this.lastDeliveryFuel = used;
    const statistics = this.context.process.events.statistics;
    statistics.deliveryFuel += used;
    statistics.meteredDeliveries++;
  }

  /**
   * How the process must end because its events cannot be delivered in the kernel domain (main's
   * module exports no `dispatch`); undefined when they can. Asked when main returns, so such a
   * process ends then rather than when its first event arrives, which may be days away.
   */
  kernelDeliveryRefusal(): ExitStatus | undefined {
    const delivery = this.delivery ??= this.prepareDelivery();
    return "ending" in delivery ? delivery.ending : undefined;
  }

  /** Fuel the last in-kernel delivery used (the scheduler's measure of its work); Infinity when not metered or it ended the process. */
  lastDeliveryFuel = Infinity;

  private delivery: {
    dispatch: WasmFunction; budget: number; meteredDispatch: MeteredCall | undefined; mainFuelGauge: FuelGauge | undefined; otherFuelGauges: FuelGauge[];
    deliver: WasmFunction | undefined; meteredDeliver: MeteredCallOfThree | undefined;
  } | { ending: ExitStatus } | undefined;

  /**
   * What each delivery needs, looked up once: the exports, the budget, gauges on every kernel
   * instance's fuel global, and dispatch and deliver behind metered calls (one JS→Wasm call instead
   * of three; undefined for an uninstrumented main or an export of another signature, which take the gauges).
   */
  private prepareDelivery(): NonNullable<LinkedApp["delivery"]> {
    const main = this.kernelInstances.get(instanceKey(this.plan.main));
    const dispatch = main?.instance.exports[DISPATCH_EXPORT];
    if (!main || typeof dispatch !== "function") {
      return { ending: { kind: "faulted", fault: { kind: "killed", message: `the app holds event sources but its main module exports no '${DISPATCH_EXPORT}' function to deliver them (docs/process-model.md)` } } };
    }
    const exported = main.instance.exports[DELIVER_EXPORT];
    const deliver = typeof exported === "function" ? exported as WasmFunction : undefined;
    const budget = entryFuel(this.image(this.plan.main.module).manifest, DISPATCH_EXPORT, this.principal.limits);
    const mainFuel = fuelGlobalOf(main.instance);
    const otherFuelGauges: FuelGauge[] = [];
    for (const loaded of this.kernelInstances.values()) {
      const global = loaded === main ? undefined : fuelGlobalOf(loaded.instance);
      if (global) otherFuelGauges.push(fuelGaugeOf(global));
    }
    return {
      dispatch: dispatch as WasmFunction, budget, otherFuelGauges, deliver,
      meteredDispatch: mainFuel && meteredCallOf(mainFuel, dispatch), mainFuelGauge: mainFuel && fuelGaugeOf(mainFuel),
      meteredDeliver: mainFuel && deliver && meteredCallOfThree(mainFuel, deliver),
    };
  }

  /** The exports of a kernel-domain instance, for tests and benchmarks that inspect the links. */
  kernelExports(placement: InstancePlacement): WebAssembly.Exports | undefined {
    return this.kernelInstances.get(instanceKey(placement))?.instance.exports;
  }

  /**
   * Calls an export of one planned instance as the kernel calls an entry: directly in the kernel
   * domain, through the host in a user domain. For tests and benchmarks that drive an app.
   */
  invoke(placement: InstancePlacement, exportName: string, args: readonly CoreValue[] = []): unknown {
    const key = instanceKey(placement);
    const inKernel = this.kernelInstances.get(key);
    if (inKernel) {
      this.refuelKernelInstances(this.image(placement.module).manifest, exportName);
      return (inKernel.instance.exports[exportName] as WasmFunction)(...args);
    }
    const inUser = this.userInstances.get(key);
    if (inUser === undefined) throw new RangeError(`no instance ${key} in this app`);
    return this.userDomain!.call(inUser, exportName, args, undefined);
  }

  /**
   * Fuel is per entry: every kernel-domain instance gets the entry's budget, because a call
   * into a same-domain callee is charged against the callee's own fuel global.
   */
  private refuelKernelInstances(manifest: Manifest, entry: string): void {
    const budget = entryFuel(manifest, entry, this.principal.limits);
    this.fuelBudget = budget;
    for (const loaded of this.kernelInstances.values()) setFuel(loaded.instance, budget);
  }

  dispose(): void {
    this.userDomain?.dispose();
    this.kernelInstances.clear();
  }
}
