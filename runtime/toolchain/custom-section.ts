// Appends a custom section to a Wasm binary: id 0, size, name, payload (Wasm spec §5.5.3).
function encodeUnsigned(value: number): number[] {
  const bytes: number[] = [];
  do {
    let byte = value & 0x7f;
    value = Math.floor(value / 128);
    if (value !== 0) byte |= 0x80;
    bytes.push(byte);
  } while (value !== 0);
  return bytes;
}

export function appendCustomSection(module: Uint8Array, name: string, payload: Uint8Array): Uint8Array<ArrayBuffer> {
  const nameBytes = new TextEncoder().encode(name);
  const body = [...encodeUnsigned(nameBytes.length), ...nameBytes, ...payload];
  const section = [0, ...encodeUnsigned(body.length), ...body];
  const result = new Uint8Array(module.length + section.length);
  result.set(module, 0);
  result.set(section, module.length);
  return result;
}
