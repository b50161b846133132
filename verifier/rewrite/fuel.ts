// The fuel rewriter: everything after the checking boundary. It adds the fuel import and the
// exported fuel global, gives every defined function the counter as a last parameter and a last
// result (so the engine keeps it in a register: code-section.ts), charges every region planned by
// the code walk, adds entry wrappers of the original types for functions called from outside
// (entries.ts), and renumbers every function index the new import and wrappers move (calls,
// ref.func, exports, elements, start, globals, names).
import { Reader } from "../binary/reader.js";
import { Writer, pushName, pushSigned, pushUnsigned } from "../binary/writer.js";
import { SECTION, type DecodedModule, type SectionRange } from "../binary/module.js";
import { EDIT_CALL_INDIRECT, EDIT_STRIDE, type CodePlan } from "../checks/code-plan.js";
import { planBulkHelpers } from "./bulk.js";
import { codeSectionRoom, writeCodeSection, type CodeLayout } from "./code-section.js";
import { findFunctionReferences } from "./entries.js";
import { FUEL_AT_INSTANTIATION, FUEL_GLOBAL_EXPORT, FUEL_IMPORT_MODULE, FUEL_IMPORT_NAME } from "../fuel-contract.js";
import { newNameSection, rewriteNameSection } from "./names.js";
import { rewriteElementSection, rewriteExportSection, rewriteGlobalSection, type Renumber } from "./renumber.js";
import { TypeAppender, valueTypeCode } from "./types.js";

export interface FuelRewrite {
  readonly output: Uint8Array<ArrayBuffer>;
  /** Index of the `exhausted` import in the output module. */
  readonly exhaustedFunctionIndex: number;
  readonly fuelGlobalIndex: number;
  /** Output index of each input function's code (the rewritten body; imports keep theirs). */
  readonly renumber: Renumber;
  /** Names of the functions the rewrite added (the import, the bulk helpers, the entry wrappers), by output index. */
  readonly addedNames: Map<number, string>;
}

/** Position of each standard section in the binary's required order (tag sits before global). */
const SECTION_ORDER: Readonly<Record<number, number>> = {
  [SECTION.type]: 1, [SECTION.import]: 2, [SECTION.function]: 3, [SECTION.table]: 4, [SECTION.memory]: 5,
  [SECTION.tag]: 6, [SECTION.global]: 7, [SECTION.export]: 8, [SECTION.start]: 9, [SECTION.element]: 10,
  [SECTION.dataCount]: 11, [SECTION.code]: 12, [SECTION.data]: 13,
};

