// Running an app, one module or many, as one process: plan for the principal (refusals happen
// here, before any process exists), create the process in main's domain, grant capabilities,
// instantiate, run main. `Kernel.spawn` is this pipeline for an app of one module.
import type { Kernel } from "../kernel.js";
import { checkManifestLimits, type Principal, type ResourceLimits } from "../policy/index.js";
import type { Domain, ExitStatus, OutputSink, Process } from "../process/index.js";
import type { AppImage } from "./app-image.js";
import type { UserDomainHost } from "./domain-host.js";
import { HalUserDomainHost } from "./hal-domain-host.js";
import { MAX_MODULES_PER_APP } from "./limits.js";
import { LinkError } from "./link-error.js";
import { LinkedApp } from "./linked-app.js";
import { planLink, type LinkPlan } from "./plan.js";
import type { ModuleImage } from "../loader/index.js";
import { compileContracts, type Contract } from "../channels/index.js";
import { LoadError } from "../errors.js";
import { NetworkRules } from "../network/index.js";
import { SERVE_EXPORT, capabilityRequestName, type CapabilityRequest, type NetworkDeclaration } from "../../runtime/abi/index.js";

export interface RunAppOptions {
  /** Who runs the app; the system policy's default principal when omitted. */
  readonly principal?: Principal;
  /**
   * Makes user domains real. Defaults to the HAL's user domains on the kernel's CPU; a kernel
   * booted without a CPU fails to link a plan that needs a user domain.
   */
  readonly userDomains?: UserDomainHost;
  readonly args?: readonly string[];
  readonly output?: OutputSink;
  readonly name?: string;
  /** Where main must run, instead of where the principal's trust and main's attribute put it. */
  readonly mainDomain?: Domain;
}

export interface AppRun {
  readonly process: Process;
  readonly status: ExitStatus;
  readonly linked: LinkedApp;
}

/** Plans and instantiates `app` for a new process, without running it. Blocks on a user domain's start. */
export function linkAppForProcess(kernel: Kernel, app: AppImage, options: RunAppOptions = {}): { process: Process; linked: LinkedApp } {
  const planned = planAppForProcess(kernel, app, options);
  try {
    planned.linked.link();
  } catch (error) {
    planned.process.capabilities.clear();
    kernel.processes.remove(planned.process);
    throw error;
  }
  return planned;
}

/**
 * The one process pipeline: every app, one module or many, is planned for its principal here;
 * refusals happen before any process exists. Nothing is instantiated yet.
 */
function planAppForProcess(kernel: Kernel, app: AppImage, options: RunAppOptions): { process: Process; linked: LinkedApp } {
  if (app.modules.size > MAX_MODULES_PER_APP) throw new LinkError(app.main, "(app)", "too-many-modules", `${app.modules.size} modules (limit ${MAX_MODULES_PER_APP})`);
  const principal = options.principal ?? kernel.defaultPrincipal();
  const recipe = recipeFor(app, principal, options.mainDomain);
  const plan = recipe.plan;
  // The device itself, so the process's queue sees its backpressure and a closed reader.
  const output = options.output ?? kernel.devices.console;
  const process = kernel.processes.create({
    name: options.name ?? app.name, args: options.args ?? [], domain: plan.main.domain, output,
    principal: principal.name, handleLimit: principal.limits.handles, outputLimit: principal.limits.outputUnits,
    eventSourceLimit: principal.limits.eventSources, exchangeLimit: principal.limits.exchangeBytes,
    contracts: recipe.contracts,
    services: { ...recipe.services, allowed: (name) => principal.mayUseService(name) },
    network: new NetworkRules(recipe.network, principal.network),
  }, principal.limits.processes);
  try {
    kernel.grantInitialCapabilities(process, recipe.grants);
    const linked = new LinkedApp(app, plan, principal, { process, services: kernel.services }, options.userDomains ?? defaultUserDomainHost(kernel), kernel.instancePool);
    return { process, linked };
  } catch (error) {
    process.capabilities.clear();
    kernel.processes.remove(process);
    throw error;
  }
}

/** What every spawn of an app for a principal repeats, worked out once (recipeFor). */
interface SpawnRecipe {
  readonly plan: LinkPlan;
  /** Main's image with one capability list for the process: main's requests first, then the other modules', once each. */
  readonly grants: ModuleImage;
  /** The channel contracts the app's modules declare, compiled. */
  readonly contracts: ReadonlyMap<string, Contract>;
  /** The names the app's modules publish and connect to. */
  readonly services: { readonly provides: ReadonlySet<string>; readonly uses: ReadonlySet<string> };
  /** Where the app's sockets may go: every module's `network` rules together; undefined when none says. */
  readonly network: NetworkDeclaration | undefined;
  /** The ceilings the manifests were last checked against. */
  checkedLimits: ResourceLimits | undefined;
}

