// The code walk: one pass over every function body that checks what only code can show
// (locals, nesting, atomics, unsupported instructions) and plans the rewrite: where fuel is
// charged and at what cost, and which function-index immediates must be renumbered.
//
// Fuel regions. Wasm control flow is structured: the only way back is a branch to a loop
// label, which lands on that loop's header. So each instruction belongs to the region of its
// innermost enclosing loop (or of the function), and runs at most once per entry into that
// region. Charging a region's whole instruction count at its entry (the function entry or
// the loop header) therefore bounds the work done, merges every basic block of straight-line
// code into one charge, and charges a loop body once per iteration. Branches not taken are
// charged too: the bound is an over-approximation by design.
import { DecodeError, Reader } from "../binary/reader.js";
import { UnsupportedFeature } from "../binary/decode.js";
import type { DecodedModule } from "../binary/module.js";
import { finding } from "../codes.js";
import { MAX_FUNCTION_BODY_BYTES, MAX_LOCALS_PER_FUNCTION, MAX_NESTING_DEPTH } from "../limits.js";
import type { Finding } from "../verdict.js";

/** Edit kinds in `CodePlan.edits`, stored as flat triples (byte offset, kind, value). */
export const EDIT_FUEL = 0;
export const EDIT_FUNCTION_INDEX = 1;
/** A bulk memory or table instruction, whose work grows with its length operand: (offset, EDIT_BULK, byte length). */
export const EDIT_BULK = 2;

/** 0xfc sub-opcodes charged by their length: memory.init, memory.copy, memory.fill, table.init, table.copy, table.fill. */
const BULK_OPERATIONS: ReadonlySet<number> = new Set([8, 10, 11, 12, 14, 17]);

export interface CodePlan {
  /** Triples: (offset, EDIT_FUEL, cost) or (offset of the index, EDIT_FUNCTION_INDEX, its byte length). */
  readonly edits: number[];
  /** Per body: the first triple of its edits, and one final entry past the last. */
  readonly bodyEditStarts: number[];
  instructions: number;
  fuelPoints: number;
}

const FRAME_BLOCK = 0;
const FRAME_LOOP = 1;

/** How the walker's fast path treats each opcode's immediates; everything else takes the switch. */
const IMMEDIATE_NONE = 0;
const IMMEDIATE_LEB = 1;
const IMMEDIATE_MEMORY = 2;
const IMMEDIATE_OTHER = 3;
const IMMEDIATE_KINDS = new Uint8Array(256).fill(IMMEDIATE_OTHER);
for (const opcode of [0x00, 0x01, 0x05, 0x0f, 0x1a, 0x1b, 0xd1]) IMMEDIATE_KINDS[opcode] = IMMEDIATE_NONE;
for (let opcode = 0x45; opcode <= 0xc4; opcode++) IMMEDIATE_KINDS[opcode] = IMMEDIATE_NONE;
for (const opcode of [0x0c, 0x0d, 0x20, 0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0x3f, 0x40, 0x41, 0x42]) IMMEDIATE_KINDS[opcode] = IMMEDIATE_LEB;
for (let opcode = 0x28; opcode <= 0x3e; opcode++) IMMEDIATE_KINDS[opcode] = IMMEDIATE_MEMORY;

// Control stacks of the walk, allocated once: the walk is synchronous and never re-entered.
const scratchFrames = new Uint8Array(MAX_NESTING_DEPTH + 2);
const scratchRegionEdits = new Int32Array(MAX_NESTING_DEPTH + 2);
const scratchRegionStarts = new Float64Array(MAX_NESTING_DEPTH + 2);
const scratchRegionNested = new Float64Array(MAX_NESTING_DEPTH + 2);

function isValueTypeByte(byte: number): boolean {
  return byte === 0x40 || (byte >= 0x7b && byte <= 0x7f) || byte === 0x70 || byte === 0x6f;
}