/** `names` are the input's function names: an entry wrapper is named after the function it enters. */
export function instrumentFuel(module: DecodedModule, plan: CodePlan, names: ReadonlyMap<number, string> = new Map()): FuelRewrite {
  const bytes = module.bytes;
  const imported = module.importedFunctionCount;
  const exhaustedIndex = imported;
  const fuelGlobal = module.globals.length;
  const definedCount = module.functionTypes.length - imported;
  const direct: Renumber = (index) => (index >= exhaustedIndex ? index + 1 : index);

  const types = new TypeAppender(module.types);
  const emptyType = types.emptyType();
  // One scratch buffer holds each rebuilt section before it is copied out behind its size.
  const scratch = spareScratch.reset();
  const references = findFunctionReferences(module, scratch);
  const tablesHoldRewritten = !references.referencesEscape;
  // Per input type: the rewritten type (the counter appended to parameters and results) and the
  // block type of a body with that type's results: for the types of defined functions, and when
  // tables hold rewritten functions, for the types call_indirect names.
  const rewrittenTypes = new Array<number>(module.types.length).fill(-1);
  const bodyBlockTypes: number[][] = new Array<number[]>(module.types.length).fill([]);
  const rewriteType = (typeIndex: number): void => {
    if (rewrittenTypes[typeIndex]! >= 0) return;
    const type = module.types[typeIndex]!;
    rewrittenTypes[typeIndex] = types.appendWithCounter(type);
    bodyBlockTypes[typeIndex] = type.results.length === 0 ? [0x40]
      : type.results.length === 1 ? [valueTypeCode(type.results[0]!)]
      : pushSigned([], types.append([], type.results));
  };
  for (let index = imported; index < module.functionTypes.length; index++) rewriteType(module.functionTypes[index]!);
  if (tablesHoldRewritten) for (const typeIndex of indirectCallTypes(module, plan)) rewriteType(typeIndex);
  const bulk = planBulkHelpers(module, plan, imported + 1 + definedCount, types);
  const firstEntry = imported + 1 + definedCount + bulk.helpers.length;
  const wrapped = new Set(references.entered);
  if (!tablesHoldRewritten) for (const index of references.referenced) wrapped.add(index);
  const entries = [...wrapped].sort((left, right) => left - right).map((functionIndex, position) => ({ functionIndex, outputIndex: firstEntry + position }));
  const entryIndex = new Map(entries.map((entry) => [entry.functionIndex, entry.outputIndex]));
  /** Exports and the start function: always a wrapper. */
  const entered: Renumber = (index) => entryIndex.get(index) ?? index;
  /** Elements, globals and ref.func: the rewritten function, or its wrapper when references escape. */
  const reference: Renumber = tablesHoldRewritten ? direct : (index) => (index < imported ? index : entryIndex.get(index)!);
  const addedNames = exhaustedName(exhaustedIndex);
  for (const helper of bulk.helpers) addedNames.set(helper.functionIndex, helper.name);
  // An entry wrapper has its function's name; in a name section it is copied from the input's.
  const namesToWrite = new Map(addedNames);
  const wrapperAliases = new Map<number, number>();
  for (const entry of entries) {
    const name = names.get(entry.functionIndex);
    addedNames.set(entry.outputIndex, name ?? `${FUEL_IMPORT_MODULE}.entry-${entry.functionIndex}`);
    if (name === undefined) namesToWrite.set(entry.outputIndex, addedNames.get(entry.outputIndex)!);
    else wrapperAliases.set(entry.outputIndex, entry.functionIndex);
  }
  const referenceIndex = new Array<number>(module.functionTypes.length);
  for (let index = 0; index < referenceIndex.length; index++) referenceIndex[index] = reference(index);
  const layout: CodeLayout = { fuelGlobal, exhaustedIndex, referenceIndex, tablesHoldRewritten, rewrittenTypes, bodyBlockTypes, bulk, entries };

  // Sized once: the input outside the code section, plus the room the code section claims, plus
  // the added functions, types and names (a growth copies everything written so far).
  const codeSection = module.sections.find((range) => range.id === SECTION.code);
  const inputCodeBytes = codeSection === undefined ? 0 : codeSection.end - codeSection.start;
  const output = outputWriter(bytes.length - inputCodeBytes + codeSectionRoom(module, plan)
    + (bulk.helpers.length + entries.length) * 64 + types.added.length * 16 + 1024);
  output.copy(bytes, 0, 8);
  const pending = new Set<number>([SECTION.type, SECTION.import, SECTION.function, SECTION.global, SECTION.export]);

  const emitted = (id: number, content: Writer): void => {
    output.section(id, content);
    pending.delete(id);
  };
  const emitMissingBefore = (order: number): void => {
    for (const id of pending) {
      if (SECTION_ORDER[id]! < order) emitted(id, rebuild(id, undefined));
    }
  };
  const rebuild = (id: number, range: SectionRange | undefined): Writer => {
    const reader = range ? new Reader(bytes, range.contentStart, range.end) : undefined;
    const writer = scratch.reset();
    switch (id) {
      case SECTION.type: {
        const count = reader ? reader.u32() : 0;
        writer.u32(count + types.added.length);
        if (reader) writer.copy(bytes, reader.offset, reader.end);
        for (const type of types.added) writer.bytes(type);
        return writer;
      }
      case SECTION.function: {
        writer.u32(definedCount + bulk.helpers.length + entries.length);
        for (let index = imported; index < module.functionTypes.length; index++) writer.u32(rewrittenTypes[module.functionTypes[index]!]!);
        for (const helper of bulk.helpers) writer.u32(helper.typeIndex);
        for (const entry of entries) writer.u32(module.functionTypes[entry.functionIndex]!);
        return writer;
      }
      case SECTION.import: {
        const count = reader ? reader.u32() : 0;
        writer.u32(count + 1);
        if (reader) writer.copy(bytes, reader.offset, reader.end);
        writer.bytes(IMPORT_NAMES);
        writer.byte(0x00);
        writer.u32(emptyType);
        return writer;
      }
      case SECTION.global:
        return rewriteGlobalSection(reader, reference, pushSigned([0x7e, 0x01, 0x42], FUEL_AT_INSTANTIATION).concat(0x0b), writer);
      case SECTION.export:
        return rewriteExportSection(reader, entered, [pushUnsigned(pushName([], FUEL_GLOBAL_EXPORT).concat(0x03), fuelGlobal)], writer);
      default:
        throw new Error(`no rebuild for section ${id}`);
    }
  };

  let wroteNames = false;
  for (const range of module.sections) {
    if (range.id === SECTION.custom) {
      if (range.name === "name") {
        const rewrittenNames = rewriteNameSection(bytes, range.contentStart, range.end, direct, namesToWrite, wrapperAliases);
        if (rewrittenNames) writeCustomSection(output, "name", rewrittenNames);
        wroteNames = true;
      } else {
        output.copy(bytes, range.start, range.end);
      }
      continue;
    }
    emitMissingBefore(SECTION_ORDER[range.id]!);
    switch (range.id) {
      case SECTION.type: case SECTION.import: case SECTION.function: case SECTION.global: case SECTION.export:
        emitted(range.id, rebuild(range.id, range));
        break;
      case SECTION.start:
        emitted(range.id, scratch.reset().u32Chain(entered(module.startFunction!)));
        break;
      case SECTION.element:
        emitted(range.id, rewriteElementSection(new Reader(bytes, range.contentStart, range.end), reference, scratch.reset()));
        break;
      case SECTION.code:
        writeCodeSection(output, module, plan, layout);
        break;
      default:
        output.copy(bytes, range.start, range.end);
    }
  }
  emitMissingBefore(Number.POSITIVE_INFINITY);
  if (!wroteNames) writeCustomSection(output, "name", newNameSection(addedNames));
  if (scratch.capacity > REUSED_WRITER_BYTES) spareScratch = new Writer(SCRATCH_BYTES);
  return { output: outputOf(output), exhaustedFunctionIndex: exhaustedIndex, fuelGlobalIndex: fuelGlobal, renumber: direct, addedNames };
}

