// Workloads for the verifier benchmarks: a generated multi-megabyte module, and compute-heavy
// WAT programs whose running time fuel instrumentation must not inflate much.
import { Writer } from "../verifier/binary/writer.js";

/** The arithmetic chunk of a generated body: loads, stores, i32/i64/f64 arithmetic, locals. */
function bodyChunk(writer: Writer): void {
  writer.bytes([0x20, 0x01, 0x20, 0x00, 0x6c, 0x41, 0x07, 0x6a, 0x21, 0x01]);         // l1 = l1 * l0 + 7
  writer.bytes([0x20, 0x00, 0x41, 0x04, 0x71, 0x28, 0x02, 0x10, 0x20, 0x01, 0x73, 0x21, 0x02]); // l2 = load(l0 & 4) ^ l1
  writer.bytes([0x41, 0xc0, 0x00, 0x20, 0x02, 0x36, 0x02, 0x08]);                     // store(64, l2)
  writer.bytes([0x20, 0x02, 0xad, 0x42, 0x8d, 0xb7, 0x03, 0x7e, 0xa7, 0x21, 0x02]);   // l2 = wrap(extend(l2) * 56205)
  writer.bytes([0x44, 0, 0, 0, 0, 0, 0, 0xf0, 0x3f, 0xaa, 0x20, 0x02, 0x6a, 0x21, 0x02]); // l2 += trunc(1.0)
}

/**
 * A valid kernel-conformant module of about `targetBytes`: many functions, each a loop of
 * arithmetic chunks followed by a call to the previous function (so renumbering has work).
 */
