// Capability calls: look up, inspect, restrict and drop the caller's handles.
import type { CallContext } from "../syscalls/context.js";
import { InvalidArgumentError } from "../errors.js";

export function initialCount(context: CallContext): number {
  return context.process.initialHandles.length;
}

export function initialGet(context: CallContext, index: number): number {
  const handle = context.process.initialHandles[index];
  if (handle === undefined) throw new InvalidArgumentError(`no initial capability ${index}`);
  return handle;
}

export function capabilityKind(context: CallContext, handle: number): number {
  return context.process.capabilities.lookup(handle).object.kind;
}

export function capabilityRights(context: CallContext, handle: number): number {
  return context.process.capabilities.lookup(handle).rights;
}

export function capabilityRestrict(context: CallContext, handle: number, rights: number): number {
  return context.process.capabilities.restrict(handle, rights);
}

export function capabilityDrop(context: CallContext, handle: number): number {
  context.process.capabilities.remove(handle);
  return 0;
}

export function capabilityRevoke(context: CallContext, handle: number): number {
  return context.process.capabilities.revokeDerived(handle);
}
