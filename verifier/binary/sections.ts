// Custom sections by name, found by walking the section headers with the project's one Wasm
// binary reader. The loader and the toolchain read a module's manifest and mode sections this way,
// without decoding the rest.
import { DecodeError, Reader } from "./reader.js";
import { SECTION } from "./module.js";

const WASM_MAGIC = [0x00, 0x61, 0x73, 0x6d];
const HEADER_BYTES = 8;

/** Payloads of every custom section named `name`, in order; empty when the bytes are not Wasm. */
export function customSectionPayloads(bytes: Uint8Array, name: string): Uint8Array[] {
  const found: Uint8Array[] = [];
  if (bytes.length < HEADER_BYTES || WASM_MAGIC.some((byte, index) => bytes[index] !== byte)) return found;
  const reader = new Reader(bytes, HEADER_BYTES);
  try {
    while (!reader.atEnd) {
      const id = reader.byte();
      const size = reader.u32();
      const end = reader.offset + size;
      // A truncated module: the sections before the cut are all there is.
      if (end > bytes.length) break;
      if (id === SECTION.custom) {
        const section = new Reader(bytes, reader.offset, end);
        if (section.name() === name) found.push(bytes.subarray(section.offset, end));
      }
      reader.offset = end;
    }
  } catch (error) {
    // A malformed header ends the walk; the verifier reports the module as malformed.
    if (!(error instanceof DecodeError)) throw error;
  }
  return found;
}
