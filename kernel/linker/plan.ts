// Link planning: decides, before anything is instantiated, which module runs in which domain
// and how every import between modules is resolved — and refuses what the rules forbid. The
// plan is plain data, so tests and `--stats` can show it and the HAL integrator can check it.
//
// For a call from a module instance running in domain D to function f of module M:
//   f AlwaysKernelMode: D kernel → direct; D user → kernel jump (syskerneljump)
//   f AlwaysUserMode:   D kernel → upcall;  D user → direct
//   f UseCallersMode:   runs in D (M is instantiated in D; per-domain state)
// Kernel domain for M requires the principal's trust: CAP_KERNELMODE, or CAP_KRNLMODEBYPAGE and
// M verified. Calls whose parameters carry memory (string, list<u8>) between two instances of
// the same domain go through a copying adapter ("copy"): still no mode switch.
import { FUEL_IMPORT_MODULE } from "../../verifier/index.js";
import { syscallDescriptors, type AbiValueType, type ModeAttribute } from "../../runtime/abi/index.js";
import type { ModuleImage } from "../loader/index.js";
import type { Principal } from "../policy/index.js";
import type { Domain } from "../process/index.js";
import type { AppImage } from "./app-image.js";
import { entryPointOf, entryPointsOf, mainAttributeOf } from "./attributes.js";
import { LinkError } from "./link-error.js";

export type ResolutionKind = "direct" | "copy" | "upcall" | "kernel-jump";

export interface InstancePlacement {
  readonly module: string;
  readonly domain: Domain;
}

export interface InstancePlan extends InstancePlacement {
  /** Why this instance may run in the kernel domain; absent for user-domain instances. */
  readonly trust?: "kernelMode" | "kernelModeByPage";
  readonly verified: boolean;
}

export interface EdgePlan {
  readonly caller: InstancePlacement;
  readonly importModule: string;
  readonly importName: string;
  readonly callee: InstancePlacement;
  readonly functionName: string;
  readonly attribute: ModeAttribute;
  readonly kind: ResolutionKind;
  /** Declared canonical-ABI parameter types of the callee entry, if any. */
  readonly parameters: readonly AbiValueType[] | undefined;
}

export interface LinkPlan {
  readonly app: string;
  readonly principal: string;
  readonly main: InstancePlacement;
  readonly instances: readonly InstancePlan[];
  readonly edges: readonly EdgePlan[];
}

/** Mode switches one call over an edge costs: into the other domain and back. */
export const MODE_SWITCHES_PER_CROSSING_CALL = 2;

export function modeSwitchesPerCall(kind: ResolutionKind): number {
  return kind === "upcall" || kind === "kernel-jump" ? MODE_SWITCHES_PER_CROSSING_CALL : 0;
}

export function carriesMemory(parameters: readonly AbiValueType[] | undefined): boolean {
  return parameters?.some((type) => type === "string" || type === "list<u8>") ?? false;
}

/** Modules the kernel itself provides: the ABI and the fuel import the verifier's rewrite adds. */
const kernelAbiModules: ReadonlySet<string> = new Set([...syscallDescriptors.map((descriptor) => descriptor.importModule), FUEL_IMPORT_MODULE]);

/**
 * An image's imports and exports as the engine lists them, read once per image: the plan is made
 * at every spawn, and listing them builds fresh arrays of objects each time.
 */
const descriptorsByImage = new WeakMap<ModuleImage, { imports: WebAssembly.ModuleImportDescriptor[]; exports: WebAssembly.ModuleExportDescriptor[] }>();

function descriptorsOf(image: ModuleImage): { imports: WebAssembly.ModuleImportDescriptor[]; exports: WebAssembly.ModuleExportDescriptor[] } {
  let found = descriptorsByImage.get(image);
  if (!found) descriptorsByImage.set(image, found = { imports: WebAssembly.Module.imports(image.module), exports: WebAssembly.Module.exports(image.module) });
  return found;
}

function importsOf(image: ModuleImage): readonly WebAssembly.ModuleImportDescriptor[] {
  return descriptorsOf(image).imports;
}

function exportsOf(image: ModuleImage): readonly WebAssembly.ModuleExportDescriptor[] {
  return descriptorsOf(image).exports;
}

