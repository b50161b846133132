// The kernel: owns the process table, the loader and the services, and runs processes in the
// domain their verification allows.
import { CREATED_ONLY_KINDS, GRANTABLE_RIGHTS, PRINCIPAL_ONLY_KINDS, RIGHTS_BY_NAME, capabilityKindByName } from "./capabilities/index.js";
import { capabilityRequestName } from "../runtime/abi/index.js";
import { Scheduler, TimerService } from "./events/index.js";
import { NameService } from "./channels/index.js";
import { FileNamespace } from "./files/index.js";
import { LoadError } from "./errors.js";
import { Loader, type LoadOptions, type ModuleImage } from "./loader/index.js";
import { ProcessTable, type Domain, type ExitStatus, type OutputSink, type Process } from "./process/index.js";
import type { ClockDevice, ConsoleDevice, KernelServices } from "./syscalls/context.js";
import type { Cpu, NetworkDevice, RandomSource, TimerDevice } from "../hal/hil/index.js";
import { NetworkService } from "./network/index.js";
import { KernelInstancePool, singleModuleApp, spawnApp } from "./linker/index.js";
import { DEFAULT_SYSTEM_POLICY, principalFromPolicy, type Principal, type SystemPolicy } from "./policy/index.js";

export interface KernelDevices {
  readonly console: ConsoleDevice;
  readonly clock: ClockDevice;
  /** Alarms for the process's timers; without it `timers.start` is not implemented. */
  readonly timer?: TimerDevice;
  /** Runs user domains; without it only verified modules can run. */
  readonly cpu?: Cpu;
  /** Sockets go through it; without it the socket calls are not implemented. */
  readonly network?: NetworkDevice;
  /** Random bytes come from it; without it `random.fill` is not implemented. */
  readonly random?: RandomSource;
  /** Releases the devices (timers, idle threads); running user domains are terminated. */
  readonly shutdown?: () => Promise<void>;
  /** The file namespace with its mounts; an empty in-memory tree when omitted. */
  readonly files?: FileNamespace;
}

export interface SpawnOptions {
  readonly args?: readonly string[];
  /** Where the process's console output goes; the console device by default. */
  readonly output?: OutputSink;
  /**
   * Where main must run. By default the principal's trust decides: verified code runs in the
   * kernel domain for a principal holding CAP_KRNLMODEBYPAGE, everything else in a user domain.
   */
  readonly domain?: Domain;
  readonly name?: string;
  /** Who runs the module; the system policy's default principal when omitted. */
  readonly principal?: Principal;
}

export type ProcessExitListener = (process: Process, status: ExitStatus) => void;

export class Kernel {
  readonly processes = new ProcessTable();
  readonly loader = new Loader();
  readonly services: KernelServices;
  /** Delivers events to in-kernel processes, round robin (kernel/events/scheduler.ts). */
  readonly scheduler: Scheduler;
  /** Pre-made kernel-domain instances of the modules spawned most (kernel/linker/instance-pool.ts). */
  readonly instancePool: KernelInstancePool;
  private readonly exitListeners: ProcessExitListener[] = [];

  /** `policy`: the system policy every app runs under; the safe built-in default when omitted. */
  constructor(readonly devices: KernelDevices, readonly policy: SystemPolicy = DEFAULT_SYSTEM_POLICY) {
    const timers = devices.timer ? new TimerService(devices.timer) : undefined;
    this.services = {
      clock: devices.clock, timers, names: new NameService(), files: devices.files ?? new FileNamespace(),
      network: devices.network ? new NetworkService(devices.network) : undefined, random: devices.random,
    };
    this.instancePool = new KernelInstancePool(this.services);
    const timer = devices.timer;
    this.scheduler = new Scheduler(timers, timer ? () => timer.now() : () => performance.now());
  }

  private defaultPrincipalOfPolicy: Principal | undefined;

