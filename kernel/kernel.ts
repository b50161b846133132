// The kernel: owns the process table, the loader and the services, and runs processes in the
// domain their verification allows.
import { CapabilityKind, PRINCIPAL_ONLY_KINDS, Rights, capabilityKindByName } from "./capabilities/index.js";
import { LoadError } from "./errors.js";
import { Loader, type LoadOptions, type ModuleImage } from "./loader/index.js";
import { ProcessTable, type Domain, type ExitStatus, type OutputSink, type Process } from "./process/index.js";
import { runEntryInKernel } from "./sip/run-in-kernel.js";
import type { BatchInMemoryService, CallContext, ClockDevice, ConsoleDevice, KernelServices } from "./syscalls/context.js";
import type { Cpu } from "../hal/hil/index.js";
import { startUserDomain, statusFromOutcome } from "./user-domains.js";

export interface KernelDevices {
  readonly console: ConsoleDevice;
  readonly clock: ClockDevice;
  /** Runs user domains; without it only verified modules can run. */
  readonly cpu?: Cpu;
  readonly batchInMemory: BatchInMemoryService;
  /** Releases the devices (timers, idle threads); running user domains are terminated. */
  readonly shutdown?: () => Promise<void>;
}

export interface SpawnOptions {
  readonly args?: readonly string[];
  /** Where the process's console output goes; the console device by default. */
  readonly output?: OutputSink;
  /** Force a domain; by default verified modules run in the kernel domain. */
  readonly domain?: Domain;
  readonly name?: string;
}

export type ProcessExitListener = (process: Process, status: ExitStatus) => void;

export class Kernel {
  readonly processes = new ProcessTable();
  readonly loader = new Loader();
  readonly services: KernelServices;
  private readonly exitListeners: ProcessExitListener[] = [];

  constructor(readonly devices: KernelDevices) {
    this.services = { clock: devices.clock, batch: { submitInMemory: devices.batchInMemory } };
  }

  load(bytes: Uint8Array<ArrayBuffer>, options: LoadOptions = {}): ModuleImage {
    return this.loader.load(bytes, options);
  }

  onProcessExit(listener: ProcessExitListener): void {
    this.exitListeners.push(listener);
  }

  /** Creates a process for `image` and starts it on the next turn; await `process.completion`. */
  spawn(image: ModuleImage, options: SpawnOptions = {}): Process {
    const domain = options.domain ?? (image.verified ? "kernel" : "user");
    if (domain === "kernel" && !image.verified) {
      throw new LoadError(`${image.name}: not verified, so it cannot run in the kernel domain`,
        image.verification.findings.map((finding) => finding.message));
    }
    if (domain === "user" && !this.devices.cpu) {
      throw new LoadError(`${image.name}: needs a user domain and this kernel was booted without a CPU that provides them`);
    }
    const output = options.output ?? ((stream, text) => this.devices.console.write(stream, text));
    const process = this.processes.create({ name: options.name ?? image.name, args: options.args ?? [], domain, output });
    try {
      this.grantInitialCapabilities(process, image);
    } catch (error) {
      this.processes.remove(process);
      throw error;
    }
    setImmediate(() => this.runProcess(process, image));
    return process;
  }

  /** Loads, spawns and waits: the common path for the CLI and tests. */
  async run(image: ModuleImage, options: SpawnOptions = {}): Promise<{ process: Process; status: ExitStatus }> {
    const process = this.spawn(image, options);
    return { process, status: await process.completion };
  }

  /** Grants what the manifest asks for at start; also used by the linker for multi-module apps. */
  grantInitialCapabilities(process: Process, image: ModuleImage): void {
    for (const name of image.manifest.capabilities ?? []) {
      const kind = capabilityKindByName(name);
      if (kind === undefined) throw new LoadError(`${image.name}: manifest asks for unknown capability '${name}'`);
      if (PRINCIPAL_ONLY_KINDS.has(kind)) throw new LoadError(`${image.name}: manifest asks for '${name}', which only the system policy grants, to principals`);
      const rights = kind === CapabilityKind.console ? Rights.write | Rights.grant : Rights.read | Rights.grant;
      process.initialHandles.push(process.capabilities.insert({ object: { kind, target: undefined, revoked: false }, rights }));
    }
  }

  private runProcess(process: Process, image: ModuleImage): void {
    process.state = "running";
    const context: CallContext = { process, services: this.services };
    if (process.domain === "kernel") {
      this.endProcess(process, runEntryInKernel(image, context));
      return;
    }
    let userDomain;
    try {
      userDomain = startUserDomain(this.devices.cpu!, image, process, context);
    } catch (error) {
      this.endProcess(process, { kind: "faulted", fault: { kind: "kernel-error", message: `could not start a user domain: ${(error as Error).message}` } });
      return;
    }
    process.userDomain = userDomain;
    void userDomain.completion.then((outcome) => this.endProcess(process, statusFromOutcome(outcome)));
  }

  /** Stops a process now: a user domain is terminated even in the middle of a kernel call. */
  kill(process: Process, reason: string): void {
    if (process.userDomain) {
      process.userDomain.terminate(reason);
      return;
    }
    this.endProcess(process, { kind: "faulted", fault: { kind: "killed", message: reason } });
  }

  async shutdown(): Promise<void> {
    await this.devices.shutdown?.();
  }

  /** Releases everything the process held and tells whoever waits. */
  endProcess(process: Process, status: ExitStatus): void {
    if (process.status) return;
    process.capabilities.clear();
    this.processes.remove(process);
    process.finish(status);
    for (const listener of this.exitListeners) listener(process, status);
  }
}
