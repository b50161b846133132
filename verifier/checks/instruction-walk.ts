// The inner loop of the code walk (code.ts): instructions of one body, byte by byte, with the
// fuel regions, the control stack and the plan's edits kept in typed arrays.
//
// Why a function of its own, with its state in an Int32Array. This loop runs once per
// instruction (two million for a 4 MiB module). V8 keeps its variables in registers only if
// nothing in it can call out: a single call anywhere in the loop, even on a path taken once
// per body (an Array push, a finding), made V8 keep them in stack slots and the walk two to
// three times slower. So the loop calls nothing: it stops and returns a reason whenever it
// needs what only a call can do (a finding, a rare opcode, more room for edits), code.ts does
// that, and calls it again to carry on from the state it saved.
import { MAX_NESTING_DEPTH } from "../limits.js";
import {
  EDIT_CALL, EDIT_CALL_INDIRECT, EDIT_FUEL_EXIT, EDIT_FUEL_LOOP, EDIT_REF_FUNC, EDIT_RETURN, EDIT_RETURN_CALL,
  EDIT_STRIDE,
} from "./code-plan.js";

/** Slots of the walk's state, shared between calls of walkInstructions and code.ts. */
export const STATE_OFFSET = 0;
export const STATE_DEPTH = 1;
export const STATE_REGION = 2;
/** Instructions walked in the body so far (the instruction index of the next one). */
export const STATE_INSTRUCTIONS = 3;
export const STATE_LOOPS = 4;
/** Numbers of `edits` in use. */
export const STATE_EDITS = 5;
/** Input: past this many numbers in use, the walk stops for code.ts to grow `edits`. */
export const STATE_EDIT_LIMIT = 6;
/** Input: the local index the counter parameter takes (the first declared local's), or -1 when none is declared. */
export const STATE_RELOCATED_LOCAL = 7;
/** The largest region cost closed so far, over every body. */
export const STATE_LARGEST_CHARGE = 8;
/** Numbers of `movedLocals` in use, and (input) past how many the walk stops for code.ts to grow it. */
export const STATE_MOVED_LOCALS = 9;
export const STATE_MOVED_LOCAL_LIMIT = 10;
export const STATE_SLOTS = 11;
/** Edits one instruction may add: the walk stops with at least this much room left. */
export const EDITS_PER_INSTRUCTION = 1;

/** Why walkInstructions returned. */
export const STOP_BODY_END = 0;
/** `edits` is nearly full; the instruction before was completed. */
export const STOP_EDITS_FULL = 1;
/** An opcode the loop does not handle; STATE_OFFSET is just past it. */
export const STOP_OTHER = 2;
/** A block would nest past MAX_NESTING_DEPTH; STATE_OFFSET is the block instruction's offset. */
export const STOP_TOO_DEEP = 3;

const FRAME_BLOCK = 0;
const FRAME_LOOP = 1;

// What the loop does with each opcode. The first three are nearly every instruction and are
// tested before the switch.
const KIND_PLAIN = 0;           // no immediates
const KIND_INTEGER = 1;         // one LEB128 immediate whose value is not needed
const KIND_MEMORY = 2;          // a memory argument: alignment (a memory index follows when bit 6 is set), offset
const KIND_BLOCK = 3;           // block, if: a block type
const KIND_LOOP = 4;
const KIND_END = 5;
const KIND_LOCAL = 6;           // local.get, local.set, local.tee: an index, moved if it is the first declared local's
const KIND_FUNCTION_INDEX = 7;  // call, return_call, ref.func
const KIND_TWO_INTEGERS = 8;    // call_indirect, return_call_indirect
const KIND_RETURN = 12;
const KIND_F32 = 9;
const KIND_F64 = 10;
const KIND_OTHER = 11;          // br_table, typed select, ref.null, prefixes, unsupported: code.ts
const OPCODE_KINDS = new Uint8Array(256).fill(KIND_OTHER);
for (const opcode of [0x00, 0x01, 0x05, 0x1a, 0x1b, 0xd1]) OPCODE_KINDS[opcode] = KIND_PLAIN;
for (let opcode = 0x45; opcode <= 0xc4; opcode++) OPCODE_KINDS[opcode] = KIND_PLAIN;
// br and br_if keep their labels: the block that wraps the body takes the function label's place.
for (const opcode of [0x0c, 0x0d, 0x23, 0x24, 0x25, 0x26, 0x3f, 0x40, 0x41, 0x42]) OPCODE_KINDS[opcode] = KIND_INTEGER;
for (const opcode of [0x20, 0x21, 0x22]) OPCODE_KINDS[opcode] = KIND_LOCAL;
OPCODE_KINDS[0x0f] = KIND_RETURN;
for (let opcode = 0x28; opcode <= 0x3e; opcode++) OPCODE_KINDS[opcode] = KIND_MEMORY;
OPCODE_KINDS[0x02] = KIND_BLOCK;
OPCODE_KINDS[0x04] = KIND_BLOCK;
OPCODE_KINDS[0x03] = KIND_LOOP;
OPCODE_KINDS[0x0b] = KIND_END;
OPCODE_KINDS[0x10] = KIND_FUNCTION_INDEX;
OPCODE_KINDS[0x12] = KIND_FUNCTION_INDEX;
OPCODE_KINDS[0xd2] = KIND_FUNCTION_INDEX;
OPCODE_KINDS[0x11] = KIND_TWO_INTEGERS;
OPCODE_KINDS[0x13] = KIND_TWO_INTEGERS;
OPCODE_KINDS[0x43] = KIND_F32;
OPCODE_KINDS[0x44] = KIND_F64;

