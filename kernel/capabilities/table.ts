// A process's capability table: handles are an index plus a generation, so a stale or forged
// handle fails; rights only shrink. Every grant is a node of a derivation tree: `restrict` (and,
// with channels, delegation) derives a child, and the holder of a grant can revoke everything
// derived from it, in every process that holds a part of it (`revokeDerived`). Revoking an object
// (the policy revoking a principal's trust) revokes every grant of it at once.
import { BadHandleError, NotPermittedError, ResourceLimitError } from "../errors.js";
import { Rights } from "./kinds.js";
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
  /**
   * Held through exactly one grant at a time (an exchange-heap block, owned by one process):
   * `restrict` is refused, so the grant moves whole and a sender keeps no copy.
   */
  readonly exclusive?: boolean;
  /** Called before the object's grant enters `destination` from another table or from flight; throws to refuse (a quota). */
  moving?(destination: CapabilityTable): void;
  /** Called when the object's grant leaves its table to be in flight (sent as an attachment). */
  leaving?(): void;
}

export interface Capability {
  readonly object: CapabilityObject;
  readonly rights: number;
}

/** A grant in flight between tables (a message's attachment): only a table can open it. */
export interface HeldCapability {
  readonly object: CapabilityObject;
  readonly rights: number;
}

/** One grant: a node of the derivation tree, held in at most one table slot at a time. */
class Grant implements Capability {
  children: Set<Grant> | undefined;
  revoked = false;
  discarded = false;
  /** The table that sent it, while it is in flight. */
  sentFrom: CapabilityTable | undefined;
  /** Where the grant is held now; undefined once released. */
  table: CapabilityTable | undefined;
  index = -1;

  constructor(readonly object: CapabilityObject, readonly rights: number, readonly parent: Grant | undefined) {
    if (parent) (parent.children ??= new Set()).add(this);
    liveGrants.set(object, (liveGrants.get(object) ?? 0) + 1);
  }

  /** Leaves the tree; the object is closed when its last grant goes (a timer leaves the heap). */
  detach(): void {
    this.parent?.children?.delete(this);
    this.table = undefined;
    const left = (liveGrants.get(this.object) ?? 1) - 1;
    if (left > 0) {
      liveGrants.set(this.object, left);
    } else {
      liveGrants.delete(this.object);
      this.object.close?.();
    }
  }
}

/** Grants alive per object, so an object is closed with its last grant, not its first. */
const liveGrants = new WeakMap<CapabilityObject, number>();

interface Slot {
  generation: number;
  capability: Grant | undefined;
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

  /** A new root grant of `capability`'s object: nothing derives it, so only the policy can revoke it. */
  insert(capability: Capability): number {
    return this.holdNew(new Grant(capability.object, capability.rights, undefined));
  }

  /** Holds a grant made for this table; a full table takes it out of the tree again. */
  private holdNew(grant: Grant): number {
    try {
      return this.hold(grant);
    } catch (error) {
      grant.detach();
      throw error;
    }
  }

  /** Puts `grant` in a free slot and points it there; throws when the table is full. */
  private hold(grant: Grant): number {
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
    slot.capability = grant;
    grant.table = this;
    grant.index = index;
    return (slot.generation << HANDLE_INDEX_BITS) | index;
  }

  /** The capability behind `handle`, checking generation, revocation and (optionally) kind and rights. */
  lookup(handle: number, kind?: number, requiredRights = 0): Capability {
    return this.grantOf(handle, kind, requiredRights);
  }

  private grantOf(handle: number, kind?: number, requiredRights = 0): Grant {
    const index = handle & INDEX_MASK;
    const generation = handle >>> HANDLE_INDEX_BITS;
    const slot = this.slots[index];
    if (!slot || slot.generation !== generation || !slot.capability) {
      throw new BadHandleError(handle, "no such handle in this process");
    }
    const capability = slot.capability;
    if (capability.object.revoked || capability.revoked) throw new BadHandleError(handle, "revoked");
    if (kind !== undefined && capability.object.kind !== kind) {
      throw new BadHandleError(handle, `kind ${capability.object.kind}, expected ${kind}`);
    }
    if ((capability.rights & requiredRights) !== requiredRights) {
      throw new NotPermittedError(`handle ${handle} lacks rights 0x${requiredRights.toString(16)}`);
    }
    return capability;
  }

  /** A new handle to the same object with fewer rights, derived from `handle`'s grant (revocable by its holder). */
  restrict(handle: number, rights: number): number {
    const parent = this.grantOf(handle);
    if (parent.object.exclusive) throw new NotPermittedError(`handle ${handle} names an object held through one handle only; it cannot be copied`);
    if ((rights & ~parent.rights) !== 0) {
      throw new NotPermittedError(`rights 0x${rights.toString(16)} exceed handle rights 0x${parent.rights.toString(16)}`);
    }
    return this.holdNew(new Grant(parent.object, rights, parent));
  }

  /**
   * Moves `handle`'s grant out of this table into `destination` (delegation over a channel): the
   * sender loses it, the receiver gets a new handle to the same grant, still revocable by whoever
   * it was derived from. Needs the grant right. Nothing moves when the destination is full.
   */
  transfer(handle: number, destination: CapabilityTable): number {
    const grant = this.grantOf(handle, undefined, Rights.grant);
    const index = handle & INDEX_MASK;
    grant.object.moving?.(destination);
    let moved: number;
    try {
      // The destination takes it first: when it is full, the sender's handle stays as it was.
      moved = destination.hold(grant);
    } catch (error) {
      grant.object.moving?.(this);
      throw error;
    }
    this.slots[index]!.capability = undefined;
    this.freeSlot(index);
    return moved;
  }

