// Reads function names from the `name` custom section so findings and faults can name code.
function readUnsigned(bytes: Uint8Array, position: { offset: number }): number {
  let result = 0;
  let shift = 0;
  for (;;) {
    const byte = bytes[position.offset++];
    if (byte === undefined) throw new RangeError("truncated LEB128");
    result += (byte & 0x7f) * 2 ** shift;
    if ((byte & 0x80) === 0) return result;
    shift += 7;
  }
}

export function readFunctionNames(module: WebAssembly.Module): Map<number, string> {
  const names = new Map<number, string>();
  const section = WebAssembly.Module.customSections(module, "name")[0];
  if (!section) return names;
  const bytes = new Uint8Array(section);
  const decoder = new TextDecoder();
  const position = { offset: 0 };
  try {
    while (position.offset < bytes.length) {
      const subsection = bytes[position.offset++]!;
      const size = readUnsigned(bytes, position);
      const end = position.offset + size;
      if (subsection === 1) {
        const count = readUnsigned(bytes, position);
        for (let index = 0; index < count; index++) {
          const functionIndex = readUnsigned(bytes, position);
          const length = readUnsigned(bytes, position);
          names.set(functionIndex, decoder.decode(bytes.subarray(position.offset, position.offset + length)));
          position.offset += length;
        }
      }
      position.offset = end;
    }
  } catch {
    // A damaged name section only costs us names; the module itself was validated.
  }
  return names;
}