/** Block type bytes that are a value type or empty, rather than the first byte of a type index. */
const VALUE_TYPE_BYTES = new Uint8Array(256);
for (const byte of [0x40, 0x7b, 0x7c, 0x7d, 0x7e, 0x7f, 0x70, 0x6f]) VALUE_TYPE_BYTES[byte] = 1;

// The control stack and the open fuel regions, allocated once: the walk is synchronous and
// never re-entered. A region's cost is the instructions walked while it was innermost: its
// span of the instruction count minus the spans of the loops nested in it.
const frames = new Uint8Array(MAX_NESTING_DEPTH + 2);
/** Per open region: the index in `edits` of its charge. */
const regionEdits = new Int32Array(MAX_NESTING_DEPTH + 2);
/** Per open region: the instruction count at its entry. */
const regionStarts = new Int32Array(MAX_NESTING_DEPTH + 2);
/** Per open region: the instructions of the loops closed inside it. */
const regionNested = new Int32Array(MAX_NESTING_DEPTH + 2);

/** Opens a body's walk at `offset` (its first instruction), the function's region charged by the edit at `entryEdit`. */
export function beginBody(state: Int32Array, offset: number, entryEdit: number): void {
  state[STATE_OFFSET] = offset;
  state[STATE_DEPTH] = 1;
  state[STATE_REGION] = 0;
  state[STATE_INSTRUCTIONS] = 0;
  state[STATE_LOOPS] = 0;
  frames[0] = FRAME_BLOCK;
  regionEdits[0] = entryEdit;
  regionStarts[0] = 0;
  regionNested[0] = 0;
}

/**
 * Walks instructions from the state's offset until the body's last `end` or a stop, and saves
 * the state. V8 validated the body, so immediates are well formed: LEB128 immediates whose value
 * is not needed are skipped by their continuation bits, and labels and indices fit in 32 bits.
 */
