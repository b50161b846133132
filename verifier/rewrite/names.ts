// Rebuilds the `name` section for the output module: function, local and label names are keyed
// by function index, which the fuel import shifts; the other subsections are copied as they are.
import { Reader } from "../binary/reader.js";
import { Writer, pushName } from "../binary/writer.js";
import type { Renumber } from "./renumber.js";

const FUNCTION_NAMES = 1;
const LOCAL_NAMES = 2;
const LABEL_NAMES = 3;

/** Skips a name map (vector of index and name). */
function skipNameMap(reader: Reader): void {
  for (let count = reader.u32(); count > 0; count--) {
    reader.u32();
    reader.skip(reader.u32());
  }
}

/**
 * The rewritten content of a `name` section (without the section header and name), with
 * `added` function names inserted in index order, and each `aliases` output index given the
 * input name of the input function it maps to (copied, not decoded and encoded again). Returns
 * undefined when the input section is damaged: a module loses only its names, never its validity.
 */
export function rewriteNameSection(
  bytes: Uint8Array, start: number, end: number, renumber: Renumber, added: ReadonlyMap<number, string>,
  aliases: ReadonlyMap<number, number> = new Map(),
): Writer | undefined {
  try {
    const reader = new Reader(bytes, start, end);
    const writer = new Writer(end - start + 64);
    let wroteFunctionNames = false;
    while (!reader.atEnd) {
      const id = reader.byte();
      const size = reader.u32();
      const subsectionEnd = reader.offset + size;
      const content = new Reader(bytes, reader.offset, subsectionEnd);
      if (id === FUNCTION_NAMES) {
        const names = new Map<number, Uint8Array | number[]>();
        for (let count = content.u32(); count > 0; count--) {
          const index = renumber(content.u32());
          const nameStart = content.offset;
          content.skip(content.u32());
          names.set(index, bytes.subarray(nameStart, content.offset));
        }
        for (const [alias, original] of aliases) {
          const name = names.get(renumber(original));
          if (name !== undefined) names.set(alias, name);
        }
        writeFunctionNames(writer, names, added);
        wroteFunctionNames = true;
      } else if (id === LOCAL_NAMES || id === LABEL_NAMES) {
        const sub = new Writer(size + 8);
        const count = content.u32();
        sub.u32(count);
        for (let entry = 0; entry < count; entry++) {
          sub.u32(renumber(content.u32()));
          const mapStart = content.offset;
          skipNameMap(content);
          sub.copy(bytes, mapStart, content.offset);
        }
        writer.section(id, sub);
      } else {
        if (!wroteFunctionNames && id > FUNCTION_NAMES) {
          writeFunctionNames(writer, new Map(), added);
          wroteFunctionNames = true;
        }
        writer.byte(id);
        writer.u32(size);
        writer.copy(bytes, reader.offset, subsectionEnd);
      }
      reader.offset = subsectionEnd;
    }
    if (!wroteFunctionNames) writeFunctionNames(writer, new Map(), added);
    return writer;
  } catch {
    return undefined;
  }
}

function writeFunctionNames(writer: Writer, names: Map<number, Uint8Array | number[]>, added: ReadonlyMap<number, string>): void {
  for (const [index, name] of added) names.set(index, pushName([], name));
  const sub = new Writer(names.size * 32 + 16);
  const indices = [...names.keys()].sort((left, right) => left - right);
  sub.u32(indices.length);
  for (const index of indices) {
    sub.u32(index);
    sub.bytes(names.get(index)!);
  }
  writer.section(FUNCTION_NAMES, sub);
}

/** A fresh `name` section content holding only function names. */
export function newNameSection(added: ReadonlyMap<number, string>): Writer {
  const writer = new Writer();
  writeFunctionNames(writer, new Map(), added);
  return writer;
}