  /** The principal an app runs as when nobody names one: one for the kernel's life, so revoking its capabilities holds. */
  defaultPrincipal(): Principal {
    return this.defaultPrincipalOfPolicy ??= principalFromPolicy(this.policy);
  }

  load(bytes: Uint8Array<ArrayBuffer>, options: LoadOptions = {}): ModuleImage {
    return this.loader.load(bytes, options);
  }

  onProcessExit(listener: ProcessExitListener): void {
    this.exitListeners.push(listener);
  }

  /**
   * Creates a process for `image` and starts it on the next turn; await `process.completion`.
   * A single module is a linked app of one module: the same plan, principal and policy apply.
   */
  spawn(image: ModuleImage, options: SpawnOptions = {}): Process {
    return spawnApp(this, singleModuleApp(image), {
      principal: options.principal, args: options.args, output: options.output, name: options.name, mainDomain: options.domain,
    }).process;
  }

  /** Loads, spawns and waits: the common path for the CLI and tests. */
  async run(image: ModuleImage, options: SpawnOptions = {}): Promise<{ process: Process; status: ExitStatus }> {
    const process = this.spawn(image, options);
    return { process, status: await process.completion };
  }

  /** Grants what the manifest asks for at start; also used by the linker for multi-module apps. */
  grantInitialCapabilities(process: Process, image: ModuleImage): void {
    for (const request of image.manifest.capabilities ?? []) {
      const name = capabilityRequestName(request);
      const kind = capabilityKindByName(name);
      if (kind === undefined) throw new LoadError(`${image.name}: manifest asks for unknown capability '${name}'`);
      if (PRINCIPAL_ONLY_KINDS.has(kind)) throw new LoadError(`${image.name}: manifest asks for '${name}', which only the system policy grants, to principals`);
      if (CREATED_ONLY_KINDS.has(kind)) throw new LoadError(`${image.name}: manifest asks for '${name}', which only a kernel call creates`);
      const grantable = GRANTABLE_RIGHTS.get(kind) ?? 0;
      let rights = grantable;
      if (typeof request !== "string" && request.rights !== undefined) {
        rights = request.rights.reduce((bits, right) => bits | (RIGHTS_BY_NAME.get(right) ?? 0), 0);
        const excess = request.rights.filter((right) => ((RIGHTS_BY_NAME.get(right) ?? 0) & ~grantable) !== 0);
        if (excess.length > 0) throw new LoadError(`${image.name}: manifest asks for right '${excess[0]}' on '${name}', which that kind is never granted with`);
      }
      process.initialHandles.push(process.capabilities.insert({ object: { kind, target: undefined, revoked: false }, rights }));
    }
  }

  /** Stops a process now: a user domain is terminated even in the middle of a kernel call. */
  kill(process: Process, reason: string): void {
    if (process.userDomain && process.state === "running") {
      process.userDomain.terminate(reason);
      // A main in the user domain unwinds with the kill's report; one in the kernel domain may be
      // waiting for events, with nothing running that would notice the domain's end.
      if (process.domain === "user") {
        // Between events a user domain may be in no call at all: a host that cannot park a wait
        // (the simulated CPU) runs `serve` again only when an event arrives. A killed process
        // takes no more events; closing them wakes that wait, and the next serve finds the end.
        process.events.close();
        return;
      }
    }
    this.endProcess(process, { kind: "faulted", fault: { kind: "killed", message: reason } });
  }

  async shutdown(): Promise<void> {
    // No pre-made instance outlives the kernel, and no refill runs after it.
    this.instancePool.close();
    this.services.files?.close();
    await this.devices.shutdown?.();
  }

  /** Releases everything the process held and tells whoever waits. */
  endProcess(process: Process, status: ExitStatus): void {
    if (process.status) return;
    // Events first: with the queue closed, the timers the handles release withdraw nothing.
    process.events.close();
    process.capabilities.clear();
    this.processes.remove(process);
    process.finish(status);
    for (const listener of this.exitListeners) listener(process, status);
  }
}
