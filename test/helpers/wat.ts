// Assembles WAT test fixtures with wabt, once per process.
import wabtInit from "wabt";

let wabtInstance: Awaited<ReturnType<typeof wabtInit>> | undefined;

/** Every proposal wabt knows, so fixtures can also show what the verifier refuses. */
const FEATURES = {
  exceptions: true, mutable_globals: true, sat_float_to_int: true, sign_extension: true, simd: true, threads: true,
  multi_value: true, tail_call: true, bulk_memory: true, reference_types: true,
};

/** Assembles without validating: judging a module is the verifier's job, fixtures may be invalid. */
export async function assembleWat(text: string, name = "fixture.wat"): Promise<Uint8Array<ArrayBuffer>> {
  wabtInstance ??= await wabtInit();
  const parsed = wabtInstance.parseWat(name, text, FEATURES);
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

/** The text of a binary module, flat (one instruction a line), for tests that read what a rewrite emitted. */
export async function disassembleWasm(bytes: Uint8Array): Promise<string> {
  wabtInstance ??= await wabtInit();
  // A copy: wabt reads the whole ArrayBuffer behind a view, and the verifier's output is a view.
  const module = wabtInstance.readWasm(bytes.slice(), { readDebugNames: true, ...FEATURES });
  try {
    module.generateNames();
    module.applyNames();
    return module.toText({ foldExprs: false, inlineExport: false });
  } finally {
    module.destroy();
  }
}