export function walkInstructions(bytes: Uint8Array, state: Int32Array, edits: Int32Array, movedLocals: Int32Array): number {
  const kinds = OPCODE_KINDS;
  const editLimit = state[STATE_EDIT_LIMIT]!;
  const relocatedLocal = state[STATE_RELOCATED_LOCAL]!;
  let largestCharge = state[STATE_LARGEST_CHARGE]!;
  let movedCount = state[STATE_MOVED_LOCALS]!;
  const movedLimit = state[STATE_MOVED_LOCAL_LIMIT]!;
  let offset = state[STATE_OFFSET]!;
  let depth = state[STATE_DEPTH]!;
  let region = state[STATE_REGION]!;
  let instructionIndex = state[STATE_INSTRUCTIONS]!;
  let loops = state[STATE_LOOPS]!;
  let editCount = state[STATE_EDITS]!;
  let stop = STOP_BODY_END;
  for (;;) {
    const opcode = bytes[offset++]!;
    instructionIndex++;
    const kind = kinds[opcode]!;
    if (kind === KIND_PLAIN) continue;
    if (kind === KIND_INTEGER) {
      while (bytes[offset++]! & 0x80);
      continue;
    }
    if (kind === KIND_LOCAL) {
      const immediateOffset = offset;
      let local = bytes[offset++]!;
      if (local & 0x80) {
        local &= 0x7f;
        let scale = 128;
        let byte: number;
        do {
          byte = bytes[offset++]!;
          local += (byte & 0x7f) * scale;
          scale *= 128;
        } while (byte & 0x80);
      }
      if (local !== relocatedLocal) continue;
      movedLocals[movedCount++] = immediateOffset;
      if (movedCount > movedLimit) {
        stop = STOP_EDITS_FULL;
        break;
      }
      continue;
    }
    if (kind === KIND_MEMORY) {
      const alignment = bytes[offset]!;
      while (bytes[offset++]! & 0x80);
      if (alignment & 0x40) while (bytes[offset++]! & 0x80);
      while (bytes[offset++]! & 0x80);
      continue;
    }
    if (kind === KIND_END) {
      depth--;
      if (depth === 0 || frames[depth] === FRAME_LOOP) {
        const span = instructionIndex - regionStarts[region]!;
        const cost = span - regionNested[region]!;
        edits[regionEdits[region]! + 2] = cost;
        if (cost > largestCharge) largestCharge = cost;
        if (depth === 0) {
          edits[editCount] = offset - 1;
          edits[editCount + 1] = EDIT_FUEL_EXIT;
          edits[editCount + 2] = 0;
          edits[editCount + 3] = 0;
          editCount += EDIT_STRIDE;
          break;
        }
        regionNested[--region]! += span;
      }
      continue;
    }
    if (kind === KIND_BLOCK || kind === KIND_LOOP) {
      if (depth > MAX_NESTING_DEPTH) {
        offset--;
        stop = STOP_TOO_DEEP;
        break;
      }
      if (VALUE_TYPE_BYTES[bytes[offset]!] === 1) offset++;
      else while (bytes[offset++]! & 0x80);
      if (kind === KIND_BLOCK) {
        frames[depth++] = FRAME_BLOCK;
        continue;
      }
      frames[depth++] = FRAME_LOOP;
      loops++;
      // The loop's check branches to the exhaustion block: seen from the header, the label one
      // past the body block, which takes the function label's place (depth - 1).
      regionEdits[++region] = editCount;
      regionStarts[region] = instructionIndex;
      regionNested[region] = 0;
      edits[editCount] = offset;
      edits[editCount + 1] = EDIT_FUEL_LOOP;
      edits[editCount + 2] = 0;
      edits[editCount + 3] = depth;
      editCount += EDIT_STRIDE;
      if (editCount > editLimit) {
        stop = STOP_EDITS_FULL;
        break;
      }
      continue;
    }
    if (kind === KIND_FUNCTION_INDEX) {
      const opcodeOffset = offset - 1;
      let value = 0;
      let scale = 1;
      let byte: number;
      do {
        byte = bytes[offset++]!;
        value += (byte & 0x7f) * scale;
        scale *= 128;
      } while (byte & 0x80);
      edits[editCount] = opcodeOffset;
      edits[editCount + 1] = opcode === 0x10 ? EDIT_CALL : opcode === 0x12 ? EDIT_RETURN_CALL : EDIT_REF_FUNC;
      edits[editCount + 2] = offset - opcodeOffset;
      edits[editCount + 3] = value;
      editCount += EDIT_STRIDE;
      if (editCount > editLimit) {
        stop = STOP_EDITS_FULL;
        break;
      }
      continue;
    }
    if (kind === KIND_TWO_INTEGERS) {
      const opcodeOffset = offset - 1;
      while (bytes[offset++]! & 0x80);
      while (bytes[offset++]! & 0x80);
      edits[editCount] = opcodeOffset;
      edits[editCount + 1] = EDIT_CALL_INDIRECT;
      edits[editCount + 2] = offset - opcodeOffset;
      edits[editCount + 3] = opcode;
      editCount += EDIT_STRIDE;
      if (editCount > editLimit) {
        stop = STOP_EDITS_FULL;
        break;
      }
      continue;
    }
    if (kind === KIND_RETURN) {
      edits[editCount] = offset - 1;
      edits[editCount + 1] = EDIT_RETURN;
      edits[editCount + 2] = 0;
      edits[editCount + 3] = 0;
      editCount += EDIT_STRIDE;
      if (editCount > editLimit) {
        stop = STOP_EDITS_FULL;
        break;
      }
      continue;
    }
    if (kind === KIND_F64) {
      offset += 8;
      continue;
    }
    if (kind === KIND_F32) {
      offset += 4;
      continue;
    }
    stop = STOP_OTHER;
    break;
  }
  state[STATE_OFFSET] = offset;
  state[STATE_DEPTH] = depth;
  state[STATE_REGION] = region;
  state[STATE_INSTRUCTIONS] = instructionIndex;
  state[STATE_LOOPS] = loops;
  state[STATE_EDITS] = editCount;
  state[STATE_LARGEST_CHARGE] = largestCharge;
  state[STATE_MOVED_LOCALS] = movedCount;
  return stop;
}

/** Records (offset, kind, value, extra) for code.ts's slow path; the caller made room. */
export function writeEdit(edits: Int32Array, state: Int32Array, offset: number, kind: number, value: number, extra: number): void {
  const editCount = state[STATE_EDITS]!;
  edits[editCount] = offset;
  edits[editCount + 1] = kind;
  edits[editCount + 2] = value;
  edits[editCount + 3] = extra;
  state[STATE_EDITS] = editCount + EDIT_STRIDE;
}
