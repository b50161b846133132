// The last rewrite before a module runs, in either domain, verified or not; the module is
// otherwise copied byte for byte. It reads only section headers and the table, memory, export
// and start sections, so it works on any module the engine validates, including ones the
// verifier refused for other reasons.
//
// - Resource bounds: memory and table maximums go down to the limits the kernel sets for the
//   process, so growth past them fails inside the engine the way Wasm specifies (memory.grow
//   and table.grow give -1) instead of being noticed later, or not at all.
// - The start function becomes an export (`startExport`): Wasm runs a start function inside
//   instantiation, before the instance and its memory are handed back, and AssemblyScript puts
//   an app's top-level code there. As an export it runs once the kernel (or the domain's thread)
//   has bound the memory, so its kernel calls can read their arguments. Function indices do not
//   change, so fault locations and names stay those of the module as loaded.
import { DecodeError, Reader } from "../binary/reader.js";
import { Writer } from "../binary/writer.js";
import { SECTION } from "../binary/module.js";
import { readLimits } from "../binary/decode.js";

export interface ResourceBounds {
  /** Largest linear memory of the module, in 64 KiB pages. */
  readonly memoryPages: number;
  /** Largest number of elements all its tables may hold together. */
  readonly tableElements: number;
  /**
   * Export the start function under this name and drop the start section. Left alone when the
   * module already exports the name (only an unverified module can: the verifier refuses it).
   */
  readonly startExport?: string;
}

export type BoundingResult =
  | { readonly ok: true; readonly bytes: Uint8Array<ArrayBuffer>; readonly changed: boolean; readonly startExported: boolean }
  /** The module needs more at start than the bounds allow: it cannot run under them. */
  | { readonly ok: false; readonly resource: "memory" | "table"; readonly message: string };

/** Limit flags written back: bit 0 has-maximum (always, after bounding), bit 1 shared. */
const HAS_MAXIMUM = 1;
const SHARED = 2;
const EXPORT_KIND_FUNCTION = 0;

type LimitsEntry = ReturnType<typeof readLimits>;

function writeLimits(writer: Writer, limits: LimitsEntry, maximum: number): void {
  writer.byte(HAS_MAXIMUM | (limits.shared ? SHARED : 0));
  writer.u32(limits.minimum);
  writer.u32(maximum);
}

/**
 * The module with every memory's maximum at most `bounds.memoryPages` and its tables' maximums
 * adding up to at most `bounds.tableElements` (each table keeps its minimum and gets a share of
 * what is left in declaration order). A module whose minimums already exceed the bounds is refused.
 */
