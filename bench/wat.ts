// Assembles the benchmarks' WAT modules with wabt.
import wabtInit from "wabt";

export async function assemble(text: string): Promise<Uint8Array<ArrayBuffer>> {
  const wabt = await wabtInit();
  const parsed = wabt.parseWat("bench.wat", text);
  try {
    const { buffer } = parsed.toBinary({});
    const bytes = new Uint8Array(buffer.byteLength);
    bytes.set(buffer);
    return bytes;
  } finally {
    parsed.destroy();
  }
}
