// Assembles WAT test fixtures with wabt, once per process.
import wabtInit from "wabt";

let wabtInstance: Awaited<ReturnType<typeof wabtInit>> | undefined;

export async function assembleWat(text: string, name = "fixture.wat"): Promise<Uint8Array<ArrayBuffer>> {
  wabtInstance ??= await wabtInit();
  const parsed = wabtInstance.parseWat(name, text, { multi_value: true, bulk_memory: true });
  try {
    parsed.resolveNames();
    parsed.validate();
    const { buffer } = parsed.toBinary({ write_debug_names: true });
    const bytes = new Uint8Array(buffer.byteLength);
    bytes.set(buffer);
    return bytes;
  } finally {
    parsed.destroy();
  }
}

/** A minimal kernel-ABI-conformant module body: memory, cabi_realloc (a bump allocator) and `main`. */
export function conformantModule(imports: string, mainBody: string, extra = ""): string {
  return `(module
  ${imports}
  (memory (export "memory") 1 4)
  (global $next (mut i32) (i32.const 4096))
  (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32)
    (local $pointer i32)
    (local.set $pointer (global.get $next))
    (global.set $next (i32.add (global.get $next) (i32.and (i32.add (local.get 3) (i32.const 15)) (i32.const -16))))
    (local.get $pointer))
  ${extra}
  (func $main (export "main") (result i32)
    ${mainBody}))`;
}

/** The manifest a conformant fixture needs: its `main` declared as the entry point. */
export function fixtureManifest(name: string, capabilities: string[] = []) {
  return { name, capabilities, entryPoints: { main: { mode: "callers" as const } } };
}
