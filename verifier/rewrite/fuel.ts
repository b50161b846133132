// The fuel rewriter: everything after the checking boundary. It adds the fuel import and the
// exported fuel global, charges every region planned by the code walk, and renumbers every
// function index the new import shifts (calls, ref.func, exports, elements, start, names).
import { Reader } from "../binary/reader.js";
import { Writer, signedLength, unsignedLength } from "../binary/writer.js";
import { SECTION, type DecodedModule, type SectionRange } from "../binary/module.js";
import { EDIT_FUEL, type CodePlan } from "../checks/code.js";
import { FUEL_AT_INSTANTIATION, FUEL_GLOBAL_EXPORT, FUEL_IMPORT_MODULE, FUEL_IMPORT_NAME } from "../fuel-contract.js";
import { newNameSection, rewriteNameSection } from "./names.js";
import { rewriteElementSection, rewriteExportSection, rewriteGlobalSection, type Renumber } from "./renumber.js";

export interface FuelRewrite {
  readonly output: Uint8Array<ArrayBuffer>;
  /** Index of the `exhausted` import in the output module. */
  readonly exhaustedFunctionIndex: number;
  readonly fuelGlobalIndex: number;
  readonly renumber: Renumber;
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

  const output = new Writer(Math.ceil(bytes.length * 1.25) + 256);
  output.bytes(bytes.subarray(0, 8));
  const encoder = new TextEncoder();
  const pending = new Set<number>([SECTION.type, SECTION.import, SECTION.global, SECTION.export]);

  const emitted = (id: number, content: Writer): void => {
    output.section(id, content);
    pending.delete(id);
  };
  const emitMissingBefore = (order: number): void => {
    for (const id of [...pending]) {
      if (SECTION_ORDER[id]! >= order) continue;
      emitted(id, rebuild(id, undefined));
    }
  };
  const rebuild = (id: number, range: SectionRange | undefined): Writer => {
    const reader = range ? new Reader(bytes, range.contentStart, range.end) : undefined;
    switch (id) {
      case SECTION.type: {
        const writer = new Writer((reader ? reader.end - reader.offset : 0) + 8);
        const count = reader ? reader.u32() : 0;
        writer.u32(count + (needsEmptyType ? 1 : 0));
        if (reader) writer.bytes(bytes.subarray(reader.offset, reader.end));
        if (needsEmptyType) writer.bytes([0x60, 0, 0]);
        return writer;
      }
      case SECTION.import: {
        const writer = new Writer((reader ? reader.end - reader.offset : 0) + 64);
        const count = reader ? reader.u32() : 0;
        writer.u32(count + 1);
        if (reader) writer.bytes(bytes.subarray(reader.offset, reader.end));
        writer.name(FUEL_IMPORT_MODULE);
        writer.name(FUEL_IMPORT_NAME);
        writer.byte(0x00);
        writer.u32(emptyType);
        return writer;
      }
      case SECTION.global: {
        const fuel = new Writer(16);
        fuel.bytes([0x7e, 0x01, 0x42]);
        fuel.s64(FUEL_AT_INSTANTIATION);
        fuel.byte(0x0b);
        return rewriteGlobalSection(reader, renumber, fuel.view());
      }
      case SECTION.export: {
        const entry = new Writer(32);
        entry.name(FUEL_GLOBAL_EXPORT);
        entry.byte(0x03);
        entry.u32(fuelGlobal);
        return rewriteExportSection(reader, renumber, [entry.view()]);
      }
      default:
        throw new Error(`no rebuild for section ${id}`);
    }
  };

