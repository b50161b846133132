// The fuel rewriter: everything after the checking boundary. It adds the fuel import and the
// exported fuel global, charges every region planned by the code walk, and renumbers every
// function index the new import shifts (calls, ref.func, exports, elements, start, names).
import { Reader } from "../binary/reader.js";
import { Writer, pushName, pushSigned, pushUnsigned } from "../binary/writer.js";
import { SECTION, type DecodedModule, type SectionRange } from "../binary/module.js";
import type { CodePlan } from "../checks/code-plan.js";
import { planBulkHelpers } from "./bulk.js";
import { writeCodeSection } from "./code-section.js";
import { FUEL_AT_INSTANTIATION, FUEL_GLOBAL_EXPORT, FUEL_IMPORT_MODULE, FUEL_IMPORT_NAME } from "../fuel-contract.js";
import { newNameSection, rewriteNameSection } from "./names.js";
import { rewriteElementSection, rewriteExportSection, rewriteGlobalSection, type Renumber } from "./renumber.js";

export interface FuelRewrite {
  readonly output: Uint8Array<ArrayBuffer>;
  /** Index of the `exhausted` import in the output module. */
  readonly exhaustedFunctionIndex: number;
  readonly fuelGlobalIndex: number;
  readonly renumber: Renumber;
  /** Names of the functions the rewrite added (the import and the bulk helpers), by output index. */
  readonly addedNames: Map<number, string>;
}

/** Position of each standard section in the binary's required order (tag sits before global). */
const SECTION_ORDER: Readonly<Record<number, number>> = {
  [SECTION.type]: 1, [SECTION.import]: 2, [SECTION.function]: 3, [SECTION.table]: 4, [SECTION.memory]: 5,
  [SECTION.tag]: 6, [SECTION.global]: 7, [SECTION.export]: 8, [SECTION.start]: 9, [SECTION.element]: 10,
  [SECTION.dataCount]: 11, [SECTION.code]: 12, [SECTION.data]: 13,
};

export function instrumentFuel(module: DecodedModule, plan: CodePlan): FuelRewrite {
  const bytes = module.bytes;
  const exhaustedIndex = module.importedFunctionCount;
  const fuelGlobal = module.globals.length;
  const renumber: Renumber = (index) => (index >= exhaustedIndex ? index + 1 : index);
  let emptyType = module.types.findIndex((type) => type.parameters.length === 0 && type.results.length === 0);
  const needsEmptyType = emptyType < 0;
  if (needsEmptyType) emptyType = module.types.length;
  const bulk = planBulkHelpers(module, plan, module.functionTypes.length + 1, module.types.length + (needsEmptyType ? 1 : 0));
  const addedNames = exhaustedName(exhaustedIndex);
  for (const helper of bulk.helpers) addedNames.set(helper.functionIndex, helper.name);

  const output = new Writer(Math.ceil(bytes.length * 1.25) + 256);
  output.copy(bytes, 0, 8);
  // One scratch buffer holds each rebuilt section before it is copied out behind its size.
  const scratch = new Writer(1024);
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
        writer.u32(count + (needsEmptyType ? 1 : 0) + bulk.newTypes.length);
        if (reader) writer.copy(bytes, reader.offset, reader.end);
        if (needsEmptyType) writer.bytes([0x60, 0, 0]);
        for (const type of bulk.newTypes) writer.bytes(type);
        return writer;
      }
      case SECTION.function: {
        const count = reader ? reader.u32() : 0;
        writer.u32(count + bulk.helpers.length);
        if (reader) writer.copy(bytes, reader.offset, reader.end);
        for (const helper of bulk.helpers) writer.u32(helper.typeIndex);
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
        return rewriteGlobalSection(reader, renumber, pushSigned([0x7e, 0x01, 0x42], FUEL_AT_INSTANTIATION).concat(0x0b), writer);
      case SECTION.export:
        return rewriteExportSection(reader, renumber, [pushUnsigned(pushName([], FUEL_GLOBAL_EXPORT).concat(0x03), fuelGlobal)], writer);
      default:
        throw new Error(`no rebuild for section ${id}`);
    }
  };

  let wroteNames = false;
  for (const range of module.sections) {
    if (range.id === SECTION.custom) {
      if (range.name === "name") {
        const names = rewriteNameSection(bytes, range.contentStart, range.end, renumber, addedNames);
        if (names) writeCustomSection(output, "name", names);
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
        emitted(range.id, scratch.reset().u32Chain(renumber(module.startFunction!)));
        break;
      case SECTION.element:
        emitted(range.id, rewriteElementSection(new Reader(bytes, range.contentStart, range.end), renumber, scratch.reset()));
        break;
      case SECTION.code:
        writeCodeSection(output, module, plan, fuelGlobal, exhaustedIndex, bulk);
        break;
      default:
        output.copy(bytes, range.start, range.end);
    }
  }
  emitMissingBefore(Number.POSITIVE_INFINITY);
  if (!wroteNames) writeCustomSection(output, "name", newNameSection(addedNames));
  return { output: output.view(), exhaustedFunctionIndex: exhaustedIndex, fuelGlobalIndex: fuelGlobal, renumber, addedNames };
}

/** Module and field name of the fuel import, encoded once. */
const IMPORT_NAMES = pushName(pushName([], FUEL_IMPORT_MODULE), FUEL_IMPORT_NAME);

export function exhaustedName(index: number): Map<number, string> {
  return new Map([[index, `${FUEL_IMPORT_MODULE}.${FUEL_IMPORT_NAME}`]]);
}

function writeCustomSection(output: Writer, name: string, content: Writer): void {
  const encodedName = pushName([], name);
  output.byte(SECTION.custom);
  output.u32(encodedName.length + content.length);
  output.bytes(encodedName);
  output.copy(content.view(), 0, content.length);
}
