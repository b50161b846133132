// The counters of a domain's instances added up: kernel calls by name, page faults, TLB and pages.
// One summary for the worker-backed domain and the simulated one, so both report alike.
import { MmuCounter } from "../mmu/index.js";
import type { TrapPage } from "./trap-page.js";
import { TrapWord } from "./trap-page.js";
import type { TrapService } from "./trap-service.js";

export interface InstanceCounters {
  readonly service: TrapService;
  readonly page: TrapPage;
}

export interface InstanceSummary {
  readonly trapsByCall: Record<string, number>;
  readonly ringSwitchesByCall: Record<string, number>;
  /** Ring switches the trap services counted: two per answered kernel call. */
  readonly kernelCallSwitches: number;
  readonly pageFaults: number;
  readonly tlb: { hits: number; misses: number; flushes: number };
  readonly pagesMapped: number;
  readonly memoryPages: number;
}

function add(into: Record<string, number>, from: Record<string, number>): void {
  for (const [name, count] of Object.entries(from)) into[name] = (into[name] ?? 0) + count;
}

export function summarizeInstances(instances: readonly InstanceCounters[]): InstanceSummary {
  const trapsByCall: Record<string, number> = {};
  const ringSwitchesByCall: Record<string, number> = {};
  const tlb = { hits: 0, misses: 0, flushes: 0 };
  let kernelCallSwitches = 0;
  let pageFaults = 0;
  let pagesMapped = 0;
  let memoryPages = 0;
  for (const { service, page } of instances) {
    add(trapsByCall, service.trapsByCall);
    add(ringSwitchesByCall, service.ringSwitchesByCall);
    kernelCallSwitches += service.ringSwitches;
    const counters = page.pageTable.counters;
    pageFaults += Atomics.load(counters, MmuCounter.pageFaults);
    tlb.hits += Atomics.load(counters, MmuCounter.tlbHits);
    tlb.misses += Atomics.load(counters, MmuCounter.tlbMisses);
    tlb.flushes += Atomics.load(counters, MmuCounter.tlbFlushes);
    pagesMapped += page.pageTable.pagesMapped;
    memoryPages += Atomics.load(page.header, TrapWord.memoryPages);
  }
  return { trapsByCall, ringSwitchesByCall, kernelCallSwitches, pageFaults, tlb, pagesMapped, memoryPages };
}
