// Re-encoding of the sections that hold function indices, shifted by the fuel import.
import { Reader } from "../binary/reader.js";
import { Writer } from "../binary/writer.js";
import { UnsupportedFeature } from "../binary/decode.js";

/** Maps an input function index to the output one. */
export type Renumber = (functionIndex: number) => number;

/** Copies a constant expression through its `end`, renumbering `ref.func` immediates. */
export function copyConstantExpression(reader: Reader, writer: Writer, renumber: Renumber): void {
  for (;;) {
    const offset = reader.offset;
    const opcode = reader.byte();
    if (opcode === 0xd2) {
      writer.byte(opcode);
      writer.u32(renumber(reader.u32()));
      continue;
    }
    const start = offset;
    switch (opcode) {
      case 0x0b: writer.byte(opcode); return;
      case 0x41: reader.skipLeb(5); break;
      case 0x42: reader.skipLeb(10); break;
      case 0x43: reader.skip(4); break;
      case 0x44: reader.skip(8); break;
      case 0x23: reader.u32(); break;
      case 0xd0: reader.s33(); break;
      case 0x6a: case 0x6b: case 0x6c: case 0x7c: case 0x7d: case 0x7e: break;
      case 0xfd: reader.u32(); reader.skip(16); break;
      default: throw new UnsupportedFeature(`constant instruction 0x${opcode.toString(16)}`, offset);
    }
    writer.copy(reader.bytes, start, reader.offset);
  }
}

function copyRange(reader: Reader, writer: Writer, start: number): void {
  writer.copy(reader.bytes, start, reader.offset);
}

/** The element section with every function index renumbered (all eight segment encodings). */
export function rewriteElementSection(reader: Reader, renumber: Renumber, writer: Writer): Writer {
  const count = reader.u32();
  writer.u32(count);
  for (let segment = 0; segment < count; segment++) {
    const flags = reader.u32();
    writer.u32(flags);
    const passiveOrDeclared = (flags & 1) !== 0;
    const explicitTable = (flags & 2) !== 0;
    const usesExpressions = (flags & 4) !== 0;
    if (explicitTable && !passiveOrDeclared) writer.u32(reader.u32());
    if (!passiveOrDeclared) copyConstantExpression(reader, writer, renumber);
    if (passiveOrDeclared || explicitTable) {
      const start = reader.offset;
      if (usesExpressions) reader.s33(); else reader.byte();
      copyRange(reader, writer, start);
    }
    const items = reader.u32();
    writer.u32(items);
    for (let item = 0; item < items; item++) {
      if (usesExpressions) copyConstantExpression(reader, writer, renumber);
      else writer.u32(renumber(reader.u32()));
    }
  }
  return writer;
}

/** The global section with `ref.func` initialisers renumbered and `extra` appended. */
export function rewriteGlobalSection(reader: Reader | undefined, renumber: Renumber, extra: readonly number[], writer: Writer): Writer {
  const count = reader ? reader.u32() : 0;
  writer.u32(count + 1);
  for (let global = 0; global < count; global++) {
    const start = reader!.offset;
    reader!.s33();
    reader!.byte();
    copyRange(reader!, writer, start);
    copyConstantExpression(reader!, writer, renumber);
  }
  writer.bytes(extra);
  return writer;
}

/** The export section with function exports renumbered and `extra` entries appended. */
export function rewriteExportSection(reader: Reader | undefined, renumber: Renumber, extra: readonly (readonly number[])[], writer: Writer): Writer {
  const count = reader ? reader.u32() : 0;
  writer.u32(count + extra.length);
  for (let entry = 0; entry < count; entry++) {
    const start = reader!.offset;
    reader!.skip(reader!.u32());
    const kind = reader!.byte();
    copyRange(reader!, writer, start);
    const index = reader!.u32();
    writer.u32(kind === 0 ? renumber(index) : index);
  }
  for (const entry of extra) writer.bytes(entry);
  return writer;
}