  let wroteNames = false;
  for (const range of module.sections) {
    if (range.id === SECTION.custom) {
      if (range.name === "name") {
        const names = rewriteNameSection(bytes, range.contentStart, range.end, renumber, exhaustedName(exhaustedIndex));
        if (names) writeCustomSection(output, "name", names, encoder);
        wroteNames = true;
      } else {
        output.bytes(bytes.subarray(range.start, range.end));
      }
      continue;
    }
    emitMissingBefore(SECTION_ORDER[range.id]!);
    switch (range.id) {
      case SECTION.type: case SECTION.import: case SECTION.global: case SECTION.export:
        emitted(range.id, rebuild(range.id, range));
        break;
      case SECTION.start: {
        const writer = new Writer(8);
        writer.u32(renumber(module.startFunction!));
        emitted(range.id, writer);
        break;
      }
      case SECTION.element:
        emitted(range.id, rewriteElementSection(new Reader(bytes, range.contentStart, range.end), renumber));
        break;
      case SECTION.code:
        emitted(range.id, rewriteCode(module, plan, fuelGlobal, exhaustedIndex, range));
        break;
      default:
        output.bytes(bytes.subarray(range.start, range.end));
    }
  }
  emitMissingBefore(Number.POSITIVE_INFINITY);
  if (!wroteNames) writeCustomSection(output, "name", newNameSection(exhaustedName(exhaustedIndex)), encoder);
  return { output: output.finish(), exhaustedFunctionIndex: exhaustedIndex, fuelGlobalIndex: fuelGlobal, renumber };
}

export function exhaustedName(index: number): Map<number, string> {
  return new Map([[index, `${FUEL_IMPORT_MODULE}.${FUEL_IMPORT_NAME}`]]);
}

function writeCustomSection(output: Writer, name: string, content: Writer, encoder: TextEncoder): void {
  const encodedName = encoder.encode(name);
  output.byte(SECTION.custom);
  output.u32(unsignedLength(encodedName.length) + encodedName.length + content.length);
  output.u32(encodedName.length);
  output.bytes(encodedName);
  output.bytes(content.view());
}

/** The code section with fuel charges inserted and call targets renumbered, body by body. */
function rewriteCode(module: DecodedModule, plan: CodePlan, fuelGlobal: number, exhaustedIndex: number, range: SectionRange): Writer {
  const bytes = module.bytes;
  const edits = plan.edits;
  // global.get G; i64.const cost; i64.sub; global.set G; global.get G; i64.const 0; i64.lt_s;
  // if; call exhausted; unreachable; end
  const prefix = new Writer(8);
  prefix.byte(0x23); prefix.u32(fuelGlobal); prefix.byte(0x42);
  const suffix = new Writer(24);
  suffix.byte(0x7d);
  suffix.byte(0x24); suffix.u32(fuelGlobal);
  suffix.byte(0x23); suffix.u32(fuelGlobal);
  suffix.bytes([0x42, 0x00, 0x53, 0x04, 0x40, 0x10]);
  suffix.u32(exhaustedIndex);
  suffix.bytes([0x00, 0x0b]);
  const prefixBytes = prefix.finish();
  const suffixBytes = suffix.finish();
  const fixedLength = prefixBytes.length + suffixBytes.length;

  const writer = new Writer(range.end - range.contentStart + plan.fuelPoints * 32 + 64);
  const reader = new Reader(bytes);
  writer.u32(module.bodies.length);
  for (let bodyNumber = 0; bodyNumber < module.bodies.length; bodyNumber++) {
    const body = module.bodies[bodyNumber]!;
    const first = plan.bodyEditStarts[bodyNumber]!;
    const last = plan.bodyEditStarts[bodyNumber + 1]!;
    let size = body.end - body.start;
    for (let edit = first; edit < last; edit += 3) {
      if (edits[edit + 1] === EDIT_FUEL) {
        size += fixedLength + signedLength(edits[edit + 2]!);
      } else {
        reader.offset = edits[edit]!;
        size += unsignedLength(reader.u32() + 1) - edits[edit + 2]!;
      }
    }
    writer.u32(size);
    let copied = body.start;
    for (let edit = first; edit < last; edit += 3) {
      const offset = edits[edit]!;
      writer.bytes(bytes.subarray(copied, offset));
      if (edits[edit + 1] === EDIT_FUEL) {
        writer.bytes(prefixBytes);
        writer.s64(edits[edit + 2]!);
        writer.bytes(suffixBytes);
        copied = offset;
      } else {
        reader.offset = offset;
        writer.u32(reader.u32() + 1);
        copied = offset + edits[edit + 2]!;
      }
    }
    writer.bytes(bytes.subarray(copied, body.end));
  }
  return writer;
}
