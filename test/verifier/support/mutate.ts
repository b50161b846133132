// Seeded, reproducible mutations of real modules, at the byte level and along the structure
// (sections and function bodies) the verifier's decoder finds in the original.
import { decodeModule } from "../../../verifier/binary/decode.js";
import type { DecodedModule } from "../../../verifier/binary/module.js";
import { Writer } from "../../../verifier/binary/writer.js";

/** mulberry32: small, fast, and the same sequence for the same seed on every machine. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4294967296;
  };
}

const INTERESTING_BYTES = [0x00, 0x01, 0x0b, 0x0c, 0x0d, 0x10, 0x40, 0x41, 0x7f, 0x80, 0xff, 0xfe, 0xfc, 0xfd];
/** Snippets spliced into bodies: each is valid in any position with an empty stack. */
const SNIPPETS: readonly (readonly number[])[] = [
  [0x03, 0x40, 0x0c, 0x00, 0x0b],                   // loop br 0 end: spins forever
  [0x03, 0x40, 0x41, 0x01, 0x0d, 0x00, 0x0b],       // loop (br_if 0 (i32.const 1)) end
  [0x02, 0x40, 0x03, 0x40, 0x0c, 0x01, 0x0b, 0x0b], // block loop br 1 end end: leaves at once
  [0x00],                                           // unreachable
  [0x01],                                           // nop
  [0x3f, 0x00, 0x40, 0x00, 0x1a],                   // memory.grow (memory.size) drop
  [0x41, 0x80, 0x80, 0x80, 0x80, 0x7f, 0x28, 0x02, 0x00, 0x1a], // i32.load from far away, drop
];

export interface Mutation {
  readonly kind: string;
  readonly bytes: Uint8Array<ArrayBuffer>;
}

function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)]!;
}

function integer(random: () => number, below: number): number {
  return Math.floor(random() * below);
}

/** A module rebuilt from the original's sections with function body `bodyNumber` replaced. */
export function withBody(module: DecodedModule, bodyNumber: number, instructions: (body: Uint8Array, instructionStart: number) => Uint8Array): Uint8Array<ArrayBuffer> {
  const bytes = module.bytes;
  const output = new Writer(bytes.length + 64);
  output.bytes(bytes.subarray(0, 8));
  for (const range of module.sections) {
    if (range.id !== 10) {
      output.bytes(bytes.subarray(range.start, range.end));
      continue;
    }
    const code = new Writer(range.end - range.contentStart + 64);
    code.u32(module.bodies.length);
    module.bodies.forEach((body, index) => {
      let content: Uint8Array = bytes.subarray(body.start, body.end);
      if (index === bodyNumber) {
        let offset = 0;
        for (let groups = readSmall(content, offset, (next) => (offset = next)); groups > 0; groups--) {
          readSmall(content, offset, (next) => (offset = next));
          offset++;
        }
        content = instructions(content, offset);
      }
      code.u32(content.length);
      code.bytes(content);
    });
    output.section(10, code);
  }
  return output.finish();
}

function readSmall(bytes: Uint8Array, offset: number, advance: (next: number) => void): number {
  let result = 0;
  let shift = 0;
  for (;;) {
    const byte = bytes[offset++]!;
    result += (byte & 0x7f) * 2 ** shift;
    shift += 7;
    if ((byte & 0x80) === 0) break;
  }
  advance(offset);
  return result;
}

export function mutate(original: Uint8Array<ArrayBuffer>, module: DecodedModule, random: () => number): Mutation {
  const choice = integer(random, 10);
  const bytes = original.slice();
  switch (choice) {
    case 0: {
      for (let flips = 1 + integer(random, 3); flips > 0; flips--) bytes[integer(random, bytes.length)]! ^= 1 << integer(random, 8);
      return { kind: "bit flips", bytes };
    }
    case 1: {
      bytes[integer(random, bytes.length)] = pick(random, INTERESTING_BYTES);
      return { kind: "interesting byte", bytes };
    }
    case 2: {
      const at = integer(random, bytes.length);
      const inserted = new Uint8Array(bytes.length + 1);
      inserted.set(bytes.subarray(0, at));
      inserted[at] = integer(random, 256);
      inserted.set(bytes.subarray(at), at + 1);
      return { kind: "inserted byte", bytes: inserted };
    }
    case 3: {
      const at = integer(random, bytes.length);
      const removed = new Uint8Array(bytes.length - 1);
      removed.set(bytes.subarray(0, at));
      removed.set(bytes.subarray(at + 1), at);
      return { kind: "deleted byte", bytes: removed };
    }
    case 4:
      return { kind: "truncation", bytes: bytes.slice(0, integer(random, bytes.length)) };
    case 5: {
      const body = pick(random, module.bodies);
      if (body.end - body.start > 2) bytes[body.start + 1 + integer(random, body.end - body.start - 2)] = pick(random, INTERESTING_BYTES);
      return { kind: "body byte", bytes };
    }
    case 6: {
      const sections = module.sections;
      const first = integer(random, sections.length);
      const second = integer(random, sections.length);
      const order = sections.map((_, index) => index);
      [order[first], order[second]] = [order[second]!, order[first]!];
      const dropped = random() < 0.5 ? integer(random, sections.length) : -1;
      const output = new Writer(bytes.length);
      output.bytes(bytes.subarray(0, 8));
      for (const index of order) if (index !== dropped) output.bytes(bytes.subarray(sections[index]!.start, sections[index]!.end));
      return { kind: dropped >= 0 ? "sections swapped and one dropped" : "sections swapped", bytes: output.finish() };
    }
    case 7: {
      const constants: number[] = [];
      for (const body of module.bodies) for (let offset = body.start; offset < body.end - 1; offset++) if (bytes[offset] === 0x41) constants.push(offset + 1);
      if (constants.length > 0) bytes[pick(random, constants)] = integer(random, 128);
      return { kind: "constant tweak", bytes };
    }
    default: {
      const bodyNumber = integer(random, module.bodies.length);
      const snippet = pick(random, SNIPPETS);
      return {
        kind: `snippet ${snippet.map((byte) => byte.toString(16)).join(" ")}`,
        bytes: withBody(module, bodyNumber, (content, instructionStart) => {
          const spliced = new Uint8Array(content.length + snippet.length);
          spliced.set(content.subarray(0, instructionStart));
          spliced.set(snippet, instructionStart);
          spliced.set(content.subarray(instructionStart), instructionStart + snippet.length);
          return spliced;
        }),
      };
    }
  }
}

export function decodeOriginal(bytes: Uint8Array<ArrayBuffer>): DecodedModule {
  return decodeModule(bytes);
}
