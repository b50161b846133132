// The user side of the boundary: trap stubs generated at run time from the syscall table. They
// are trusted code of the modelled machine, imported by the module but not reachable from it.
// Each stub checks pointer arguments against the page table (through the TLB), copies them into
// the trap page, crosses into the kernel (spin, then Atomics.wait) and lowers the answer.
import { BATCH_ENTRY_BYTES, BATCH_RING_ENTRIES, ErrorCode, RING_CALL_NAMES, badAddressText, resultUsesReturnArea, type AbiValueType, type SyscallDescriptor } from "../../../runtime/abi/index.js";
import type { BadPointerPolicy, PageFault } from "../../hil/index.js";
import type { AddressSpace } from "../mmu/index.js";
import { TRAP_ARGUMENT_SLOTS, TRAP_DATA_BYTES, WASM_PAGE_BYTES } from "../params.js";
import type { WorkerFault } from "./messages.js";
import type { SpinState } from "./spin-budget.js";
import { OutcomeCode, TrapWord, type TrapPage } from "./trap-page.js";

/** Thrown through the Wasm frames to end the process; never caught by the module's code. */
export class DomainUnwind {
  constructor(readonly outcome: { kind: "exited"; code: number } | { kind: "faulted"; fault: WorkerFault }) {}
}

export interface ProcessMemory {
  memory: WebAssembly.Memory | undefined;
  /**
   * A view of the whole linear memory, kept while the memory does not grow: a grow detaches the
   * old buffer, so a view of length 0 says "look again" without asking the memory for its buffer
   * on every trap (that getter costs more than the rest of a scalar call's user side).
   */
  bytes: Uint8Array;
  realloc: ((oldPointer: number, oldSize: number, align: number, newSize: number) => number) | undefined;
}

export interface StubContext {
  readonly trapPage: TrapPage;
  readonly addressSpace: AddressSpace;
  readonly process: ProcessMemory;
  readonly badPointerPolicy: BadPointerPolicy;
  readonly memoryLimitPages: number;
  /** Upper bound of the user side's polling before it sleeps. */
  readonly userSpinIterations: number;
  /** The adaptive polling budget (spin-budget.ts). */
  spin: SpinState;
  /** How a stub crosses into the kernel; returns once the answer is in the trap page. */
  readonly enterKernel: (context: StubContext, syscallNumber: number) => void;
  /** Wasm pages mapped so far; grows as the module's memory does. */
  mappedMemoryPages: number;
  /** Set once the process is ending; every later trap rethrows it. */
  unwinding: DomainUnwind | undefined;
}

type ParameterPlan = { readonly type: AbiValueType; readonly indirect: boolean; readonly unitBytes: number };

function isIndirect(type: AbiValueType): boolean { return type === "string" || type === "list<u8>"; }

/** Notices memory growth: maps the new pages, or ends the process past its limit. */
export function observeMemory(context: StubContext): void {
  const process = context.process;
  if (!process.memory) return;
  if (process.bytes.byteLength !== 0) {
    // Growth detaches an ordinary memory's buffer; a shared memory's buffer is never detached,
    // only a fresh one is longer, so its length is the only sign of growth.
    if (!(process.bytes.buffer instanceof SharedArrayBuffer) || process.memory.buffer.byteLength === process.bytes.byteLength) return;
  }
  const buffer = process.memory.buffer;
  process.bytes = new Uint8Array(buffer);
  const pages = buffer.byteLength / WASM_PAGE_BYTES;
  if (pages === context.mappedMemoryPages) return;
  Atomics.store(context.trapPage.header, TrapWord.memoryPages, pages);
  if (pages > context.memoryLimitPages) {
    throw unwind(context, { kind: "out-of-memory", message: `linear memory grew to ${pages} pages (limit ${context.memoryLimitPages})` });
  }
  context.addressSpace.mapGrowth(context.mappedMemoryPages, pages);
  context.mappedMemoryPages = pages;
}

function unwind(context: StubContext, fault: WorkerFault): DomainUnwind {
  context.unwinding = new DomainUnwind({ kind: "faulted", fault });
  return context.unwinding;
}

