// The verifier throughput benchmark's workload: a generated multi-megabyte module. The fuel
// overhead workloads are in fuel-workloads.ts.
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
