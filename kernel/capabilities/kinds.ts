// Capability kinds and rights as numbered at the ABI (docs/abi/capabilities.md).
export const CapabilityKind = {
  console: 1,
  clock: 2,
} as const;
export type CapabilityKindName = keyof typeof CapabilityKind;

export const Rights = {
  read: 1 << 0,
  write: 1 << 1,
  /** May be passed on to another process. */
  grant: 1 << 2,
  all: 0b111,
} as const;

export function capabilityKindByName(name: string): number | undefined {
  return (CapabilityKind as Record<string, number>)[name];
}

export function capabilityKindName(kind: number): string {
  return Object.entries(CapabilityKind).find(([, value]) => value === kind)?.[0] ?? `kind-${kind}`;
}
