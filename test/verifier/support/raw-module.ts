// Builds binaries directly, for fixtures too big to write as text (megabyte bodies, huge data).
import { Writer } from "../../../verifier/binary/writer.js";

function section(output: Writer, id: number, build: (content: Writer) => void): void {
  const content = new Writer();
  build(content);
  output.section(id, content);
}

/**
 * A kernel-conformant module (memory 1..16, cabi_realloc, main) whose `main` body is the given
 * instruction bytes followed by `i32.const 0; end`, and optional data of `dataBytes` zero bytes.
 */
export function rawKernelApp(mainInstructions: Uint8Array, dataBytes = 0): Uint8Array<ArrayBuffer> {
  const output = new Writer(mainInstructions.length + dataBytes + 256);
  output.bytes([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);
  section(output, 1, (content) => {
    content.u32(2);
    content.bytes([0x60, 4, 0x7f, 0x7f, 0x7f, 0x7f, 1, 0x7f]);
    content.bytes([0x60, 0, 1, 0x7f]);
  });
  section(output, 3, (content) => content.bytes([2, 0, 1]));
  section(output, 5, (content) => content.bytes([1, 1, 1, 16]));
  section(output, 7, (content) => {
    content.u32(3);
    content.name("memory"); content.bytes([2, 0]);
    content.name("cabi_realloc"); content.bytes([0, 0]);
    content.name("main"); content.bytes([0, 1]);
  });
  section(output, 10, (content) => {
    content.u32(2);
    content.bytes([4, 0, 0x41, 0, 0x0b]);
    content.u32(mainInstructions.length + 4);
    content.byte(0);
    content.bytes(mainInstructions);
    content.bytes([0x41, 0, 0x0b]);
  });
  if (dataBytes > 0) {
    section(output, 11, (content) => {
      content.bytes([1, 1]);
      content.u32(dataBytes);
      content.bytes(new Uint8Array(dataBytes));
    });
  }
  return output.finish();
}
