// The code walk: one pass over every function body that checks what only code can show
// (locals, nesting, atomics, unsupported instructions) and plans the rewrite: where fuel is
// charged and at what cost, and which immediates must change (code-plan.ts). The loop over
// instructions is instruction-walk.ts; this file runs it body by body and does what it stops
// for.
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
import { EDIT_BULK, EDIT_FUEL_ENTRY, EDIT_STRIDE, type CodePlan } from "./code-plan.js";
import {
  EDITS_PER_INSTRUCTION, STATE_DEPTH, STATE_EDIT_LIMIT, STATE_EDITS, STATE_INSTRUCTIONS, STATE_LARGEST_CHARGE, STATE_LOOPS,
  STATE_MOVED_LOCAL_LIMIT, STATE_MOVED_LOCALS, STATE_OFFSET, STATE_RELOCATED_LOCAL, STATE_SLOTS, STOP_BODY_END, STOP_EDITS_FULL, STOP_OTHER, STOP_TOO_DEEP, beginBody,
  walkInstructions, writeEdit,
} from "./instruction-walk.js";

export type { CodePlan } from "./code-plan.js";

/** 0xfc sub-opcodes charged by their length: memory.init, memory.copy, memory.fill, table.init, table.copy, table.fill. */
const BULK_OPERATIONS: ReadonlySet<number> = new Set([8, 10, 11, 12, 14, 17]);

/** Edits planned per body before the first growth: an entry charge, an exit, a few loops and calls. */
const INITIAL_EDITS_PER_BODY = 8;
/** Moved-local offsets planned per byte of code before the first growth: measured one per 19 (generated) to 40 (hello) bytes. */
const INITIAL_BYTES_PER_MOVED_LOCAL = 16;

/**
 * Edit arrays up to this many numbers are kept for the next walk instead of left to the collector:
 * a module's plan is dead once its verification returns, and two fresh typed arrays per module
 * were a fixed cost of every small one. Larger ones are not kept, so a huge module's plan does
 * not stay in kernel memory.
 */
const REUSED_ARRAY_NUMBERS = 1 << 16;
let spareEdits: Int32Array | undefined;
let spareMovedLocals: Int32Array | undefined;

function freshOrSpare(spare: Int32Array | undefined, length: number): Int32Array {
  return spare !== undefined && spare.length >= length ? spare : new Int32Array(length);
}

/** The plan's edit records as they grow, with the walk's state. */
class EditBuffer {
  edits: Int32Array;
  readonly state = new Int32Array(STATE_SLOTS);
  readonly bulkEdits: number[] = [];
  movedLocals: Int32Array;

  constructor(capacityInEdits: number, capacityInMovedLocals: number) {
    this.movedLocals = freshOrSpare(spareMovedLocals, Math.max(64, capacityInMovedLocals));
    spareMovedLocals = undefined;
    this.state[STATE_MOVED_LOCAL_LIMIT] = this.movedLocals.length - 1;
    this.edits = freshOrSpare(spareEdits, Math.max(64, capacityInEdits) * EDIT_STRIDE);
    spareEdits = undefined;
    this.state[STATE_EDIT_LIMIT] = this.edits.length - (EDITS_PER_INSTRUCTION + 1) * EDIT_STRIDE;
  }

  get length(): number {
    return this.state[STATE_EDITS]!;
  }

  /** Room for `count` more edits, whatever walkInstructions may then add before it stops. */
  reserve(count: number): void {
    const needed = this.state[STATE_EDITS]! + (count + EDITS_PER_INSTRUCTION + 1) * EDIT_STRIDE;
    if (needed <= this.edits.length) return;
    let capacity = this.edits.length * 2;
    while (capacity < needed) capacity *= 2;
    const grown = new Int32Array(capacity);
    grown.set(this.edits.subarray(0, this.state[STATE_EDITS]!));
    this.edits = grown;
    this.state[STATE_EDIT_LIMIT] = capacity - (EDITS_PER_INSTRUCTION + 1) * EDIT_STRIDE;
  }

  /** Room for one more moved-local offset than walkInstructions stops at. */
  reserveMovedLocals(): void {
    if (this.state[STATE_MOVED_LOCALS]! < this.movedLocals.length - 1) return;
    const grown = new Int32Array(this.movedLocals.length * 2);
    grown.set(this.movedLocals);
    this.movedLocals = grown;
    this.state[STATE_MOVED_LOCAL_LIMIT] = grown.length - 1;
  }

  push(offset: number, kind: number, value: number, extra: number): void {
    this.reserve(1);
    writeEdit(this.edits, this.state, offset, kind, value, extra);
  }
}

/** Hands a plan's arrays to the next walk: call it only when nothing will read the plan again. */
export function recyclePlan(plan: CodePlan): void {
  const edits = plan.edits.buffer as ArrayBuffer;
  const movedLocals = plan.movedLocalOffsets.buffer as ArrayBuffer;
  if (edits.byteLength <= REUSED_ARRAY_NUMBERS * 4) spareEdits = new Int32Array(edits);
  if (movedLocals.byteLength <= REUSED_ARRAY_NUMBERS * 4) spareMovedLocals = new Int32Array(movedLocals);
}

