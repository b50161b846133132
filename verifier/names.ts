// Reads function names from the `name` custom section so findings and faults can name code.
import { Reader } from "./binary/reader.js";

/** Function names from the content of a `name` section; a damaged section yields what was read. */
export function decodeFunctionNames(bytes: Uint8Array, start = 0, end = bytes.length): Map<number, string> {
  const names = new Map<number, string>();
  const reader = new Reader(bytes, start, end);
  try {
    while (!reader.atEnd) {
      const subsection = reader.byte();
      const size = reader.u32();
      const subsectionEnd = reader.offset + size;
      if (subsection === 1) {
        for (let count = reader.u32(); count > 0; count--) {
          const functionIndex = reader.u32();
          names.set(functionIndex, reader.name());
        }
      }
      reader.offset = subsectionEnd;
    }
  } catch {
    // A damaged name section only costs us names; the module itself was validated.
  }
  return names;
}

export function readFunctionNames(module: WebAssembly.Module): Map<number, string> {
  const section = WebAssembly.Module.customSections(module, "name")[0];
  return section ? decodeFunctionNames(new Uint8Array(section)) : new Map();
}