export function generateLargeModule(targetBytes: number, chunksPerFunction = 8): Uint8Array<ArrayBuffer> {
  const body = new Writer(1024);
  body.bytes([0x01, 0x02, 0x7f]);                      // locals: 2 × i32
  body.bytes([0x02, 0x40, 0x03, 0x40]);                // block loop
  body.bytes([0x20, 0x00, 0x45, 0x0d, 0x01]);          // br_if 1 (i32.eqz l0)
  for (let chunk = 0; chunk < chunksPerFunction; chunk++) bodyChunk(body);
  body.bytes([0x20, 0x00, 0x41, 0x01, 0x6b, 0x21, 0x00, 0x0c, 0x00, 0x0b, 0x0b]); // l0 -= 1; br 0; end end
  const loopBody = body.finish();
  const functionCount = Math.max(1, Math.floor(targetBytes / (loopBody.length + 8)));

  const output = new Writer(targetBytes + 4096);
  output.bytes([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);
  const types = new Writer();
  types.u32(3);
  types.bytes([0x60, 1, 0x7f, 1, 0x7f]);                // 0: (i32) -> i32
  types.bytes([0x60, 4, 0x7f, 0x7f, 0x7f, 0x7f, 1, 0x7f]); // 1: cabi_realloc
  types.bytes([0x60, 0, 1, 0x7f]);                      // 2: main
  output.section(1, types);
  const imports = new Writer();
  imports.u32(1);
  imports.name("singlet:kernel/process@0.1.0");
  imports.name("arg-count");
  imports.bytes([0x00, 0x02]);
  output.section(2, imports);
  const functions = new Writer();
  functions.u32(functionCount + 2);
  for (let index = 0; index < functionCount; index++) functions.u32(0);
  functions.bytes([1, 2]);
  output.section(3, functions);
  const memory = new Writer();
  memory.bytes([1, 1, 1, 16]);
  output.section(5, memory);
  const exports = new Writer();
  exports.u32(3);
  exports.name("memory"); exports.bytes([2, 0]);
  exports.name("cabi_realloc"); exports.byte(0); exports.u32(functionCount + 1);
  exports.name("main"); exports.byte(0); exports.u32(functionCount + 2);
  output.section(7, exports);
  const code = new Writer(targetBytes + 1024);
  code.u32(functionCount + 2);
  const first = 1; // function 0 is the import
  for (let index = 0; index < functionCount; index++) {
    const tail = new Writer(16);
    if (index > 0) {
      tail.bytes([0x20, 0x01, 0x10]);
      tail.u32(first + index - 1);
      tail.byte(0x1a);
    }
    tail.bytes([0x20, 0x01, 0x0b]);
    code.u32(loopBody.length + tail.length);
    code.bytes(loopBody);
    code.bytes(tail.view());
  }
  code.bytes([4, 0, 0x41, 0, 0x0b]);                  // cabi_realloc
  const main = new Writer(16);
  main.bytes([0x00, 0x10, 0x00, 0x10]);               // call arg-count; call function 1
  main.u32(first);
  main.byte(0x0b);
  code.u32(main.length);
  code.bytes(main.view());
  output.section(10, code);
  return output.finish();
}

/** Compute-heavy programs: `main` runs for a few hundred milliseconds. */
export const COMPUTE_WORKLOADS: readonly { readonly name: string; readonly wat: string }[] = [
  {
    name: "arithmetic loop (LCG and xorshift, 20M iterations)",
    wat: `(func (export "main") (result i32)
      (local $i i32) (local $acc i32) (local $x i64)
      (local.set $i (i32.const 20000000))
      (local.set $x (i64.const 88172645463325252))
      (loop $again
        (local.set $acc (i32.add (i32.mul (local.get $acc) (i32.const 1664525)) (i32.const 1013904223)))
        (local.set $x (i64.xor (local.get $x) (i64.shl (local.get $x) (i64.const 13))))
        (local.set $x (i64.xor (local.get $x) (i64.shr_u (local.get $x) (i64.const 7))))
        (local.set $x (i64.xor (local.get $x) (i64.shl (local.get $x) (i64.const 17))))
        (local.set $acc (i32.xor (local.get $acc) (i32.wrap_i64 (local.get $x))))
        (br_if $again (local.tee $i (i32.sub (local.get $i) (i32.const 1)))))
      (local.get $acc))`,
  },
  {
    name: "matrix multiply (3 nested loops, 128×128 f64, 8 rounds)",
    wat: `(func (export "main") (result i32)
      (local $round i32) (local $row i32) (local $column i32) (local $k i32) (local $sum f64)
      (loop $rounds
        (local.set $row (i32.const 0))
        (loop $rows
          (local.set $column (i32.const 0))
          (loop $columns
            (local.set $sum (f64.const 0))
            (local.set $k (i32.const 0))
            (loop $inner
              (local.set $sum (f64.add (local.get $sum)
                (f64.mul
                  (f64.load (i32.shl (i32.add (i32.shl (local.get $row) (i32.const 7)) (local.get $k)) (i32.const 3)))
                  (f64.load offset=131072 (i32.shl (i32.add (i32.shl (local.get $k) (i32.const 7)) (local.get $column)) (i32.const 3))))))
              (br_if $inner (i32.lt_u (local.tee $k (i32.add (local.get $k) (i32.const 1))) (i32.const 128))))
            (f64.store offset=262144 (i32.shl (i32.add (i32.shl (local.get $row) (i32.const 7)) (local.get $column)) (i32.const 3)) (local.get $sum))
            (br_if $columns (i32.lt_u (local.tee $column (i32.add (local.get $column) (i32.const 1))) (i32.const 128))))
          (br_if $rows (i32.lt_u (local.tee $row (i32.add (local.get $row) (i32.const 1))) (i32.const 128))))
        (br_if $rounds (i32.lt_u (local.tee $round (i32.add (local.get $round) (i32.const 1))) (i32.const 8))))
      (i32.trunc_f64_s (f64.load offset=262144 (i32.const 8))))`,
  },
  {
    name: "recursive fibonacci (fib 30, a call per step)",
    wat: `(func $fib (param $n i32) (result i32)
      (if (result i32) (i32.lt_u (local.get $n) (i32.const 2))
        (then (local.get $n))
        (else (i32.add (call $fib (i32.sub (local.get $n) (i32.const 1))) (call $fib (i32.sub (local.get $n) (i32.const 2)))))))
    (func (export "main") (result i32) (call $fib (i32.const 30)))`,
  },
];

export function computeModuleWat(functions: string): string {
  return `(module
  (memory (export "memory") 8 8)
  (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32) (i32.const 1024))
  ${functions})`;
}
