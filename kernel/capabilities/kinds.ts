// Capability kinds and rights as numbered at the ABI (docs/abi/capabilities.md).
export const CapabilityKind = {
  console: 1,
  clock: 2,
  /** A timer the process started (timers.start); made by the kernel, never asked for in a manifest. */
  timer: 3,
  /** An exchange-heap block (blocks.create); made by the kernel, never asked for in a manifest. */
  block: 4,
  /** One end of a channel (channels.create); made by the kernel, never asked for in a manifest. */
  channel: 5,
  /** The file namespace (the in-memory tree and its mounts): read, and write to change it. */
  files: 6,
  /** An open file or directory (files.open); made by the kernel, never asked for in a manifest. */
  file: 7,
  /** Sockets at the addresses the manifest and the policy allow. */
  network: 8,
  /** A TCP listener, a TCP connection or a UDP socket (sockets.*); made by the kernel. */
  socket: 9,
  /** Random bytes from the host's cryptographic generator. */
  random: 10,
  /** CAP_KERNELMODE: the principal's code may run in kernel mode even unverified. Principals only. */
  kernelMode: 16,
  /** CAP_KRNLMODEBYPAGE: only the principal's verified (KERNELTRUST) code may run in kernel mode. Principals only. */
  kernelModeByPage: 17,
} as const;
export type CapabilityKindName = keyof typeof CapabilityKind;

export const Rights = {
  read: 1 << 0,
  write: 1 << 1,
  /** May be passed on to another process. */
  grant: 1 << 2,
  all: 0b111,
} as const;

/** Rights by the name a manifest writes them with. */
export const RIGHTS_BY_NAME: ReadonlyMap<string, number> = new Map([["read", Rights.read], ["write", Rights.write], ["grant", Rights.grant]]);

/**
 * The rights a manifest may ask for with each kind it can ask for, and what it gets when it names
 * no rights: writing is what a console is for, reading what a clock is for; both may be passed on.
 */
export const GRANTABLE_RIGHTS: ReadonlyMap<number, number> = new Map([
  [CapabilityKind.console, Rights.write | Rights.grant],
  [CapabilityKind.clock, Rights.read | Rights.grant],
  [CapabilityKind.files, Rights.read | Rights.write | Rights.grant],
  [CapabilityKind.network, Rights.read | Rights.write | Rights.grant],
  [CapabilityKind.random, Rights.read | Rights.grant],
]);

/**
 * Kinds the system policy grants to principals (kernel/policy) and no manifest may ask for: a
 * module naming them in `capabilities` would otherwise grant itself kernel mode.
 */
export const PRINCIPAL_ONLY_KINDS: ReadonlySet<number> = new Set([CapabilityKind.kernelMode, CapabilityKind.kernelModeByPage]);

/** Kinds the kernel creates as a call's result (a timer): a manifest asking for one is refused. */
export const CREATED_ONLY_KINDS: ReadonlySet<number> = new Set([CapabilityKind.timer, CapabilityKind.block, CapabilityKind.channel, CapabilityKind.file, CapabilityKind.socket]);

/**
 * Kinds by name in a Map, never by indexing the object: names come from manifests and policy
 * files, and an object lookup would answer `constructor`, `__proto__` or `toString` with an
 * inherited value that a caller could take for a kind.
 */
const KINDS_BY_NAME: ReadonlyMap<string, number> = new Map(Object.entries(CapabilityKind));
const NAMES_BY_KIND: ReadonlyMap<number, string> = new Map(Object.entries(CapabilityKind).map(([name, kind]) => [kind, name]));

export function capabilityKindByName(name: string): number | undefined {
  return KINDS_BY_NAME.get(name);
}

export function capabilityKindName(kind: number): string {
  return NAMES_BY_KIND.get(kind) ?? `kind-${kind}`;
}