  /**
   * Takes `handle`'s grant out of this table without ending it: it is in flight (a message's
   * attachment) until `attach` puts it in a table or `discard` ends it. Needs the grant right.
   */
  detach(handle: number): HeldCapability {
    const grant = this.grantOf(handle, undefined, Rights.grant);
    // What a process has in flight counts against its handles: endpoints in flight inside each
    // other's queues could otherwise pile up without end while the process lives.
    if (this.size + this.inFlight.size >= this.handleLimit) {
      throw new ResourceLimitError(`${this.inFlight.size} capabilities in flight and ${this.size} held (limit ${this.handleLimit} together)`);
    }
    const index = handle & INDEX_MASK;
    this.slots[index]!.capability = undefined;
    this.freeSlot(index);
    grant.table = undefined;
    grant.sentFrom = this;
    this.inFlight.add(grant);
    grant.object.leaving?.();
    return grant;
  }

  /**
   * Grants this table sent that nobody has received yet. They end with the sender if they are
   * still in flight then: a cycle of endpoints in flight inside each other's queues, which no
   * process holds, would otherwise never close.
   */
  private readonly inFlight = new Set<Grant>();

  /** Capabilities this table sent that are still in flight. */
  get sending(): number {
    return this.inFlight.size;
  }

  /**
   * Puts an in-flight grant in this table and returns its new handle. A grant revoked in flight
   * fails with badHandle; a full table or a refused move (a quota) throws and leaves it in flight.
   */
  attach(held: HeldCapability): number {
    const grant = held as Grant;
    if (grant.table !== undefined) throw new BadHandleError(0, "the capability is not in flight");
    if (grant.revoked || grant.object.revoked) throw new BadHandleError(0, "the capability was revoked in flight");
    // A slot first (a full table changes nothing), then the move's own check (a quota).
    const handle = this.hold(grant);
    try {
      grant.object.moving?.(this);
    } catch (error) {
      const index = handle & INDEX_MASK;
      this.slots[index]!.capability = undefined;
      this.freeSlot(index);
      grant.table = undefined;
      throw error;
    }
    grant.sentFrom?.inFlight.delete(grant);
    grant.sentFrom = undefined;
    return handle;
  }

  /** Ends an in-flight grant that will never arrive (its message was dropped). */
  static discard(held: HeldCapability): void {
    const grant = held as Grant;
    if (grant.table === undefined && !grant.discarded) {
      grant.discarded = true;
      grant.sentFrom?.inFlight.delete(grant);
      grant.sentFrom = undefined;
      grant.detach();
    }
  }

  /**
   * Revokes every grant derived from `handle`'s (by restrict or delegation, at any depth, in any
   * process): their handles stop working at once and their slots are freed. `handle` itself stays.
   * Returns how many grants were revoked.
   */
  revokeDerived(handle: number): number {
    const root = this.grantOf(handle);
    let revoked = 0;
    const pending = [...(root.children ?? [])];
    while (pending.length > 0) {
      const grant = pending.pop()!;
      if (grant.children) pending.push(...grant.children);
      grant.revoked = true;
      grant.table?.releaseGrant(grant);
      revoked++;
    }
    root.children = undefined;
    return revoked;
  }

  /** Whether `handle` names a live grant in this table (no error for a stale or forged one). */
  has(handle: number): boolean {
    const slot = this.slots[handle & INDEX_MASK];
    return slot !== undefined && slot.generation === handle >>> HANDLE_INDEX_BITS && slot.capability !== undefined;
  }

  remove(handle: number): Capability {
    const grant = this.grantOf(handle);
    this.releaseGrant(grant);
    return grant;
  }

  /** Frees the grant's slot and takes it out of the tree; what was derived from it stays revocable by no one but the policy. */
  private releaseGrant(grant: Grant): void {
    const index = grant.index;
    if (grant.table !== this || this.slots[index]?.capability !== grant) return;
    this.slots[index]!.capability = undefined;
    this.freeSlot(index);
    grant.detach();
  }

  /** Frees an emptied slot for the next generation, or retires it after the last one. */
  private freeSlot(index: number): void {
    const slot = this.slots[index]!;
    if (slot.generation >= MAX_HANDLE_GENERATION) {
      this.retiredSlots++;
      return;
    }
    slot.generation++;
    this.freeIndices.push(index);
  }

  /** True when the process holds a live handle of `kind` with `rights`. */
  holds(kind: number, rights: number): boolean {
    // Tier 1: a kernel service's check is the lookup of the grant that satisfied it last time and
    // a rights test; the table is scanned only when that grant is gone or falls short.
    const remembered = this.slots[this.grantSlotByKind.get(kind) ?? -1]?.capability;
    if (remembered && this.satisfies(remembered, kind, rights)) return true;
    for (let index = 0; index < this.slots.length; index++) {
      const capability = this.slots[index]!.capability;
      if (capability && this.satisfies(capability, kind, rights)) {
        this.grantSlotByKind.set(kind, index);
        return true;
      }
    }
    return false;
  }

  private satisfies(grant: Grant, kind: number, rights: number): boolean {
    return !grant.revoked && !grant.object.revoked && grant.object.kind === kind && (grant.rights & rights) === rights;
  }

  /** The slot of the grant that last satisfied `holds` for a kind: checked again at every use. */
  private readonly grantSlotByKind = new Map<number, number>();

  /** Drops every handle; called when the process dies. Returns how many were released. */
  clear(): number {
    const released = this.size;
    for (let index = 0; index < this.slots.length; index++) {
      const grant = this.slots[index]!.capability;
      if (grant) this.releaseGrant(grant);
    }
    for (const grant of [...this.inFlight]) CapabilityTable.discard(grant);
    return released;
  }
}