export function walkCode(module: DecodedModule, findings: Finding[]): CodePlan {
  const bodies = module.bodies;
  const plan: CodePlan = {
    edits: [], bodyEditStarts: new Array<number>(bodies.length + 1),
    instructions: 0, fuelPoints: 0,
  };
  const frames = scratchFrames;
  const regionEdits = scratchRegionEdits;
  const regionStarts = scratchRegionStarts;
  const regionNested = scratchRegionNested;
  const edits = plan.edits;
  const importedFunctions = module.importedFunctionCount;
  const reader = new Reader(module.bytes);
  for (let bodyNumber = 0; bodyNumber < bodies.length; bodyNumber++) {
    const body = bodies[bodyNumber]!;
    plan.bodyEditStarts[bodyNumber] = edits.length;
    const functionIndex = body.functionIndex;
    const size = body.end - body.start;
    if (size > MAX_FUNCTION_BODY_BYTES) {
      findings.push(finding("function-body-too-large",
        `function ${functionIndex} has a body of ${size} bytes (limit ${MAX_FUNCTION_BODY_BYTES})`,
        { functionIndex, byteOffset: body.byteOffset }));
    }
    (reader as { end: number }).end = body.end;
    reader.offset = body.start;
    let locals = 0;
    for (let groups = reader.u32(); groups > 0; groups--) {
      locals += reader.u32();
      reader.byte();
    }
    if (locals > MAX_LOCALS_PER_FUNCTION) {
      findings.push(finding("too-many-locals",
        `function ${functionIndex} has ${locals} locals (limit ${MAX_LOCALS_PER_FUNCTION})`,
        { functionIndex, byteOffset: body.byteOffset }));
      continue;
    }
    edits.push(reader.offset, EDIT_FUEL, 0);
    regionEdits[0] = edits.length - 3;
    let region = 0;
    let depth = 1;
    frames[0] = FRAME_BLOCK;
    // A region's cost is the instructions walked while it was innermost: its span of the
    // instruction count minus the spans of the loops nested in it.
    regionStarts[0] = 0;
    regionNested[0] = 0;
    let instructionIndex = 0;
    const bytes = module.bytes;
    const end = body.end;
    // The hot loop reads bytes directly: V8 validated the body, so immediates are well formed;
    // LEB128 immediates whose value is not needed are skipped by their continuation bits.
    let offset = reader.offset;
    while (depth > 0) {
      const instructionOffset = offset;
      const opcode = bytes[offset++]!;
      instructionIndex++;
      const kind = IMMEDIATE_KINDS[opcode]!;
      if (kind === IMMEDIATE_NONE) continue;
      if (kind === IMMEDIATE_LEB) {
        while (bytes[offset++]! & 0x80);
        continue;
      }
      if (kind === IMMEDIATE_MEMORY) {
        const alignment = bytes[offset]!;
        while (bytes[offset++]! & 0x80);
        if (alignment & 0x40) while (bytes[offset++]! & 0x80);
        while (bytes[offset++]! & 0x80);
        continue;
      }
      switch (opcode) {
        case 0x02: case 0x03: case 0x04: {
          if (isValueTypeByte(bytes[offset]!)) offset++;
          else {
            reader.offset = offset;
            reader.s33();
            offset = reader.offset;
          }
          if (depth > MAX_NESTING_DEPTH) {
            findings.push(finding("nesting-too-deep",
              `function ${functionIndex} nests blocks ${depth} deep at instruction ${instructionIndex - 1} (limit ${MAX_NESTING_DEPTH})`,
              { functionIndex, instructionIndex: instructionIndex - 1, byteOffset: instructionOffset }));
            depth = -1;
            break;
          }
          if (opcode === 0x03) {
            frames[depth++] = FRAME_LOOP;
            edits.push(offset, EDIT_FUEL, 0);
            regionEdits[++region] = edits.length - 3;
            regionStarts[region] = instructionIndex;
            regionNested[region] = 0;
          } else {
            frames[depth++] = FRAME_BLOCK;
          }
          break;
        }
        case 0x0b: {
          depth--;
          if (depth === 0 || frames[depth] === FRAME_LOOP) {
            const span = instructionIndex - regionStarts[region]!;
            edits[regionEdits[region]! + 2] = span - regionNested[region]!;
            if (depth > 0) regionNested[--region]! += span;
          }
          break;
        }
        case 0x10: case 0x12: case 0xd2: {
          reader.offset = offset;
          if (reader.u32() >= importedFunctions) edits.push(offset, EDIT_FUNCTION_INDEX, reader.offset - offset);
          offset = reader.offset;
          break;
        }
        case 0x0e: {
          reader.offset = offset;
          for (let targets = reader.u32(); targets >= 0; targets--) reader.u32();
          offset = reader.offset;
          break;
        }
        case 0x11: case 0x13:
          while (bytes[offset++]! & 0x80);
          while (bytes[offset++]! & 0x80);
          break;
        case 0x43: offset += 4; break;
        case 0x44: offset += 8; break;
        default: {
          reader.offset = offset;
          switch (opcode) {
            case 0x1c: for (let types = reader.u32(); types > 0; types--) reader.byte(); break;
            case 0xd0: reader.s33(); break;
            case 0xfc:
              if (BULK_OPERATIONS.has(skipMiscellaneous(reader, instructionOffset))) {
                edits.push(instructionOffset, EDIT_BULK, reader.offset - instructionOffset);
              }
              break;
            case 0xfd: skipVector(reader, instructionOffset); break;
            case 0xfe: {
              findings.push(finding("atomics-in-kernel-mode",
                `function ${functionIndex} uses an atomic instruction at instruction ${instructionIndex - 1}`,
                { functionIndex, instructionIndex: instructionIndex - 1, byteOffset: instructionOffset }));
              const sub = reader.u32();
              if (sub === 0x03) reader.byte();
              else skipMemoryArgument(reader);
              break;
            }
            default:
              throw new UnsupportedFeature(`instruction 0x${opcode.toString(16)} in function ${functionIndex}`, instructionOffset);
          }
          offset = reader.offset;
        }
      }
    }
    // No bounds check per instruction: V8 validated the body, so its last `end` closes depth 0;
    // were that ever wrong, reads past the array yield undefined and end in the switch's throw.
    if (offset !== end && depth === 0) throw new DecodeError(`function ${functionIndex} ends at byte ${offset}, not at its size`, end);
    plan.instructions += instructionIndex;
  }
  plan.bodyEditStarts[bodies.length] = edits.length;
  for (let index = 0; index < edits.length; index += 3) if (edits[index + 1] === EDIT_FUEL) plan.fuelPoints++;
  return plan;
}

function skipMemoryArgument(reader: Reader): void {
  const alignment = reader.u32();
  if (alignment & 0x40) reader.u32();
  reader.u32();
}

/** Skips a 0xfc instruction's immediates and returns its sub-opcode. */
function skipMiscellaneous(reader: Reader, instructionOffset: number): number {
  const sub = reader.u32();
  if (sub <= 7) return sub;
  switch (sub) {
    case 8: case 10: case 12: case 14: reader.u32(); reader.u32(); return sub;
    case 9: case 11: case 13: case 15: case 16: case 17: reader.u32(); return sub;
    default: throw new UnsupportedFeature(`instruction 0xfc ${sub}`, instructionOffset);
  }
}

function skipVector(reader: Reader, instructionOffset: number): void {
  const sub = reader.u32();
  if (sub <= 11 || sub === 92 || sub === 93) skipMemoryArgument(reader);
  else if (sub === 12 || sub === 13) reader.skip(16);
  else if (sub >= 21 && sub <= 34) reader.byte();
  else if (sub >= 84 && sub <= 91) { skipMemoryArgument(reader); reader.byte(); }
  else if (sub > 0xff) throw new UnsupportedFeature(`instruction 0xfd ${sub} (relaxed vector)`, instructionOffset);
}