export function instanceKey(placement: InstancePlacement): string {
  return `${placement.module}@${placement.domain}`;
}

/** Why code is about to run in the kernel domain, for the refusal message and its rule. */
interface KernelEntryReason {
  readonly rule: "kernel-mode-without-capability" | "callers-mode-unverified-in-kernel";
  readonly what: string;
}

const STARTED_IN_KERNEL: KernelEntryReason = { rule: "kernel-mode-without-capability", what: "AlwaysKernelMode entry started by the kernel" };
const KERNEL_TO_KERNEL: KernelEntryReason = { rule: "kernel-mode-without-capability", what: "AlwaysKernelMode function" };
const USER_TO_KERNEL: KernelEntryReason = { rule: "kernel-mode-without-capability", what: "syskerneljump into AlwaysKernelMode entry" };
const CALLERS_IN_KERNEL: KernelEntryReason = { rule: "callers-mode-unverified-in-kernel", what: "UseCallersMode function called from the kernel domain" };

/** The principal's trust that lets `image` run in kernel mode, or a LinkError saying why not. */
function kernelTrust(principal: Principal, image: ModuleImage, functionName: string, reason: KernelEntryReason): "kernelMode" | "kernelModeByPage" {
  const trust = principal.kernelModeTrustFor(image.verified);
  if (trust) return trust;
  const because = !image.verified && principal.holdsKernelModeByPage
    ? `the module is not verified and ${principal.describe()} only lets verified code run in kernel mode`
    : `${principal.describe()} may not run code in kernel mode`;
  throw new LinkError(image.name, functionName, reason.rule, `${reason.what}, but ${because}`);
}

function checkFixedModes(image: ModuleImage): void {
  const entries = entryPointsOf(image);
  const kernel = entries.find((entry) => entry.attribute === "kernel");
  const user = entries.find((entry) => entry.attribute === "user");
  if (kernel && user) {
    throw new LinkError(image.name, user.functionName, "mixed-fixed-modes",
      `AlwaysUserMode beside AlwaysKernelMode '${kernel.functionName}' in one module: their state would live in two domains; split them into two modules`);
  }
}

export interface PlanOptions {
  /**
   * Where main must run, overriding the default choice (`singlet run --user`, a test that forces
   * a domain). Kernel still needs the principal's trust; user is refused for an AlwaysKernelMode main.
   */
  readonly mainDomain?: Domain;
}

const FORCED_INTO_KERNEL: KernelEntryReason = { rule: "kernel-mode-without-capability", what: "main asked to run in the kernel domain" };

