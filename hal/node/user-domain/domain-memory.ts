// Sets up a new domain's memory model: the trap page, the layout derived from the module and
// the kernel's view of the address space. Shared by the worker-backed and simulated CPUs.
import type { RegionRequest } from "../../hil/index.js";
import { AddressSpace, deriveLayout, readFunctionNames, readModuleFacts, type Layout } from "../mmu/index.js";
import { MODEL_PAGES_PER_WASM_PAGE, WASM_PAGE_BYTES } from "../params.js";
import { TrapPage, TrapWord } from "./trap-page.js";

/** Wasm allows at most 65536 pages of 64 KiB. */
const MAXIMUM_WASM_PAGES = 65536;

export interface DomainMemory {
  readonly trapPage: TrapPage;
  /** The kernel's view: walks the shared page table without a TLB. */
  readonly addressSpace: AddressSpace;
  /** Wasm pages the layout mapped at start (the module's initial memory, when its bytes were given). */
  readonly layoutMemoryPages: number;
  readonly memoryLimitPages: number;
  readonly functionNames: ReadonlyMap<number, string>;
}

const NO_FACTS = {
  memoryMinimumPages: 0, memoryMaximumPages: undefined, dataSegments: [], globalInitialValues: [],
  exportedGlobals: new Map(), globalNames: new Map(), functionNames: new Map(), codeBytes: 0,
};

export interface DomainMemoryRequest {
  /** The module, as bytes or compiled; a compiled one's layout is read from `binary` when given. */
  readonly module: WebAssembly.Module | Uint8Array;
  readonly binary?: Uint8Array;
  readonly memoryLimitPages: number;
  readonly regions?: readonly RegionRequest[];
}

export function setUpDomainMemory(spec: DomainMemoryRequest): DomainMemory {
  const memoryLimitPages = Math.min(Math.max(0, Math.floor(spec.memoryLimitPages)), MAXIMUM_WASM_PAGES);
  let layout: Layout;
  let layoutMemoryPages = 0;
  let functionNames: ReadonlyMap<number, string>;
  const binary = spec.module instanceof Uint8Array ? spec.module : spec.binary;
  if (binary) {
    const facts = readModuleFacts(binary);
    layout = deriveLayout(facts, spec.regions);
    layoutMemoryPages = facts.memoryMinimumPages;
    functionNames = facts.functionNames;
  } else {
    // Without the binary there are no data segments to read: memory is mapped as heap as it appears.
    layout = deriveLayout(NO_FACTS, spec.regions);
    functionNames = readFunctionNames(spec.module);
  }
  const trapPage = TrapPage.create(memoryLimitPages * MODEL_PAGES_PER_WASM_PAGE);
  AddressSpace.applyLayout(trapPage.pageTable, layout);
  Atomics.store(trapPage.header, TrapWord.memoryPages, layoutMemoryPages);
  const addressSpace = new AddressSpace(trapPage.pageTable, layout.regions, () => Atomics.load(trapPage.header, TrapWord.memoryPages) * WASM_PAGE_BYTES);
  return { trapPage, addressSpace, layoutMemoryPages, memoryLimitPages, functionNames };
}
