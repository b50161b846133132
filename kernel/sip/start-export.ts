// In the kernel domain a module's start function runs as an export, right after instantiation.
//
// Why: a start function runs inside `new WebAssembly.Instance`, before the instance (and so its
// memory and fuel counter) is handed back, and AssemblyScript puts an app's top-level code in a
// start section. A kernel call made there could not read its arguments. So the loader moves the
// start function of a verified module to the reserved export `singlet_start` (the verifier
// refuses modules that export that name themselves), and the kernel calls it once the instance's
// memory is bound, under the same fuel it would have had (the counter's initial value). The
// function indices do not change, so fault locations and names stay those of the verified module.
import { KERNEL_START_EXPORT } from "../../verifier/index.js";

const SECTION_EXPORT = 7;
const SECTION_START = 8;
const EXPORT_KIND_FUNCTION = 0;

function readUnsigned(bytes: Uint8Array, offset: number): { value: number; next: number } {
  let value = 0;
  let shift = 0;
  let byte: number;
  let next = offset;
  do {
    byte = bytes[next++]!;
    value += (byte & 0x7f) * 2 ** shift;
    shift += 7;
  } while (byte & 0x80);
  return { value, next };
}

function writeUnsigned(value: number): number[] {
  const out: number[] = [];
  let rest = value >>> 0;
  do {
    const byte = rest & 0x7f;
    rest >>>= 7;
    out.push(rest === 0 ? byte : byte | 0x80);
  } while (rest !== 0);
  return out;
}

function section(id: number, content: Uint8Array): Uint8Array {
  const head = [id, ...writeUnsigned(content.byteLength)];
  const out = new Uint8Array(head.length + content.byteLength);
  out.set(head);
  out.set(content, head.length);
  return out;
}

/**
 * `bytes` (a valid, verified module) with its start section removed and its start function
 * exported as `singlet_start`; undefined when the module has no start section.
 */
export function moveStartToExport(bytes: Uint8Array): Uint8Array<ArrayBuffer> | undefined {
  const sections: { id: number; start: number; contentStart: number; end: number }[] = [];
  let offset = 8;
  while (offset < bytes.byteLength) {
    const id = bytes[offset]!;
    const size = readUnsigned(bytes, offset + 1);
    sections.push({ id, start: offset, contentStart: size.next, end: size.next + size.value });
    offset = size.next + size.value;
  }
  const start = sections.find((item) => item.id === SECTION_START);
  if (start === undefined) return undefined;
  const startFunction = readUnsigned(bytes, start.contentStart).value;
  const name = new TextEncoder().encode(KERNEL_START_EXPORT);
  const entry = [...writeUnsigned(name.byteLength), ...name, EXPORT_KIND_FUNCTION, ...writeUnsigned(startFunction)];
  const exports = sections.find((item) => item.id === SECTION_EXPORT);
  let exportSection: Uint8Array;
  if (exports) {
    const count = readUnsigned(bytes, exports.contentStart);
    const entries = bytes.subarray(count.next, exports.end);
    exportSection = section(SECTION_EXPORT, new Uint8Array([...writeUnsigned(count.value + 1), ...entries, ...entry]));
  } else {
    exportSection = section(SECTION_EXPORT, new Uint8Array([1, ...entry]));
  }
  const parts: Uint8Array[] = [bytes.subarray(0, 8)];
  for (const item of sections) {
    if (item.id === SECTION_START) {
      // The export section precedes the start section; without one, it goes where start was.
      if (!exports) parts.push(exportSection);
      continue;
    }
    parts.push(item.id === SECTION_EXPORT ? exportSection : bytes.subarray(item.start, item.end));
  }
  const out = new Uint8Array(parts.reduce((total, part) => total + part.byteLength, 0));
  let cursor = 0;
  for (const part of parts) {
    out.set(part, cursor);
    cursor += part.byteLength;
  }
  return out;
}

/** Runs the start function a kernel-domain instance carries as `singlet_start`, if any; call once the memory is bound. */
export function runMovedStart(instance: WebAssembly.Instance): void {
  const start = instance.exports[KERNEL_START_EXPORT];
  if (typeof start === "function") (start as () => void)();
}