function badAddress(context: StubContext, descriptor: SyscallDescriptor, fault: PageFault, pointer: number, byteLength: number): number {
  if (context.badPointerPolicy === "efault" && descriptor.result === "s32") return -ErrorCode.badAddress;
  throw unwind(context, { kind: "bad-address", message: pageFaultText(context, descriptor.qualifiedName, fault, `${fault.access} of`, pointer, byteLength), address: fault.address });
}

/** A page fault of a kernel call: in the kernel domain's words when it has the same fault, an outside pointer. */
function pageFaultText(context: StubContext, call: string, fault: PageFault, what: string, pointer: number, byteLength: number): string {
  if (fault.cause === "outside-memory" || fault.cause === "overflow") {
    return `${call}: ${badAddressText(pointer, byteLength, context.process.memory?.buffer.byteLength ?? 0)}`;
  }
  return `${call}: ${what} 0x${fault.address.toString(16)} faulted (${fault.cause})`;
}

/** Applies an exit or fault answer: unwinds the process. */
function unwindIfEnding(context: StubContext): void {
  const header = context.trapPage.header;
  const kind = header[TrapWord.outcomeKind];
  if (kind === OutcomeCode.exit) {
    context.unwinding = new DomainUnwind({ kind: "exited", code: header[TrapWord.outcomeCode]! });
    throw context.unwinding;
  }
  if (kind === OutcomeCode.fault) throw unwind(context, { kind: "kernel", message: "the kernel ended the process" });
}

/** Writes a result into the process; a refused write cannot be reported to it, so it always kills. */
function copyOut(context: StubContext, descriptor: SyscallDescriptor, address: number, bytes: Uint8Array): void {
  const translation = context.addressSpace.translate(address, bytes.length, "write");
  if (!translation.ok) {
    const fault = translation.fault;
    throw unwind(context, { kind: "bad-address", message: pageFaultText(context, descriptor.qualifiedName, fault, "result write to", address, bytes.length), address: fault.address });
  }
  context.process.bytes.set(bytes, translation.offset);
}

function lowerIndirectResult(context: StubContext, descriptor: SyscallDescriptor, returnPointer: number): void {
  const page = context.trapPage;
  const length = page.header[TrapWord.resultLength]!;
  const isString = descriptor.result === "string";
  const byteLength = isString ? length * 2 : length;
  let pointer = 0;
  if (byteLength > 0) {
    const realloc = context.process.realloc;
    if (!realloc) throw unwind(context, { kind: "kernel", message: `${descriptor.qualifiedName}: the module exports no cabi_realloc` });
    // Copied first: cabi_realloc is the module's code and may itself trap, reusing the data area.
    const result = page.data.slice(0, byteLength);
    pointer = realloc(0, 0, isString ? 2 : 1, byteLength) >>> 0;
    observeMemory(context);
    copyOut(context, descriptor, pointer, result);
  }
  const pair = new Uint8Array(8);
  new DataView(pair.buffer).setUint32(0, pointer, true);
  new DataView(pair.buffer).setUint32(4, length, true);
  copyOut(context, descriptor, returnPointer, pair);
}

