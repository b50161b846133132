// Running a multi-module app as one process: plan (refusals happen here, before any process
// exists), create the process in main's domain, grant capabilities, instantiate, run main.
import type { Kernel } from "../kernel.js";
import { DEFAULT_SYSTEM_POLICY, principalFromPolicy, type Principal } from "../policy/index.js";
import type { ExitStatus, OutputSink, Process } from "../process/index.js";
import type { AppImage } from "./app-image.js";
import type { UserDomainHost } from "./domain-host.js";
import { HalUserDomainHost } from "./hal-domain-host.js";
import { MAX_MODULES_PER_APP } from "./limits.js";
import { LinkError } from "./link-error.js";
import { LinkedApp } from "./linked-app.js";
import { planLink } from "./plan.js";

export interface RunAppOptions {
  /** Who runs the app; the system policy's default principal when omitted. */
  readonly principal?: Principal;
  /**
   * Makes user domains real. Defaults to the HAL's linked domains when the kernel's CPU has
   * them; with neither, a plan that needs a user domain fails to link.
   */
  readonly userDomains?: UserDomainHost;
  readonly args?: readonly string[];
  readonly output?: OutputSink;
  readonly name?: string;
}

export interface AppRun {
  readonly process: Process;
  readonly status: ExitStatus;
  readonly linked: LinkedApp;
}

/** Plans and instantiates `app` for a new process, without running it. */
export function linkAppForProcess(kernel: Kernel, app: AppImage, options: RunAppOptions = {}): { process: Process; linked: LinkedApp } {
  if (app.modules.size > MAX_MODULES_PER_APP) throw new LinkError(app.main, "(app)", "too-many-modules", `${app.modules.size} modules (limit ${MAX_MODULES_PER_APP})`);
  const principal = options.principal ?? principalFromPolicy(DEFAULT_SYSTEM_POLICY);
  const plan = planLink(app, principal);
  const output = options.output ?? ((stream, text) => kernel.devices.console.write(stream, text));
  const process = kernel.processes.create({ name: options.name ?? app.name, args: options.args ?? [], domain: plan.main.domain, output });
  try {
    // One process, one capability list: main's requests first, then the other modules', once each.
    const mainImage = app.modules.get(plan.main.module)!;
    const names = [...new Set([mainImage, ...app.modules.values()].flatMap((image) => image.manifest.capabilities ?? []))];
    kernel.grantInitialCapabilities(process, { ...mainImage, manifest: { ...mainImage.manifest, capabilities: names } });
    const linked = new LinkedApp(app, plan, principal, { process, services: kernel.services }, options.userDomains ?? defaultUserDomainHost(kernel));
    return { process, linked };
  } catch (error) {
    process.capabilities.clear();
    kernel.processes.remove(process);
    throw error;
  }
}

/** The HAL's user domains, when the kernel's CPU can host them. */
export function defaultUserDomainHost(kernel: Kernel): UserDomainHost | undefined {
  const cpu = kernel.devices.cpu;
  return cpu?.createLinkedDomain ? new HalUserDomainHost(cpu) : undefined;
}

export async function runApp(kernel: Kernel, app: AppImage, options: RunAppOptions = {}): Promise<AppRun> {
  const { process, linked } = linkAppForProcess(kernel, app, options);
  process.state = "running";
  const status = await linked.run();
  linked.dispose();
  kernel.endProcess(process, status);
  return { process, status, linked };
}
