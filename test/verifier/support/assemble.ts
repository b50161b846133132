// Assembles WAT fixtures for the verifier suites with wabt, once per process, all features on.
import wabtInit from "wabt";

let wabt: Awaited<ReturnType<typeof wabtInit>> | undefined;

const FEATURES = {
  exceptions: true, mutable_globals: true, sat_float_to_int: true, sign_extension: true, simd: true, threads: true,
  multi_value: true, tail_call: true, bulk_memory: true, reference_types: true,
};

export async function assemble(text: string, name = "fixture.wat"): Promise<Uint8Array<ArrayBuffer>> {
  wabt ??= await wabtInit();
  const parsed = wabt.parseWat(name, text, FEATURES);
  try {
    parsed.resolveNames();
    const { buffer } = parsed.toBinary({ write_debug_names: true });
    const bytes = new Uint8Array(buffer.byteLength);
    bytes.set(buffer);
    return bytes;
  } finally {
    parsed.destroy();
  }
}

/**
 * A module that passes every check: kernel memory with a maximum, `cabi_realloc`, `main`, and
 * `extra` fields spliced in. Rejection rows change one thing about it.
 */
export function kernelApp(extra = "", main = "(i32.const 0)"): string {
  return `(module
  ${extra}
  (memory (export "memory") 1 16)
  (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32) (i32.const 1024))
  (func (export "main") (result i32) ${main}))`;
}
