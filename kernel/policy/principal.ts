// A principal: who loads modules. It holds kernel capabilities (CAP_KERNELMODE,
// CAP_KRNLMODEBYPAGE) in its own capability table, so trust can be revoked like any capability.
import { KERNEL_CEILINGS, type ResourceLimits } from "./limits.js";
import type { NetworkDeclaration } from "../../runtime/abi/index.js";
import { CapabilityKind, CapabilityTable, Rights, capabilityKindName, type CapabilityObject } from "../capabilities/index.js";

export type KernelModeTrust = "kernelMode" | "kernelModeByPage";

export class Principal {
  readonly capabilities = new CapabilityTable();
  /** Objects this principal was granted, by kind, so the policy can revoke them. */
  private readonly granted = new Map<number, CapabilityObject[]>();

  /** `limits`: the ceilings of what this principal's processes may use (the system policy's). */
  constructor(readonly name: string, readonly limits: ResourceLimits = KERNEL_CEILINGS) {}

  /** The addresses the system policy lets this principal's sockets use; undefined: loopback only. */
  network: NetworkDeclaration | undefined;

  /** The names the system policy lets this principal's processes publish or connect to; undefined: any. */
  private serviceNames: ReadonlySet<string> | undefined;

  allowServices(names: readonly string[]): void {
    this.serviceNames = new Set(names);
  }

  /** Whether the system policy lets this principal's processes use the service `name`. */
  mayUseService(name: string): boolean {
    return this.serviceNames === undefined || this.serviceNames.has(name);
  }

  /** Grants a capability kind; only the system policy (and tests standing in for it) call this. */
  grant(kind: number): number {
    const object: CapabilityObject = { kind, target: this.name, revoked: false };
    const list = this.granted.get(kind) ?? [];
    list.push(object);
    this.granted.set(kind, list);
    return this.capabilities.insert({ object, rights: Rights.read });
  }

  /** Revokes every grant of `kind`: later link checks and kernel jumps see it gone. */
  revoke(kind: number): void {
    for (const object of this.granted.get(kind) ?? []) object.revoked = true;
  }

  holds(kind: number): boolean {
    return this.capabilities.holds(kind, 0);
  }

  get holdsKernelMode(): boolean {
    return this.holds(CapabilityKind.kernelMode);
  }

  get holdsKernelModeByPage(): boolean {
    return this.holds(CapabilityKind.kernelModeByPage);
  }

  /** The trust that lets a module run in kernel mode, or undefined when it must run in a user domain. */
  kernelModeTrustFor(moduleVerified: boolean): KernelModeTrust | undefined {
    if (this.holdsKernelMode) return "kernelMode";
    if (moduleVerified && this.holdsKernelModeByPage) return "kernelModeByPage";
    return undefined;
  }

  describe(): string {
    const held = [CapabilityKind.kernelMode, CapabilityKind.kernelModeByPage].filter((kind) => this.holds(kind)).map(capabilityKindName);
    return `principal '${this.name}' (${held.length > 0 ? held.join(", ") : "no kernel-mode capability"})`;
  }
}