export function planLink(app: AppImage, principal: Principal, options: PlanOptions = {}): LinkPlan {
  const mainImage = app.modules.get(app.main);
  if (!mainImage) throw new LinkError(app.main, "main", "missing-module", `app '${app.name}' names '${app.main}' as its main module, which is not loaded`);
  for (const image of app.modules.values()) checkFixedModes(image);

  const mainAttribute = mainAttributeOf(mainImage);
  let mainDomain: Domain;
  if (mainAttribute === "kernel") {
    kernelTrust(principal, mainImage, "main", STARTED_IN_KERNEL);
    mainDomain = "kernel";
  } else if (mainAttribute === "user") {
    mainDomain = "user";
  } else {
    mainDomain = principal.kernelModeTrustFor(mainImage.verified) ? "kernel" : "user";
  }
  if (options.mainDomain === "kernel" && mainDomain !== "kernel") {
    if (mainAttribute === "user") throw new LinkError(mainImage.name, "main", "attribute-mismatch", "main is AlwaysUserMode and cannot be asked to run in the kernel domain");
    kernelTrust(principal, mainImage, "main", FORCED_INTO_KERNEL);
    mainDomain = "kernel";
  } else if (options.mainDomain === "user" && mainDomain !== "user") {
    if (mainAttribute === "kernel") throw new LinkError(mainImage.name, "main", "attribute-mismatch", "main is AlwaysKernelMode and cannot be asked to run in a user domain");
    mainDomain = "user";
  }

  const instances = new Map<string, InstancePlan>();
  const edges: EdgePlan[] = [];
  const pending: InstancePlacement[] = [];
  const place = (image: ModuleImage, domain: Domain, trust?: "kernelMode" | "kernelModeByPage"): void => {
    const key = instanceKey({ module: image.name, domain });
    if (instances.has(key)) return;
    const placement = { module: image.name, domain };
    instances.set(key, { ...placement, verified: image.verified, ...(domain === "kernel" ? { trust: trust ?? principal.kernelModeTrustFor(image.verified) } : {}) });
    pending.push(placement);
  };
  place(mainImage, mainDomain);

  while (pending.length > 0) {
    const caller = pending.shift()!;
    const callerImage = app.modules.get(caller.module)!;
    const links = callerImage.manifest.links ?? [];
    for (const entry of importsOf(callerImage)) {
      if (kernelAbiModules.has(entry.module)) continue;
      if (!links.includes(entry.module)) {
        throw new LinkError(caller.module, `${entry.module}.${entry.name}`, "not-in-links", `imports from module '${entry.module}', which its manifest does not list in 'links'`);
      }
      const calleeImage = app.modules.get(entry.module);
      if (!calleeImage) {
        throw new LinkError(entry.module, entry.name, "missing-module", `module '${caller.module}' links '${entry.module}', which is not part of app '${app.name}'`);
      }
      const exported = exportsOf(calleeImage).find((candidate) => candidate.name === entry.name);
      if (!exported || exported.kind !== "function" || entry.kind !== "function") {
        throw new LinkError(entry.module, entry.name, "missing-export", `imported by '${caller.module}' but not an exported function of '${entry.module}'`);
      }
      const entryPoint = entryPointOf(calleeImage, entry.name);
      if (!entryPoint) {
        throw new LinkError(entry.module, entry.name, "not-an-entry-point", `imported by '${caller.module}', but only entry points declared in the manifest may be called across a module boundary`);
      }
      const attribute = entryPoint.attribute;
      const calleeDomain: Domain = attribute === "kernel" ? "kernel" : attribute === "user" ? "user" : caller.domain;
      let trust: "kernelMode" | "kernelModeByPage" | undefined;
      if (calleeDomain === "kernel") {
        trust = kernelTrust(principal, calleeImage, entry.name,
          attribute === "callers" ? CALLERS_IN_KERNEL : caller.domain === "user" ? USER_TO_KERNEL : KERNEL_TO_KERNEL);
      }
      const kind: ResolutionKind = caller.domain === calleeDomain
        ? (carriesMemory(entryPoint.parameters) ? "copy" : "direct")
        : caller.domain === "kernel" ? "upcall" : "kernel-jump";
      edges.push({
        caller, importModule: entry.module, importName: entry.name,
        callee: { module: calleeImage.name, domain: calleeDomain },
        functionName: entry.name, attribute, kind, parameters: entryPoint.parameters,
      });
      place(calleeImage, calleeDomain, trust);
    }
  }
  checkNoDirectCycles(edges);
  return { app: app.name, principal: principal.name, main: { module: mainImage.name, domain: mainDomain }, instances: [...instances.values()], edges };
}

/** Direct links need the callee instantiated first, so they must not form a cycle. */
function checkNoDirectCycles(edges: readonly EdgePlan[]): void {
  instantiationOrder(edges.map((edge) => edge.caller), edges);
}

/**
 * Instances in an order where every same-domain callee comes before its callers. Cross-domain
 * edges resolve at call time and do not constrain the order.
 */
export function instantiationOrder(placements: readonly InstancePlacement[], edges: readonly EdgePlan[]): InstancePlacement[] {
  const order: InstancePlacement[] = [];
  const state = new Map<string, "visiting" | "done">();
  const all = new Map<string, InstancePlacement>();
  for (const placement of [...placements, ...edges.map((edge) => edge.callee)]) all.set(instanceKey(placement), placement);
  const visit = (placement: InstancePlacement): void => {
    const key = instanceKey(placement);
    if (state.get(key) === "done") return;
    if (state.get(key) === "visiting") {
      throw new LinkError(placement.module, "(module)", "cyclic-direct-links", `same-domain links form a cycle through '${key}'; break it or move one side to another mode`);
    }
    state.set(key, "visiting");
    for (const edge of edges) {
      if (instanceKey(edge.caller) === key && (edge.kind === "direct" || edge.kind === "copy")) visit(edge.callee);
    }
    state.set(key, "done");
    order.push(placement);
  };
  for (const placement of all.values()) visit(placement);
  return order;
}