/**
 * Recipes of single-module apps, by image: a plan depends only on the image, the principal's
 * kernel-mode trust as it stands and the domain asked for, and spawning the same module again is
 * the common case. Trust is part of the key, so a revoked capability is seen at the next spawn;
 * the manifests are checked again whenever the principal's ceilings are another object (another
 * principal of the same name, another policy).
 */
const singleModuleRecipes = new WeakMap<ModuleImage, Map<string, SpawnRecipe>>();

function recipeFor(app: AppImage, principal: Principal, mainDomain: Domain | undefined): SpawnRecipe {
  const image = app.modules.size === 1 ? app.modules.get(app.main) : undefined;
  const key = image && `${principal.name}:${principal.holdsKernelMode}:${principal.holdsKernelModeByPage}:${mainDomain ?? ""}:${app.name}`;
  let recipes = image && singleModuleRecipes.get(image);
  let recipe = key === undefined ? undefined : recipes?.get(key);
  if (!recipe) {
    // Limits first: a refusal names the limit, before a plan is attempted.
    checkLimits(app, principal);
    recipe = { plan: planLink(app, principal, { mainDomain }), grants: grantsOf(app), contracts: contractsOf(app), services: servicesOf(app), network: networkOf(app), checkedLimits: principal.limits };
    if (image && key !== undefined) {
      if (!recipes) singleModuleRecipes.set(image, recipes = new Map());
      recipes.set(key, recipe);
    }
  } else if (recipe.checkedLimits !== principal.limits) {
    checkLimits(app, principal);
    recipe.checkedLimits = principal.limits;
  }
  return recipe;
}

/** Limits are the kernel's: a manifest may ask for less than its principal's ceilings, never more. */
function checkLimits(app: AppImage, principal: Principal): void {
  for (const image of app.modules.values()) checkManifestLimits(image.name, image.manifest, principal.limits, principal.name);
}

function servicesOf(app: AppImage): SpawnRecipe["services"] {
  const images = [...app.modules.values()];
  return { provides: new Set(images.flatMap((image) => image.manifest.provides ?? [])), uses: new Set(images.flatMap((image) => image.manifest.uses ?? [])) };
}

/** The app's `network` rules: each module's, per direction, together. */
function networkOf(app: AppImage): NetworkDeclaration | undefined {
  const declarations = [...app.modules.values()].flatMap((image) => image.manifest.network ?? []);
  if (declarations.length === 0) return undefined;
  // A direction no module names stays unnamed (loopback), as in a single manifest.
  const rulesFor = (direction: "listen" | "connect") =>
    declarations.some((declaration) => declaration[direction]) ? declarations.flatMap((declaration) => declaration[direction] ?? []) : undefined;
  return { listen: rulesFor("listen"), connect: rulesFor("connect") };
}

/** The contracts of every module of the app; one name declared twice differently refuses the app. */
function contractsOf(app: AppImage): ReadonlyMap<string, Contract> {
  try {
    return compileContracts([...app.modules.values()].map((image) => image.manifest.contracts));
  } catch (error) {
    throw new LoadError(`${app.name}: ${(error as Error).message}`);
  }
}

/**
 * One process, one capability list: main's requests first, then the other modules', one per kind
 * (the first request of a kind says its rights).
 */
function grantsOf(app: AppImage): ModuleImage {
  const mainImage = app.modules.get(app.main)!;
  const requests = new Map<string, CapabilityRequest>();
  for (const image of [mainImage, ...app.modules.values()]) {
    for (const request of image.manifest.capabilities ?? []) if (!requests.has(capabilityRequestName(request))) requests.set(capabilityRequestName(request), request);
  }
  return { ...mainImage, manifest: { ...mainImage.manifest, capabilities: [...requests.values()] } };
}

/** The HAL's user domains, when the kernel's CPU can host them. */
export function defaultUserDomainHost(kernel: Kernel): UserDomainHost | undefined {
  const cpu = kernel.devices.cpu;
  return cpu ? new HalUserDomainHost(cpu) : undefined;
}

/**
 * Creates the process for `app` now (refusals throw here) and runs it from the next turn on:
 * the user domain's thread starts without blocking the kernel, then every instance is created
 * and main runs. A start function or instantiation that fails ends the process with a fault.
 * When main returns while the process holds event sources (timers, a yield), the process lives
 * on: the kernel delivers its events until nothing can wake it (docs/process-model.md).
 */