export function boundResources(bytes: Uint8Array<ArrayBuffer>, bounds: ResourceBounds): BoundingResult {
  const startFunction = bounds.startExport !== undefined ? movableStartFunction(bytes, bounds.startExport) : undefined;
  const reader = new Reader(bytes, 8);
  const writer = new Writer(bytes.length + 32);
  writer.copy(bytes, 0, 8);
  let changed = startFunction !== undefined;
  let exportWritten = false;
  while (!reader.atEnd) {
    const sectionStart = reader.offset;
    const id = reader.byte();
    const size = reader.u32();
    const bodyStart = reader.offset;
    const bodyEnd = bodyStart + size;
    if (bodyEnd > bytes.length) throw new DecodeError("section runs past the end of the module", bodyStart);
    if (startFunction !== undefined && (id === SECTION.export || id === SECTION.start)) {
      // The export section comes before the start section; without one, it goes where start was.
      if (!exportWritten) writeExportsWithStart(writer, id === SECTION.export ? new Reader(bytes, bodyStart, bodyEnd) : undefined, bounds.startExport!, startFunction);
      exportWritten = true;
      reader.offset = bodyEnd;
      continue;
    }
    if (id !== SECTION.memory && id !== SECTION.table) {
      writer.copy(bytes, sectionStart, bodyEnd);
      reader.offset = bodyEnd;
      continue;
    }
    const body = new Reader(bytes, bodyStart, bodyEnd);
    const section = new Writer(size + 16);
    const count = body.u32();
    section.u32(count);
    if (id === SECTION.memory) {
      for (let index = 0; index < count; index++) {
        const limits = readLimits(body);
        if (limits.minimum > bounds.memoryPages) {
          return { ok: false, resource: "memory", message: `memory ${index} needs ${limits.minimum} pages at start (limit ${bounds.memoryPages})` };
        }
        const maximum = Math.min(limits.maximum ?? bounds.memoryPages, bounds.memoryPages);
        if (maximum !== limits.maximum) changed = true;
        writeLimits(section, limits, maximum);
      }
    } else {
      const tables: { elementType: Uint8Array; limits: LimitsEntry }[] = [];
      let minimums = 0;
      for (let index = 0; index < count; index++) {
        const typeStart = body.offset;
        const elementType = body.byte();
        // 0x40 0x00 introduces a table with an initialiser expression (function references):
        // not part of the features this kernel accepts.
        if (elementType === 0x40) throw new DecodeError("tables with initialiser expressions are not supported", typeStart);
        const limits = readLimits(body);
        minimums += limits.minimum;
        tables.push({ elementType: bytes.subarray(typeStart, typeStart + 1), limits });
      }
      if (minimums > bounds.tableElements) {
        return { ok: false, resource: "table", message: `tables need ${minimums} elements at start (limit ${bounds.tableElements})` };
      }
      // What is left after every minimum is handed out in order: no table can grow past the sum.
      let spare = bounds.tableElements - minimums;
      for (const { elementType, limits } of tables) {
        const wanted = (limits.maximum ?? Number.MAX_SAFE_INTEGER) - limits.minimum;
        const growth = Math.min(wanted, spare);
        spare -= growth;
        const maximum = limits.minimum + growth;
        if (maximum !== limits.maximum) changed = true;
        section.bytes(elementType);
        writeLimits(section, limits, maximum);
      }
    }
    if (!body.atEnd) throw new DecodeError("unexpected bytes after the section's entries", body.offset);
    writer.byte(id);
    writer.u32(section.length);
    writer.bytes(section.finish());
    reader.offset = bodyEnd;
  }
  if (!changed) return { ok: true, bytes, changed: false, startExported: false };
  return { ok: true, bytes: writer.finish(), changed: true, startExported: startFunction !== undefined };
}

/** The start function's index, when the module has one and does not already export `name`. */
function movableStartFunction(bytes: Uint8Array, name: string): number | undefined {
  const reader = new Reader(bytes, 8);
  let startFunction: number | undefined;
  let exportsName = false;
  while (!reader.atEnd) {
    const id = reader.byte();
    const size = reader.u32();
    const bodyEnd = reader.offset + size;
    if (id === SECTION.start) startFunction = new Reader(bytes, reader.offset, bodyEnd).u32();
    if (id === SECTION.export) {
      const body = new Reader(bytes, reader.offset, bodyEnd);
      for (let count = body.u32(); count > 0; count--) {
        if (body.name() === name) exportsName = true;
        body.byte();
        body.u32();
      }
    }
    reader.offset = bodyEnd;
  }
  return exportsName ? undefined : startFunction;
}

/** The export section (`existing`'s entries, if any) with the start function added as `name`. */
function writeExportsWithStart(writer: Writer, existing: Reader | undefined, name: string, startFunction: number): void {
  const section = new Writer(64);
  const count = existing ? existing.u32() : 0;
  section.u32(count + 1);
  if (existing) section.copy(existing.bytes, existing.offset, existing.end);
  section.name(name);
  section.byte(EXPORT_KIND_FUNCTION);
  section.u32(startFunction);
  writer.byte(SECTION.export);
  writer.u32(section.length);
  writer.bytes(section.finish());
}