export function walkCode(module: DecodedModule, findings: Finding[]): CodePlan {
  const bodies = module.bodies;
  const bodyEditStarts = new Array<number>(bodies.length + 1);
  let instructions = 0;
  let fuelPoints = 0;
  const codeBytes = bodies.length === 0 ? 0 : bodies[bodies.length - 1]!.end - bodies[0]!.start;
  const buffer = new EditBuffer(bodies.length * INITIAL_EDITS_PER_BODY, Math.ceil(codeBytes / INITIAL_BYTES_PER_MOVED_LOCAL));
  const bodyMovedLocalStarts = new Array<number>(bodies.length + 1);
  const state = buffer.state;
  state[STATE_LARGEST_CHARGE] = 0;
  const bytes = module.bytes;
  const reader = new Reader(bytes);
  for (let bodyNumber = 0; bodyNumber < bodies.length; bodyNumber++) {
    const body = bodies[bodyNumber]!;
    const bodyEditStart = buffer.length;
    bodyEditStarts[bodyNumber] = bodyEditStart;
    bodyMovedLocalStarts[bodyNumber] = state[STATE_MOVED_LOCALS]!;
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
    // The counter parameter takes the index of the first declared local, which moves to the end.
    state[STATE_RELOCATED_LOCAL] = locals > 0 ? module.types[module.functionTypes[functionIndex]!]!.parameters.length : -1;
    buffer.push(reader.offset, EDIT_FUEL_ENTRY, 0, 0);
    beginBody(state, reader.offset, bodyEditStart);
    let stop: number;
    while ((stop = walkInstructions(bytes, state, buffer.edits, buffer.movedLocals)) !== STOP_BODY_END) {
      if (stop === STOP_EDITS_FULL) {
        buffer.reserve(1);
        buffer.reserveMovedLocals();
      } else if (stop === STOP_OTHER) {
        state[STATE_OFFSET] = walkOtherInstruction(reader, buffer, findings, functionIndex, state[STATE_OFFSET]!);
      } else if (stop === STOP_TOO_DEEP) {
        const instructionIndex = state[STATE_INSTRUCTIONS]! - 1;
        findings.push(finding("nesting-too-deep",
          `function ${functionIndex} nests blocks ${state[STATE_DEPTH]!} deep at instruction ${instructionIndex} (limit ${MAX_NESTING_DEPTH})`,
          { functionIndex, instructionIndex, byteOffset: state[STATE_OFFSET]! }));
        break;
      }
    }
    instructions += state[STATE_INSTRUCTIONS]!;
    if (stop !== STOP_BODY_END) continue;
    // No bounds check per instruction: V8 validated the body, so its last `end` closes depth 0;
    // were that ever wrong, reads past the array yield undefined, taken for opcode 0 (unreachable)
    // or an unsupported instruction, and the walk ends here or in walkOtherInstruction's throw.
    const offset = state[STATE_OFFSET]!;
    if (offset !== body.end) throw new DecodeError(`function ${functionIndex} ends at byte ${offset}, not at its size`, body.end);
    fuelPoints += state[STATE_LOOPS]! + 1;
  }
  bodyEditStarts[bodies.length] = buffer.length;
  bodyMovedLocalStarts[bodies.length] = state[STATE_MOVED_LOCALS]!;
  return {
    edits: buffer.edits.subarray(0, buffer.length), bodyEditStarts, instructions, fuelPoints, bulkEdits: buffer.bulkEdits,
    movedLocalOffsets: buffer.movedLocals.subarray(0, state[STATE_MOVED_LOCALS]!), bodyMovedLocalStarts,
    largestCharge: state[STATE_LARGEST_CHARGE]!,
  };
}

/**
 * Opcodes rare in real code, or refused: br_table, typed select, ref.null, the 0xfc, 0xfd and
 * 0xfe prefixes. `offset` is just past the opcode; returns the offset past the instruction.
 */
function walkOtherInstruction(reader: Reader, buffer: EditBuffer, findings: Finding[], functionIndex: number, offset: number): number {
  const instructionOffset = offset - 1;
  const opcode = reader.bytes[instructionOffset]!;
  const instructionIndex = buffer.state[STATE_INSTRUCTIONS]!;
  reader.offset = offset;
  switch (opcode) {
    case 0x0e:
      // Labels keep their numbers: the block wrapping the body takes the function label's place.
      for (let targets = reader.u32(); targets >= 0; targets--) reader.u32();
      break;
    case 0x1c: for (let types = reader.u32(); types > 0; types--) reader.byte(); break;
    case 0xd0: reader.s33(); break;
    case 0xfc:
      if (BULK_OPERATIONS.has(skipMiscellaneous(reader, instructionOffset))) {
        buffer.bulkEdits.push(buffer.length);
        buffer.push(instructionOffset, EDIT_BULK, reader.offset - instructionOffset, 0);
      }
      break;
    case 0xfd: skipVector(reader, instructionOffset); break;
    case 0xfe: {
      findings.push(finding("atomics-in-kernel-mode",
        `function ${functionIndex} uses an atomic instruction at instruction ${instructionIndex - 1}`,
        { functionIndex: functionIndex, instructionIndex: instructionIndex - 1, byteOffset: instructionOffset }));
      const sub = reader.u32();
      if (sub === 0x03) reader.byte();
      else skipMemoryArgument(reader);
      break;
    }
    default:
      throw new UnsupportedFeature(`instruction 0x${opcode.toString(16)} in function ${functionIndex}`, instructionOffset);
  }
  return reader.offset;
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