/**
 * Writers up to this size are kept from one module to the next: a fresh zeroed output buffer
 * of several times the code size was a fixed cost of every small module (a tenth of the rewrite
 * of apps/hello, and garbage that evicted WebAssembly.validate's working set from the cache).
 * A larger output gets a buffer of its own, returned without a copy, and nothing that large
 * stays in kernel memory between verifications.
 */
const REUSED_WRITER_BYTES = 1 << 20;
const SCRATCH_BYTES = 1024;
let spareScratch = new Writer(SCRATCH_BYTES);
let spareOutput: Writer | undefined;

function outputWriter(capacity: number): Writer {
  if (capacity > REUSED_WRITER_BYTES) return new Writer(capacity);
  if (spareOutput === undefined || spareOutput.capacity < capacity) spareOutput = new Writer(capacity);
  return spareOutput.reset();
}

/**
 * The output module's bytes. From the kept writer they are copied out at their exact length:
 * the next verification overwrites that buffer, and a result must never change after it is
 * returned. The verifier is synchronous and never re-entered, so one kept writer suffices.
 */
function outputOf(output: Writer): Uint8Array<ArrayBuffer> {
  if (output !== spareOutput) return output.view();
  const bytes = output.finish();
  if (output.capacity > REUSED_WRITER_BYTES) spareOutput = undefined;
  return bytes;
}

/** The type immediates of every call_indirect and return_call_indirect the plan rewrites. */
function indirectCallTypes(module: DecodedModule, plan: CodePlan): Set<number> {
  const types = new Set<number>();
  const edits = plan.edits;
  const reader = new Reader(module.bytes);
  for (let edit = 0; edit < edits.length; edit += EDIT_STRIDE) {
    if (edits[edit + 1] !== EDIT_CALL_INDIRECT) continue;
    reader.offset = edits[edit]! + 1;
    types.add(reader.u32());
  }
  return types;
}

/** Module and field name of the fuel import, encoded once. */
const IMPORT_NAMES = pushName(pushName([], FUEL_IMPORT_MODULE), FUEL_IMPORT_NAME);

const EXHAUSTED_NAME = `${FUEL_IMPORT_MODULE}.${FUEL_IMPORT_NAME}`;

export function exhaustedName(index: number): Map<number, string> {
  return new Map([[index, EXHAUSTED_NAME]]);
}

function writeCustomSection(output: Writer, name: string, content: Writer): void {
  const encodedName = pushName([], name);
  output.byte(SECTION.custom);
  output.u32(encodedName.length + content.length);
  output.bytes(encodedName);
  output.copy(content.view(), 0, content.length);
}