export function spawnApp(kernel: Kernel, app: AppImage, options: RunAppOptions = {}): { process: Process; linked: LinkedApp; run: Promise<AppRun> } {
  const { process, linked } = planAppForProcess(kernel, app, options);
  process.userDomain = linked.userDomain;
  const finish = (status: ExitStatus): AppRun => {
    linked.dispose();
    kernel.endProcess(process, status);
    return { process, status: process.status!, linked };
  };
  /** Main returned (not exited) and something it holds can still wake the process. */
  const livesOn = (status: ExitStatus): status is { kind: "exited"; code: number } =>
    status.kind === "exited" && process.exitRequested === undefined && !process.status && process.events.canWake;
  // An app wholly in the kernel domain runs main in one turn, then each event in a turn of its own.
  const runInKernel = (): AppRun | Promise<AppRun> => {
    if (process.status) return finish(process.status);
    try {
      process.state = "running";
      linked.link();
    } catch (error) {
      return finish(statusFromLinkFailure(error));
    }
    const status = linked.runInKernel();
    return livesOn(status) ? deliverInKernel(status.code) : finish(status);
  };
  /** Main in the kernel domain: the scheduler calls `dispatch` once per event, if main's module has one. */
  const deliverInKernel = (mainCode: number): AppRun | Promise<AppRun> => {
    const refusal = linked.kernelDeliveryRefusal();
    return refusal ? finish(refusal) : deliverEachEvent(mainCode);
  };
  const deliverEachEvent = (mainCode: number): Promise<AppRun> => new Promise<AppRun>((resolve) => {
    kernel.scheduler.attach(process.events, (kind, tag, source) => {
      if (process.status) return 0;
      const ending = linked.deliverEventInKernel(kind, tag, source);
      if (ending) resolve(finish(ending));
      else if (!process.events.canWake) resolve(finish({ kind: "exited", code: mainCode }));
      return linked.lastDeliveryFuel;
    });
    // Killed while it waits: the kill ended it already; this releases its instances.
    void process.completion.then(() => resolve(finish(process.status!)));
  });
  /** Main in a user domain: the same binary's event loop runs there, waiting in `events.wait` between events. */
  const serveInUserDomain = async (mainCode: number): Promise<AppRun> => {
    if (!linked.mainExportsFunction(SERVE_EXPORT)) {
      return finish({ kind: "faulted", fault: { kind: "killed", message: `the app holds event sources but its main module exports no '${SERVE_EXPORT}' function to wait for them (docs/process-model.md)` } });
    }
    for (;;) {
      const queuedBefore = process.events.queued;
      const takenBefore = process.events.statistics.delivered;
      const served = await linked.run(SERVE_EXPORT);
      if (served.kind === "faulted" || process.exitRequested !== undefined || process.status) return finish(process.status ?? served);
      if (!process.events.canWake) return finish({ kind: "exited", code: mainCode });
      // Events waited for it and it took none: served again it would do the same, forever, and
      // every round is a crossing the kernel pays for.
      if (queuedBefore > 0 && process.events.queued > 0 && process.events.statistics.delivered === takenBefore) {
        return finish({ kind: "faulted", fault: { kind: "killed", message: `'${SERVE_EXPORT}' returned without taking the events queued for it: it must take events with events.wait until none can come (docs/process-model.md)` } });
      }
      // `serve` returned while something can still wake the process: its host could not park the
      // wait (the simulated CPU runs in the kernel's thread) and answered wouldBlock. Serve again
      // once an event arrives.
      await process.events.arrival();
    }
  };
  const runWithUserDomain = async (): Promise<AppRun> => {
    try {
      await linked.ready();
      // Killed while its thread started: nothing of it may run.
      if (process.status) throw new Error("killed before it ran");
      process.state = "running";
      await linked.linkWithoutBlocking();
      const status = await linked.run();
      if (!livesOn(status)) return finish(status);
      return await (linked.plan.main.domain === "kernel" ? deliverInKernel(status.code) : serveInUserDomain(status.code));
    } catch (error) {
      return finish(statusFromLinkFailure(error));
    }
  };
  const run = new Promise<AppRun>((resolve) => setImmediate(() => resolve(linked.userDomain ? runWithUserDomain() : runInKernel())));
  return { process, linked, run };
}

/** A link that failed after the process existed ends that process, never the kernel. */
function statusFromLinkFailure(error: unknown): ExitStatus {
  if (error instanceof LinkError && error.ending) return error.ending;
  const message = error instanceof Error ? error.message : String(error);
  return { kind: "faulted", fault: { kind: "killed", message } };
}

export async function runApp(kernel: Kernel, app: AppImage, options: RunAppOptions = {}): Promise<AppRun> {
  const { process, linked } = linkAppForProcess(kernel, app, options);
  process.userDomain = linked.userDomain;
  process.state = "running";
  const status = await linked.run();
  linked.dispose();
  kernel.endProcess(process, status);
  return { process, status, linked };
}
