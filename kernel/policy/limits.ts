// Resource limits: set by the kernel and its system policy, never by the app they limit. Each
// principal has ceilings (the policy's `limits`, else the kernel's defaults in params.ts); a
// module's manifest may ask for less, and asking for more is refused before any process exists.
import { KernelError } from "../errors.js";
import { ErrorCode, type Manifest } from "../../runtime/abi/index.js";
import { fuelBudgetFor } from "../../verifier/index.js";
import {
  CEILING_CPU_MILLISECONDS, CEILING_EXCHANGE_BYTES, CEILING_FUEL_PER_ENTRY, CEILING_MEMORY_PAGES, CEILING_TABLE_ELEMENTS,
  DEFAULT_USER_CPU_MILLISECONDS, DEFAULT_USER_MEMORY_PAGES, MAX_EVENT_SOURCES_PER_PROCESS, MAX_EXCHANGE_BYTES, MAX_HANDLES_PER_PROCESS, MAX_PROCESSES, MAX_QUEUED_OUTPUT_UNITS, MAX_TIMER_MILLISECONDS, MAX_WASM_MEMORY_PAGES,
} from "../params.js";

export interface ResourceLimits {
  /** Linear memory of one instance, in 64 KiB pages: growth past it fails (memory.grow gives -1). */
  readonly memoryPages: number;
  /** Elements of all tables of one instance together: growth past it fails (table.grow gives -1). */
  readonly tableElements: number;
  /** User-mode CPU time of one process in a user domain, in milliseconds. */
  readonly cpuMilliseconds: number;
  /** Fuel of one in-kernel entry (main or a handler). */
  readonly fuelPerEntry: number;
  /** Capability handles one process may hold at once. */
  readonly handles: number;
  /** Processes the principal may have alive at once. */
  readonly processes: number;
  /** UTF-16 units of output one process's queue holds per stream before writes are short. */
  readonly outputUnits: number;
  /** Event sources (timers, a queued yield) one process may hold at once; also its event queue's bound. */
  readonly eventSources: number;
  /** Bytes of exchange-heap blocks one process may own at once. */
  readonly exchangeBytes: number;
}

export type LimitName = keyof ResourceLimits;

/** The kernel's ceilings for a principal whose policy entry names none. */
export const KERNEL_CEILINGS: ResourceLimits = {
  memoryPages: CEILING_MEMORY_PAGES,
  tableElements: CEILING_TABLE_ELEMENTS,
  cpuMilliseconds: CEILING_CPU_MILLISECONDS,
  fuelPerEntry: CEILING_FUEL_PER_ENTRY,
  handles: MAX_HANDLES_PER_PROCESS,
  processes: MAX_PROCESSES,
  outputUnits: MAX_QUEUED_OUTPUT_UNITS,
  eventSources: MAX_EVENT_SOURCES_PER_PROCESS,
  exchangeBytes: CEILING_EXCHANGE_BYTES,
};

/** The largest value each limit can have at all, whatever a policy says. */
const ABSOLUTE_MAXIMA: ResourceLimits = {
  memoryPages: MAX_WASM_MEMORY_PAGES,
  tableElements: 10_000_000,
  cpuMilliseconds: MAX_TIMER_MILLISECONDS,
  fuelPerEntry: Number.MAX_SAFE_INTEGER,
  handles: MAX_HANDLES_PER_PROCESS,
  processes: MAX_PROCESSES,
  outputUnits: MAX_QUEUED_OUTPUT_UNITS,
  eventSources: MAX_EVENT_SOURCES_PER_PROCESS,
  exchangeBytes: MAX_EXCHANGE_BYTES,
};

/** A manifest that asks for more than its principal's ceiling: a refusal, not a usage error. */
export class LimitRefusal extends KernelError {
  /** The rule a refusal line names, as the linker's refusals do. */
  readonly rule = "limit-exceeded" as const;

  constructor(readonly module: string, readonly limit: LimitName, readonly asked: number, readonly ceiling: number, readonly principal: string) {
    super(`${module}: manifest asks for ${limit} ${asked}, over the ceiling of ${ceiling} for principal '${principal}'`, ErrorCode.noMemory);
  }
}

/** Reads a policy's `limits` for one principal: known names, positive integers within the absolute maxima. */
export function parseLimits(value: unknown, where: string, fail: (detail: string) => Error): ResourceLimits {
  if (value === undefined) return KERNEL_CEILINGS;
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw fail(`${where}: 'limits' must be an object`);
  const limits: Record<string, number> = { ...KERNEL_CEILINGS };
  for (const [name, limit] of Object.entries(value)) {
    if (!Object.hasOwn(KERNEL_CEILINGS, name)) throw fail(`${where}: unknown limit '${name}' (known: ${Object.keys(KERNEL_CEILINGS).join(", ")})`);
    const maximum = ABSOLUTE_MAXIMA[name as LimitName];
    if (typeof limit !== "number" || !Number.isSafeInteger(limit) || limit <= 0 || limit > maximum) {
      throw fail(`${where}: limit '${name}' must be a whole number from 1 to ${maximum}`);
    }
    limits[name] = limit;
  }
  return limits as unknown as ResourceLimits;
}

/** What one module's manifest asks for, by limit; absent where it asks for nothing. */
function askedBy(manifest: Manifest): Partial<Record<LimitName, number>> {
  const entryFuel = Object.values(manifest.entryPoints ?? {}).map((entry) => entry.fuel ?? 0);
  const fuel = Math.max(manifest.limits?.fuelPerEntry ?? 0, ...entryFuel);
  return {
    memoryPages: manifest.limits?.memoryPages,
    cpuMilliseconds: manifest.limits?.cpuMilliseconds,
    fuelPerEntry: fuel > 0 ? fuel : undefined,
  };
}

/** Refuses a manifest that asks for more than `ceilings` allow. */
export function checkManifestLimits(module: string, manifest: Manifest, ceilings: ResourceLimits, principal: string): void {
  for (const [name, asked] of Object.entries(askedBy(manifest)) as [LimitName, number | undefined][]) {
    if (asked !== undefined && asked > ceilings[name]) throw new LimitRefusal(module, name, asked, ceilings[name], principal);
  }
}

/** The limits one module runs under: what its manifest asks for, else the kernel's default, never above the ceilings. */
export function moduleLimits(manifest: Manifest, ceilings: ResourceLimits): ResourceLimits {
  return {
    memoryPages: Math.min(manifest.limits?.memoryPages ?? DEFAULT_USER_MEMORY_PAGES, ceilings.memoryPages),
    tableElements: ceilings.tableElements,
    cpuMilliseconds: Math.min(manifest.limits?.cpuMilliseconds ?? DEFAULT_USER_CPU_MILLISECONDS, ceilings.cpuMilliseconds),
    fuelPerEntry: Math.min(manifest.limits?.fuelPerEntry ?? fuelBudgetFor(manifest, "main"), ceilings.fuelPerEntry),
    handles: ceilings.handles,
    processes: ceilings.processes,
    outputUnits: ceilings.outputUnits,
    eventSources: ceilings.eventSources,
    exchangeBytes: ceilings.exchangeBytes,
  };
}

/** The fuel of one call of `entry`: the manifest's budget for it, never above the ceiling. */
export function entryFuel(manifest: Manifest, entry: string, ceilings: ResourceLimits): number {
  return Math.min(fuelBudgetFor(manifest, entry), ceilings.fuelPerEntry);
}
