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
        if (!writeFunctionNamesInOrder(writer, content, renumber, added, aliases)) {
          writeFunctionNamesAnyOrder(writer, new Reader(bytes, reader.offset, subsectionEnd), renumber, added, aliases);
        }
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
          writeAddedNames(writer, added);
          wroteFunctionNames = true;
        }
        writer.byte(id);
        writer.u32(size);
        writer.copy(bytes, reader.offset, subsectionEnd);
      }
      reader.offset = subsectionEnd;
    }
    if (!wroteFunctionNames) writeAddedNames(writer, added);
    return writer;
  } catch {
    return undefined;
  }
}

/**
 * Function names as the spec orders them, by ascending index: then the renumbered input names
 * are ascending too (renumbering keeps order) and the few added ones merge in, so each input
 * name is copied as it is, its index written anew, with no map and no sort. Returns false,
 * having written nothing, when the input is out of order; writeFunctionNamesAnyOrder does it then.
 */
function writeFunctionNamesInOrder(
  writer: Writer, content: Reader, renumber: Renumber, added: ReadonlyMap<number, string>, aliases: ReadonlyMap<number, number>,
): boolean {
  const bytes = content.bytes;
  const count = content.u32();
  // Per input name: its output index and the range of its encoding (length and UTF-8 bytes).
  const indices = new Int32Array(count);
  const starts = new Int32Array(count);
  const ends = new Int32Array(count);
  let previous = -1;
  for (let entry = 0; entry < count; entry++) {
    const index = renumber(content.u32());
    if (index <= previous) return false;
    previous = index;
    indices[entry] = index;
    starts[entry] = content.offset;
    content.skip(content.u32());
    ends[entry] = content.offset;
  }
  const extras = addedInOrder(added, aliases, renumber, (index) => {
    const entry = lowerBound(indices, index);
    return entry < count && indices[entry] === index ? bytes.subarray(starts[entry]!, ends[entry]!) : undefined;
  });
  let total = count + extras.length;
  for (const extra of extras) {
    const entry = lowerBound(indices, extra.index);
    if (entry < count && indices[entry] === extra.index) total--;
  }
  const sub = new Writer(content.offset - (count > 0 ? starts[0]! : content.offset) + count * 5 + extras.length * 48 + 16);
  sub.u32(total);
  let entry = 0;
  for (const extra of extras) {
    for (; entry < count && indices[entry]! < extra.index; entry++) {
      sub.u32(indices[entry]!);
      sub.copy(bytes, starts[entry]!, ends[entry]!);
    }
    // An added name wins over an input name at the same index, as in writeFunctionNamesAnyOrder.
    if (entry < count && indices[entry] === extra.index) entry++;
    sub.u32(extra.index);
    sub.bytes(extra.name);
  }
  for (; entry < count; entry++) {
    sub.u32(indices[entry]!);
    sub.copy(bytes, starts[entry]!, ends[entry]!);
  }
  writer.section(FUNCTION_NAMES, sub);
  return true;
}

/** The general case: any order, duplicates; the last name of an index wins. */
function writeFunctionNamesAnyOrder(
  writer: Writer, content: Reader, renumber: Renumber, added: ReadonlyMap<number, string>, aliases: ReadonlyMap<number, number>,
): void {
  const bytes = content.bytes;
  const names = new Map<number, Uint8Array | readonly number[]>();
  for (let count = content.u32(); count > 0; count--) {
    const index = renumber(content.u32());
    const nameStart = content.offset;
    content.skip(content.u32());
    names.set(index, bytes.subarray(nameStart, content.offset));
  }
  for (const extra of addedInOrder(added, aliases, renumber, (index) => names.get(index))) names.set(extra.index, extra.name);
  writeFunctionNames(writer, names);
}

/** The added names and the aliases found by `nameAt` (an output index's encoded input name), by ascending index. */
function addedInOrder(
  added: ReadonlyMap<number, string>, aliases: ReadonlyMap<number, number>, renumber: Renumber,
  nameAt: (index: number) => Uint8Array | readonly number[] | undefined,
): { index: number; name: Uint8Array | readonly number[] }[] {
  const extras: { index: number; name: Uint8Array | readonly number[] }[] = [];
  for (const [index, name] of added) extras.push({ index, name: encodedName(name) });
  for (const [alias, original] of aliases) {
    const name = nameAt(renumber(original));
    if (name !== undefined) extras.push({ index: alias, name });
  }
  return extras.sort((left, right) => left.index - right.index);
}

/** The first position in ascending `values` holding `value` or more. */
function lowerBound(values: Int32Array, value: number): number {
  let low = 0;
  let high = values.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (values[middle]! < value) low = middle + 1;
    else high = middle;
  }
  return low;
}

/**
 * Encoded added names, kept: they are the fuel import's and the bulk helpers' names, the same
 * for every module. Past a few dozen (entry wrappers of unnamed functions) they are not kept.
 */
const encodedNames = new Map<string, readonly number[]>();
const KEPT_ENCODED_NAMES = 32;

function encodedName(name: string): readonly number[] {
  let encoded = encodedNames.get(name);
  if (encoded === undefined) {
    encoded = pushName([], name);
    if (encodedNames.size < KEPT_ENCODED_NAMES) encodedNames.set(name, encoded);
  }
  return encoded;
}

function writeFunctionNames(writer: Writer, names: Map<number, Uint8Array | readonly number[]>): void {
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
  writeAddedNames(writer, added);
  return writer;
}

function writeAddedNames(writer: Writer, added: ReadonlyMap<number, string>): void {
  writeFunctionNames(writer, new Map([...added].map(([index, name]) => [index, encodedName(name)])));
}
