// Finds a custom section in a Wasm binary without compiling it, so the loader can read a
// module's manifest before the verifier has passed it.
function readUnsigned(bytes: Uint8Array, position: { offset: number }): number | undefined {
  let result = 0;
  let shift = 0;
  for (let count = 0; count < 5; count++) {
    const byte = bytes[position.offset++];
    if (byte === undefined) return undefined;
    result += (byte & 0x7f) * 2 ** shift;
    if ((byte & 0x80) === 0) return result;
    shift += 7;
  }
  return undefined;
}

/** Payloads of every custom section named `name`, in order; empty when the header is not Wasm. */
export function findCustomSections(bytes: Uint8Array, name: string): Uint8Array[] {
  const found: Uint8Array[] = [];
  if (bytes.length < 8 || bytes[0] !== 0 || bytes[1] !== 0x61 || bytes[2] !== 0x73 || bytes[3] !== 0x6d) return found;
  const position = { offset: 8 };
  const decoder = new TextDecoder();
  while (position.offset < bytes.length) {
    const id = bytes[position.offset++];
    const size = readUnsigned(bytes, position);
    if (size === undefined || position.offset + size > bytes.length) break;
    const end = position.offset + size;
    if (id === 0) {
      const nameLength = readUnsigned(bytes, position);
      if (nameLength !== undefined && position.offset + nameLength <= end) {
        const sectionName = decoder.decode(bytes.subarray(position.offset, position.offset + nameLength));
        if (sectionName === name) found.push(bytes.subarray(position.offset + nameLength, end));
      }
    }
    position.offset = end;
  }
  return found;
}
