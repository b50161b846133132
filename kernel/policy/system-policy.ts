// The system policy: which principals exist and which kernel-mode capabilities each holds.
// Read from a JSON file (kernel/policy/system-policy.json by default); the safe default is that
// the default principal holds CAP_KRNLMODEBYPAGE only.
import { readFileSync } from "node:fs";
import { CapabilityKind, PRINCIPAL_ONLY_KINDS, capabilityKindByName } from "../capabilities/index.js";
import { KernelError } from "../errors.js";
import { ErrorCode, networkDeclarationProblem, type NetworkDeclaration } from "../../runtime/abi/index.js";
import { KERNEL_CEILINGS, parseLimits, type ResourceLimits } from "./limits.js";
import { Principal } from "./principal.js";

export class PolicyError extends KernelError {
  constructor(detail: string) {
    super(`system policy: ${detail}`, ErrorCode.invalidArgument);
  }
}

export interface PrincipalPolicy {
  readonly description?: string;
  /** Capability kind names: `kernelMode` (CAP_KERNELMODE), `kernelModeByPage` (CAP_KRNLMODEBYPAGE). */
  readonly capabilities: readonly string[];
  /** Ceilings of what the principal's processes may use; the kernel's ceilings where absent. */
  readonly limits?: Partial<ResourceLimits>;
  /**
   * Names in the name service the principal's processes may publish or connect to. Absent: any
   * name a process's manifest asks for (the manifest is always required too).
   */
  readonly services?: readonly string[];
  /**
   * Addresses and ports the principal's processes may listen at and connect to, as a manifest's
   * `network` field writes them. Absent: loopback only. A process needs its manifest's leave too.
   */
  readonly network?: NetworkDeclaration;
}

export interface SystemPolicy {
  readonly version: 1;
  readonly defaultPrincipal: string;
  readonly principals: Readonly<Record<string, PrincipalPolicy>>;
}

/** Used when no policy file is given: the same safe default the shipped file states. */
export const DEFAULT_SYSTEM_POLICY: SystemPolicy = {
  version: 1,
  defaultPrincipal: "user",
  principals: { user: { capabilities: ["kernelModeByPage"] } },
};

export function parseSystemPolicy(value: unknown, where = "system policy"): SystemPolicy {
  const record = value as Partial<SystemPolicy> | null;
  if (typeof record !== "object" || record === null) throw new PolicyError(`${where}: not a JSON object`);
  if (record.version !== 1) throw new PolicyError(`${where}: 'version' must be 1`);
  if (typeof record.principals !== "object" || record.principals === null) throw new PolicyError(`${where}: 'principals' must be an object`);
  for (const [name, principal] of Object.entries(record.principals)) {
    if (!Array.isArray(principal?.capabilities)) throw new PolicyError(`${where}: principal '${name}' needs a 'capabilities' list`);
    for (const capability of principal.capabilities) {
      const kind = capabilityKindByName(capability);
      if (kind === undefined || !PRINCIPAL_ONLY_KINDS.has(kind)) {
        throw new PolicyError(`${where}: principal '${name}' has '${capability}'; a principal may hold kernelMode or kernelModeByPage`);
      }
    }
    parseLimits(principal.limits, `${where}: principal '${name}'`, (detail) => new PolicyError(detail));
    if (principal.services !== undefined && (!Array.isArray(principal.services) || !principal.services.every((service) => typeof service === "string"))) {
      throw new PolicyError(`${where}: principal '${name}' has 'services' that is not a list of names`);
    }
    const networkProblem = principal.network === undefined ? undefined : networkDeclarationProblem(principal.network);
    if (networkProblem) throw new PolicyError(`${where}: principal '${name}' has 'network' that ${networkProblem}`);
  }
  if (typeof record.defaultPrincipal !== "string" || !Object.hasOwn(record.principals, record.defaultPrincipal)) {
    throw new PolicyError(`${where}: 'defaultPrincipal' must name one of the principals`);
  }
  return record as SystemPolicy;
}

export function readSystemPolicy(path: string): SystemPolicy {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new PolicyError(`cannot read ${path}: ${(error as Error).message}`);
  }
  return parseSystemPolicy(parsed, path);
}

/** A principal holding what `policy` grants it; the default principal when `name` is omitted. */
export function principalFromPolicy(policy: SystemPolicy, name: string = policy.defaultPrincipal): Principal {
  // Own properties only: `constructor` or `__proto__` must not name a principal.
  const entry = Object.hasOwn(policy.principals, name) ? policy.principals[name] : undefined;
  if (!entry) throw new PolicyError(`no principal '${name}' (known: ${Object.keys(policy.principals).join(", ")})`);
  const principal = new Principal(name, parseLimits(entry.limits, `principal '${name}'`, (detail) => new PolicyError(detail)));
  if (entry.services) principal.allowServices(entry.services);
  principal.network = entry.network;
  for (const capability of entry.capabilities) principal.grant(capabilityKindByName(capability)!);
  return principal;
}

/** A principal holding exactly `kinds` (and `limits`, else the kernel's ceilings), for tests and embedders that build policy in code. */
export function principalHolding(name: string, kinds: readonly ("kernelMode" | "kernelModeByPage")[], limits: Partial<ResourceLimits> = {}): Principal {
  const principal = new Principal(name, { ...KERNEL_CEILINGS, ...limits });
  for (const kind of kinds) principal.grant(CapabilityKind[kind]);
  return principal;
}
