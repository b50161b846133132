// Derives a process's regions from its module, by these rules (docs/hal/README.md, MMU model):
// code lives outside linear memory; data covers the active data segments; a stack exists when
// the module has a stack-pointer global above its data, and its lowest page is a guard page;
// the heap is everything above; pages past the current memory size are unmapped until growth.
import { PageFlag, type Region, type RegionRequest } from "../../hil/index.js";
import { MODEL_PAGE_BYTES, WASM_PAGE_BYTES } from "../params.js";
import type { ModuleFacts } from "./wasm-reader.js";

const USER_READ_WRITE = PageFlag.present | PageFlag.writable | PageFlag.user;

/** Global names under which toolchains keep the stack pointer and the heap start. */
const STACK_POINTER_NAMES = ["__stack_pointer", "~lib/memory/__stack_pointer"];
const HEAP_BASE_NAMES = ["__heap_base", "~lib/memory/__heap_base"];

function pageUp(address: number): number {
  return Math.ceil(address / MODEL_PAGE_BYTES) * MODEL_PAGE_BYTES;
}

function pageDown(address: number): number {
  return Math.floor(address / MODEL_PAGE_BYTES) * MODEL_PAGE_BYTES;
}

function globalValue(facts: ModuleFacts, names: readonly string[]): number | undefined {
  for (const name of names) {
    const exported = facts.exportedGlobals.get(name);
    if (exported !== undefined && facts.globalInitialValues[exported] !== undefined) return facts.globalInitialValues[exported]! >>> 0;
  }
  for (const [index, name] of facts.globalNames) {
    if (names.includes(name) && facts.globalInitialValues[index] !== undefined) return facts.globalInitialValues[index]! >>> 0;
  }
  return undefined;
}

export interface Layout {
  readonly regions: readonly Region[];
}

/** The layout of a module whose binary is not at hand: all of memory is one writable heap. */
export function flatLayout(memoryPages: number): Layout {
  return { regions: [{ kind: "heap", address: 0, length: memoryPages * WASM_PAGE_BYTES, flags: USER_READ_WRITE, inLinearMemory: true }] };
}

export function deriveLayout(facts: ModuleFacts, requests: readonly RegionRequest[] = []): Layout {
  const memoryBytes = facts.memoryMinimumPages * WASM_PAGE_BYTES;
  const regions: Region[] = [
    { kind: "code", address: 0, length: facts.codeBytes, flags: PageFlag.present | PageFlag.executable | PageFlag.kernelTrust, inLinearMemory: false },
  ];
  let dataStart = Infinity;
  let dataEnd = 0;
  for (const segment of facts.dataSegments) {
    if (segment.length === 0) continue;
    dataStart = Math.min(dataStart, segment.offset);
    dataEnd = Math.max(dataEnd, segment.offset + segment.length);
  }
  let cursor = 0;
  if (dataEnd > 0) {
    // Below the data: a null guard when the first page holds no data, else part of the data region.
    const dataPageStart = pageDown(dataStart);
    if (dataPageStart >= MODEL_PAGE_BYTES) {
      regions.push({ kind: "guard", address: 0, length: MODEL_PAGE_BYTES, flags: 0, inLinearMemory: true });
      if (dataPageStart > MODEL_PAGE_BYTES) regions.push({ kind: "heap", address: MODEL_PAGE_BYTES, length: dataPageStart - MODEL_PAGE_BYTES, flags: USER_READ_WRITE, inLinearMemory: true });
    }
    const start = dataPageStart >= MODEL_PAGE_BYTES ? dataPageStart : 0;
    // Wasm has no read-only data and toolchains keep mutable statics there: data is writable.
    regions.push({ kind: "data", address: start, length: pageUp(dataEnd) - start, flags: USER_READ_WRITE, inLinearMemory: true });
    cursor = pageUp(dataEnd);
  }
  const stackTop = globalValue(facts, STACK_POINTER_NAMES);
  const heapBase = globalValue(facts, HEAP_BASE_NAMES) ?? stackTop;
  if (stackTop !== undefined && stackTop > cursor && stackTop <= memoryBytes) {
    const stackEnd = pageDown(stackTop);
    if (stackEnd - cursor >= 2 * MODEL_PAGE_BYTES) {
      // The stack grows down towards the data: its lowest page is a guard page.
      regions.push({ kind: "guard", address: cursor, length: MODEL_PAGE_BYTES, flags: 0, inLinearMemory: true });
      regions.push({ kind: "stack", address: cursor + MODEL_PAGE_BYTES, length: stackEnd - cursor - MODEL_PAGE_BYTES, flags: USER_READ_WRITE, inLinearMemory: true });
      cursor = stackEnd;
    }
  }
  const heapStart = heapBase !== undefined && heapBase <= memoryBytes ? Math.max(cursor, pageDown(heapBase)) : cursor;
  if (heapStart > cursor) regions.push({ kind: "stack", address: cursor, length: heapStart - cursor, flags: USER_READ_WRITE, inLinearMemory: true });
  if (memoryBytes > heapStart) regions.push({ kind: "heap", address: heapStart, length: memoryBytes - heapStart, flags: USER_READ_WRITE, inLinearMemory: true });
  for (const request of requests) {
    const flags = request.flags & PageFlag.kernelTrust ? request.flags & ~PageFlag.writable : request.flags | PageFlag.user;
    regions.push({ kind: request.kind, address: pageDown(request.address), length: pageUp(request.address + request.length) - pageDown(request.address), flags, inLinearMemory: true });
  }
  return { regions };
}