function makeStub(context: StubContext, descriptor: SyscallDescriptor): (...core: (number | bigint)[]) => number | bigint | undefined {
  const page = context.trapPage;
  const plan: ParameterPlan[] = descriptor.parameters.map((parameter) => ({
    type: parameter.type, indirect: isIndirect(parameter.type), unitBytes: parameter.type === "string" ? 2 : 1,
  }));
  if (plan.length > TRAP_ARGUMENT_SLOTS) throw new RangeError(`${descriptor.qualifiedName} has more than ${TRAP_ARGUMENT_SLOTS} parameters`);
  const usesReturnArea = resultUsesReturnArea(descriptor.result);
  const result = descriptor.result;
  return (...core) => {
    if (context.unwinding) throw context.unwinding;
    observeMemory(context);
    let coreIndex = 0;
    let dataCursor = 0;
    for (let slot = 0; slot < plan.length; slot++) {
      const parameter = plan[slot]!;
      if (parameter.indirect) {
        const pointer = Number(core[coreIndex++]) >>> 0;
        const length = Number(core[coreIndex++]) >>> 0;
        const byteLength = length * parameter.unitBytes;
        const translation = context.addressSpace.translate(pointer, byteLength, "read");
        if (!translation.ok) return badAddress(context, descriptor, translation.fault, pointer, byteLength);
        if (dataCursor + byteLength > TRAP_DATA_BYTES) {
          if (result === "s32") return -ErrorCode.invalidArgument;
          throw unwind(context, { kind: "kernel", message: `${descriptor.qualifiedName}: arguments exceed the trap page (${TRAP_DATA_BYTES} bytes)` });
        }
        page.data.set(context.process.bytes.subarray(translation.offset, translation.offset + byteLength), dataCursor);
        page.argumentWords[slot * 2] = dataCursor;
        page.argumentWords[slot * 2 + 1] = length;
        dataCursor += byteLength + (byteLength & 1);
      } else if (parameter.type === "u64" || parameter.type === "s64") {
        page.argumentWides[slot] = BigInt(core[coreIndex++]!);
      } else if (parameter.type === "f32" || parameter.type === "f64") {
        page.argumentFloats[slot] = Number(core[coreIndex++]);
      } else {
        page.argumentWords[slot * 2] = Number(core[coreIndex++]);
      }
    }
    page.header[TrapWord.syscallNumber] = descriptor.number;
    context.enterKernel(context, descriptor.number);
    unwindIfEnding(context);
    if (usesReturnArea) {
      lowerIndirectResult(context, descriptor, Number(core[coreIndex]) >>> 0);
      return undefined;
    }
    switch (result) {
      case null: return undefined;
      case "u64": case "s64": return page.resultWide[0]!;
      case "f32": case "f64": return page.resultFloat[0]!;
      default: return page.resultWords[0]!;
    }
  };
}

/**
 * batch.submit and batch.submit-and-wait: copies the entries into the trap page's ring, crosses
 * once, copies them back. A count or a ring the kernel domain would refuse is refused here with
 * the same code, in the call's own result type, without crossing.
 */
function makeBatchStub(context: StubContext, descriptor: SyscallDescriptor): (entries: number, count: number) => number | bigint {
  const page = context.trapPage;
  const wide = descriptor.result === "s64";
  const refused = (code: number): number | bigint => wide ? BigInt(-code) : -code;
  return (entriesArgument, countArgument) => {
    if (context.unwinding) throw context.unwinding;
    observeMemory(context);
    const entries = entriesArgument >>> 0;
    const count = countArgument >>> 0;
    if (count > BATCH_RING_ENTRIES) return refused(ErrorCode.invalidArgument);
    const byteLength = count * BATCH_ENTRY_BYTES;
    const translation = context.addressSpace.translate(entries, byteLength, "write");
    if (!translation.ok) {
      if (wide && context.badPointerPolicy === "efault") return refused(ErrorCode.badAddress);
      return badAddress(context, descriptor, translation.fault, entries, byteLength);
    }
    page.batchRing.set(context.process.bytes.subarray(translation.offset, translation.offset + byteLength));
    page.header[TrapWord.batchCount] = count;
    page.header[TrapWord.syscallNumber] = descriptor.number;
    context.enterKernel(context, descriptor.number);
    context.process.bytes.set(page.batchRing.subarray(0, byteLength), translation.offset);
    unwindIfEnding(context);
    return wide ? page.resultWide[0]! : page.resultWords[0]!;
  };
}

/** The import object: one stub per call of the kernel's call table, grouped by import module. */
export function buildTrapImports(context: StubContext, calls: readonly SyscallDescriptor[]): WebAssembly.Imports {
  const imports: Record<string, Record<string, WebAssembly.ImportValue>> = {};
  for (const descriptor of calls) {
    const stub = RING_CALL_NAMES.has(descriptor.qualifiedName) ? makeBatchStub(context, descriptor) : makeStub(context, descriptor);
    (imports[descriptor.importModule] ??= {})[descriptor.functionName] = stub as WebAssembly.ImportValue;
  }
  return imports;
}
