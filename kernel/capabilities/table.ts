// A process's capability table: handles are an index plus a generation, so a stale or forged
// handle fails; rights only shrink; revoking an object revokes every handle derived from it.
import { BadHandleError, NotPermittedError, ResourceLimitError } from "../errors.js";
import { HANDLE_INDEX_BITS, MAX_HANDLE_GENERATION, MAX_HANDLES_PER_PROCESS } from "../params.js";

/** The kernel object a capability names. Shared by every handle derived from it. */
export interface CapabilityObject {
  readonly kind: number;
  /** Service-specific state (a file, a socket, a channel endpoint). */
  readonly target: unknown;
  revoked: boolean;
  /**
   * Releases what the object holds in the kernel (a timer's place in the timer heap) when a handle
   * to it is removed: dropped, cancelled, or cleared with its process.
   */
  close?(): void;
}

export interface Capability {
  readonly object: CapabilityObject;
  readonly rights: number;
}

interface Slot {
  generation: number;
  capability: Capability | undefined;
}

const INDEX_MASK = (1 << HANDLE_INDEX_BITS) - 1;

export class CapabilityTable {
  private readonly slots: Slot[] = [];
  private readonly freeIndices: number[] = [];
  /**
   * Slots whose generation reached MAX_HANDLE_GENERATION: never reused, because the next
   * generation would wrap to one already handed out, and a stale handle would name a live
   * capability again. They still count against MAX_HANDLES_PER_PROCESS, so a process that churns
   * handles without end eventually runs out of slots rather than into an old handle.
   */
  private retiredSlots = 0;

  /** `handleLimit`: slots the table may have, at most MAX_HANDLES_PER_PROCESS (the principal's ceiling). */
  constructor(private readonly handleLimit: number = MAX_HANDLES_PER_PROCESS) {}

  get size(): number {
    return this.slots.length - this.freeIndices.length - this.retiredSlots;
  }

  /** Slots retired for good after their last generation (see `retiredSlots`). */
  get retired(): number {
    return this.retiredSlots;
  }

  insert(capability: Capability): number {
    let index = this.freeIndices.pop();
    if (index === undefined) {
      if (this.slots.length >= this.handleLimit) {
        const retired = this.retiredSlots > 0 ? `, ${this.retiredSlots} retired after ${MAX_HANDLE_GENERATION} generations` : "";
        throw new ResourceLimitError(`capability table full (limit ${this.handleLimit}${retired})`);
      }
      index = this.slots.length;
      // Generation starts at 1 so handle 0 is never valid.
      this.slots.push({ generation: 1, capability: undefined });
    }
    const slot = this.slots[index]!;
    slot.capability = capability;
    return (slot.generation << HANDLE_INDEX_BITS) | index;
  }

  /** The capability behind `handle`, checking generation, revocation and (optionally) kind and rights. */
  lookup(handle: number, kind?: number, requiredRights = 0): Capability {
    const index = handle & INDEX_MASK;
    const generation = handle >>> HANDLE_INDEX_BITS;
    const slot = this.slots[index];
    if (!slot || slot.generation !== generation || !slot.capability) {
      throw new BadHandleError(handle, "no such handle in this process");
    }
    const capability = slot.capability;
    if (capability.object.revoked) throw new BadHandleError(handle, "revoked");
    if (kind !== undefined && capability.object.kind !== kind) {
      throw new BadHandleError(handle, `kind ${capability.object.kind}, expected ${kind}`);
    }
    if ((capability.rights & requiredRights) !== requiredRights) {
      throw new NotPermittedError(`handle ${handle} lacks rights 0x${requiredRights.toString(16)}`);
    }
    return capability;
  }

  /** A new handle to the same object with fewer rights. */
  restrict(handle: number, rights: number): number {
    const capability = this.lookup(handle);
    if ((rights & ~capability.rights) !== 0) {
      throw new NotPermittedError(`rights 0x${rights.toString(16)} exceed handle rights 0x${capability.rights.toString(16)}`);
    }
    return this.insert({ object: capability.object, rights });
  }

  remove(handle: number): Capability {
    const capability = this.lookup(handle);
    this.release(handle & INDEX_MASK);
    capability.object.close?.();
    return capability;
  }

  /** Empties a slot and frees it for the next generation, or retires it after the last one. */
  private release(index: number): void {
    const slot = this.slots[index]!;
    slot.capability = undefined;
    if (slot.generation >= MAX_HANDLE_GENERATION) {
      this.retiredSlots++;
      return;
    }
    slot.generation++;
    this.freeIndices.push(index);
  }

  /** True when the process holds a live handle of `kind` with `rights`. */
  holds(kind: number, rights: number): boolean {
    for (const slot of this.slots) {
      const capability = slot.capability;
      if (capability && !capability.object.revoked && capability.object.kind === kind && (capability.rights & rights) === rights) {
        return true;
      }
    }
    return false;
  }

  /** Drops every handle; called when the process dies. Returns how many were released. */
  clear(): number {
    const released = this.size;
    for (let index = 0; index < this.slots.length; index++) {
      const capability = this.slots[index]!.capability;
      if (!capability) continue;
      this.release(index);
      capability.object.close?.();
    }
    return released;
  }
}
