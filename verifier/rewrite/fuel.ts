// The fuel rewriter: everything after the checking boundary. It adds the fuel import and the
// exported fuel global, charges every region planned by the code walk, and renumbers every
// function index the new import shifts (calls, ref.func, exports, elements, start, names).
import { Reader } from "../binary/reader.js";
import { Writer, pushName, pushSigned, pushUnsigned, signedLength, unsignedLength } from "../binary/writer.js";
import { SECTION, type DecodedModule, type SectionRange } from "../binary/module.js";
import {
  EDIT_BRANCH_LABEL, EDIT_BULK, EDIT_FUEL_ENTRY, EDIT_FUEL_EXIT, EDIT_FUEL_LOOP, EDIT_STRIDE, type CodePlan,
} from "../checks/code-plan.js";
import { planBulkHelpers, writeHelperBody, type BulkHelpers } from "./bulk.js";
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
        writeCode(output, module, plan, fuelGlobal, exhaustedIndex, bulk);
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

/**
 * Writes the code section with fuel charges inserted and immediates changed, body by body.
 *
 * A function without loops gets one charge at its entry, whose check calls `exhausted` in
 * place. A function with loops is also wrapped in a block, so that each loop's check can leave
 * the loop with a branch instead of holding a call (code-plan.ts says why):
 *
 *   <entry charge> block <body> return end call exhausted unreachable end
 *
 * where every loop header starts `<charge> br_if <the block>`, and branches that named the
 * function now name it one label further out.
 */
function writeCode(output: Writer, module: DecodedModule, plan: CodePlan, fuelGlobal: number, exhaustedIndex: number, bulk: BulkHelpers): void {
  const bytes = module.bytes;
  const edits = plan.edits;
  const bodies = module.bodies;
  // global.get G; i64.const cost; i64.sub; global.set G; global.get G; i64.const 0; i64.lt_s; then
  // at an entry: if; call exhausted; unreachable; end (and `block` when wrapped)
  // at a loop header: br_if <wrapping block>
  const chargePrefix = pushUnsigned([0x23], fuelGlobal).concat(0x42);
  const chargeCompare = pushUnsigned([0x7d, 0x24], fuelGlobal);
  chargeCompare.push(0x23);
  pushUnsigned(chargeCompare, fuelGlobal).push(0x42, 0x00, 0x53);
  const entryCheck = pushUnsigned([0x04, 0x40, 0x10], exhaustedIndex).concat(0x00, 0x0b);
  const wrapOpen = [0x02, 0x40];
  const wrapClose = pushUnsigned([0x0f, 0x0b, 0x10], exhaustedIndex).concat(0x00);
  const chargeFixed = chargePrefix.length + chargeCompare.length;

  // Sizes first, so the section is written once, straight into the output.
  const reader = new Reader(bytes);
  const sizes = new Float64Array(bodies.length);
  let sectionSize = unsignedLength(bodies.length);
  for (let bodyNumber = 0; bodyNumber < bodies.length; bodyNumber++) {
    const body = bodies[bodyNumber]!;
    const last = plan.bodyEditStarts[bodyNumber + 1]!;
    let size = body.end - body.start;
    for (let edit = plan.bodyEditStarts[bodyNumber]!; edit < last; edit += EDIT_STRIDE) {
      const kind = edits[edit + 1];
      const value = edits[edit + 2]!;
      const extra = edits[edit + 3]!;
      switch (kind) {
        case EDIT_FUEL_ENTRY: size += chargeFixed + signedLength(value) + entryCheck.length + (extra === 1 ? wrapOpen.length : 0); break;
        case EDIT_FUEL_LOOP: size += chargeFixed + signedLength(value) + 1 + unsignedLength(extra); break;
        case EDIT_FUEL_EXIT: size += wrapClose.length; break;
        case EDIT_BRANCH_LABEL: size += unsignedLength(extra) - value; break;
        case EDIT_BULK: size += 1 + unsignedLength(bulkHelperIndex(bulk, bytes, edits[edit]!, value)) - value; break;
        default:
          reader.offset = edits[edit]!;
          size += unsignedLength(reader.u32() + 1) - value;
      }
    }
    sizes[bodyNumber] = size;
    sectionSize += unsignedLength(size) + size;
  }
  const helpers = new Writer(bulk.helpers.length * 64 + 8);
  for (const helper of bulk.helpers) writeHelperBody(helpers, helper, fuelGlobal, exhaustedIndex);
  sectionSize += helpers.length - unsignedLength(bodies.length) + unsignedLength(bodies.length + bulk.helpers.length);
  output.byte(SECTION.code);
  output.u32(sectionSize);
  output.u32(bodies.length + bulk.helpers.length);
  for (let bodyNumber = 0; bodyNumber < bodies.length; bodyNumber++) {
    const body = bodies[bodyNumber]!;
    const last = plan.bodyEditStarts[bodyNumber + 1]!;
    output.u32(sizes[bodyNumber]!);
    let copied = body.start;
    for (let edit = plan.bodyEditStarts[bodyNumber]!; edit < last; edit += EDIT_STRIDE) {
      const offset = edits[edit]!;
      output.copy(bytes, copied, offset);
      const kind = edits[edit + 1];
      const value = edits[edit + 2]!;
      const extra = edits[edit + 3]!;
      switch (kind) {
        case EDIT_FUEL_ENTRY:
          output.bytes(chargePrefix);
          output.s64(value);
          output.bytes(chargeCompare);
          output.bytes(entryCheck);
          if (extra === 1) output.bytes(wrapOpen);
          copied = offset;
          break;
        case EDIT_FUEL_LOOP:
          output.bytes(chargePrefix);
          output.s64(value);
          output.bytes(chargeCompare);
          output.byte(0x0d);
          output.u32(extra);
          copied = offset;
          break;
        case EDIT_FUEL_EXIT:
          output.bytes(wrapClose);
          copied = offset;
          break;
        case EDIT_BRANCH_LABEL:
          output.u32(extra);
          copied = offset + value;
          break;
        case EDIT_BULK:
          output.byte(0x10);
          output.u32(bulkHelperIndex(bulk, bytes, offset, value));
          copied = offset + value;
          break;
        default:
          reader.offset = offset;
          output.u32(reader.u32() + 1);
          copied = offset + value;
      }
    }
    output.copy(bytes, copied, body.end);
  }
  output.copy(helpers.view(), 0, helpers.length);
}

function bulkHelperIndex(bulk: BulkHelpers, bytes: Uint8Array, offset: number, length: number): number {
  return bulk.indexByInstruction.get(String.fromCharCode(...bytes.subarray(offset, offset + length)))!;
}
