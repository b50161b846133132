// The rewritten code section: every body with its fuel charges inserted and its immediates
// changed, as the code walk planned them (checks/code-plan.ts), then the bulk helpers and the
// entry wrappers.
//
// A rewritten function keeps the counter in local F, its last parameter (the index of its first
// declared local, which moves to the end of the locals), and returns it as its last result:
//
//   block $exhausted
//     block $body (result <the function's results>)      ;; takes the function label's place
//       <charge> br_if $exhausted
//       <the body; each loop header starts: charge; br_if $exhausted>
//     end
//     local.get F  return
//   end
//   local.get F  global.set $fuel  call $exhausted  unreachable
//
// where a charge is `local.get F  i64.const cost  i64.sub  local.tee F  i64.const 0  i64.lt_s`.
// Branches keep their labels: $body sits where the function label was, and a branch to it
// lands before the `local.get F  return` as a fall through the end would.
//
// Speed. Each body is written once, straight into the output through an index, into room
// claimed for its worst case; its size goes into a five-byte (padded) LEB128 slot claimed
// before it, so nothing is measured twice. Untouched runs between edits are copied with
// copyWithin from a copy of the input bodies behind that room, or by a loop when short; the moved-local indices inside a run (most of the
// plan) are patched in place after the copy when old and new index are one byte each, as they
// nearly always are. The layout reaches the writer as numbers and typed arrays, never closures:
// a closure made per module is a new call target each time, and V8 discarded the optimised
// writer on every module.
import { SECTION, type DecodedModule } from "../binary/module.js";
import { Reader } from "../binary/reader.js";
import { Writer } from "../binary/writer.js";
import {
  EDIT_BULK, EDIT_CALL, EDIT_CALL_INDIRECT, EDIT_FUEL_ENTRY, EDIT_FUEL_EXIT, EDIT_FUEL_LOOP, EDIT_REF_FUNC,
  EDIT_RETURN, EDIT_RETURN_CALL, EDIT_STRIDE, type CodePlan,
} from "../checks/code-plan.js";
import { writeHelperBody, type BulkHelpers } from "./bulk.js";
import { writeEntryBody } from "./entries.js";

/** Runs shorter than this are copied byte by byte. */
const SHORT_RUN_BYTES = 16;
/** Bytes of a padded LEB128 size slot: any u32 fits. */
const SIZE_SLOT_BYTES = 5;
/** The most bytes one edit adds: a flushed import call (5 LEB128s of up to 5 bytes and 5 opcodes). */
const MOST_BYTES_PER_EDIT = 32;
/** A moved local's new index: a LEB128 of up to 5 bytes, replacing at least one. */
const MOST_BYTES_PER_MOVED_LOCAL = 4;
/** The wrapping blocks, the exit and the re-declared locals, beyond the edits. */
const FIXED_BYTES_PER_BODY = 64;
/**
 * Input code up to this size is copied behind the output's room, so runs are copied within one
 * buffer. Past it the extra room is fresh memory, touched page by page: the 4 MiB module's
 * rewrite took 29 % longer with the copy, and its short runs gained nothing from it.
 */
export const MIRRORED_CODE_BYTES = 128 * 1024;
const NO_MIRROR = -1;

/** What the code section needs to know about the module's new indices. */
export interface CodeLayout {
  readonly fuelGlobal: number;
  readonly exhaustedIndex: number;
  /**
   * By input function index: the output index a ref.func names. A direct call of a defined
   * function needs no table: the fuel import sits before every defined function, so it is the
   * input index plus one.
   */
  readonly referenceIndex: readonly number[];
  /**
   * Whether tables and function references hold rewritten functions (they never leave the
   * module: fuel.ts decides), so call_indirect passes the counter; else they hold entry wrappers.
   */
  readonly tablesHoldRewritten: boolean;
  /** Per input type index: the rewritten type (the counter appended to parameters and results). */
  readonly rewrittenTypes: readonly number[];
  /** Per input type index: the block type bytes of a body with that type's results. */
  readonly bodyBlockTypes: readonly (readonly number[])[];
  readonly bulk: BulkHelpers;
  /** Entry wrappers: input function index and its output index, in output order. */
  readonly entries: readonly { readonly functionIndex: number; readonly outputIndex: number }[];
}

/** The room writeCodeSection claims: the most the rewritten bodies can take, and the input copy it may make. */
export function codeSectionRoom(module: DecodedModule, plan: CodePlan): number {
  const bodies = module.bodies;
  const inputBytes = bodies.length === 0 ? 0 : bodies[bodies.length - 1]!.end - bodies[0]!.start;
  return mostCodeBytes(module, plan) + (inputBytes <= MIRRORED_CODE_BYTES ? inputBytes : 0);
}

/** The most bytes the rewritten bodies can take. */
function mostCodeBytes(module: DecodedModule, plan: CodePlan): number {
  const bodies = module.bodies;
  const codeBytes = bodies.length === 0 ? 0 : bodies[bodies.length - 1]!.end - bodies[0]!.start;
  return codeBytes + bodies.length * (SIZE_SLOT_BYTES + FIXED_BYTES_PER_BODY)
    + (plan.edits.length / EDIT_STRIDE) * MOST_BYTES_PER_EDIT + plan.movedLocalOffsets.length * MOST_BYTES_PER_MOVED_LOCAL;
}

export function writeCodeSection(output: Writer, module: DecodedModule, plan: CodePlan, layout: CodeLayout): void {
  const bytes = module.bytes;
  const edits = plan.edits;
  const bodies = module.bodies;
  const bodyEditStarts = plan.bodyEditStarts;
  const movedOffsets = plan.movedLocalOffsets;
  const { fuelGlobal, exhaustedIndex } = layout;
  const imported = module.importedFunctionCount;

  output.byte(SECTION.code);
  const sectionSizeAt = output.length;
  output.claim(SIZE_SLOT_BYTES);
  output.u32(bodies.length + layout.bulk.helpers.length + layout.entries.length);
  // Room for every body's worst case, claimed once: a claim per body cost a view per body.
  // Behind it, for code up to MIRRORED_CODE_BYTES, a copy of the input bodies (see copyRun).
  const worst = mostCodeBytes(module, plan);
  const inputStart = bodies.length === 0 ? 0 : bodies[0]!.start;
  const inputBytes = bodies.length === 0 ? 0 : bodies[bodies.length - 1]!.end - inputStart;
  const mirrored = inputBytes <= MIRRORED_CODE_BYTES;
  const claimedAt = output.length;
  const target = output.claim(worst + (mirrored ? inputBytes : 0));
  if (mirrored) target.set(bytes.subarray(inputStart, inputStart + inputBytes), worst);
  /** Input byte `offset` is at `target[offset + shift]`; NO_MIRROR when there is no copy. */
  const shift = mirrored ? worst - inputStart : NO_MIRROR;
  const reader = new Reader(bytes);
  let at = 0;
  for (let bodyNumber = 0; bodyNumber < bodies.length; bodyNumber++) {
    const body = bodies[bodyNumber]!;
    const firstEdit = bodyEditStarts[bodyNumber]!;
    const lastEdit = bodyEditStarts[bodyNumber + 1]!;
    const typeIndex = module.functionTypes[body.functionIndex]!;
    const fuelLocal = module.types[typeIndex]!.parameters.length;
    const sizeAt = at;
    at += SIZE_SLOT_BYTES;
    // The locals, with the first declared one moved to the end: F takes its index. A body that
    // passes the counter through call_indirect also gets an i32 local to hold the table slot
    // while the counter goes beneath it on the stack.
    const declaredLocals = countLocals(reader, body.start);
    const movedLocal = fuelLocal + declaredLocals;
    const slotLocal = fuelLocal + declaredLocals + 1;
    const needsSlotLocal = layout.tablesHoldRewritten && hasIndirectCall(edits, firstEdit, lastEdit);
    at = redeclareLocals(reader, body.start, edits[firstEdit]!, needsSlotLocal, target, at, shift);
    let copied = edits[firstEdit]!;
    // The moved-local immediates, merged by offset with the edits (they never share an offset:
    // an immediate is never where an instruction starts).
    let moved = plan.bodyMovedLocalStarts[bodyNumber]!;
    const lastMoved = plan.bodyMovedLocalStarts[bodyNumber + 1]!;
    let nextMoved = moved < lastMoved ? movedOffsets[moved]! : body.end;
    const movedIsOneByte = movedLocal < 0x80;
    for (let edit = firstEdit; edit <= lastEdit; edit += EDIT_STRIDE) {
      const offset = edit < lastEdit ? edits[edit]! : body.end;
      if (movedIsOneByte && nextMoved < offset && oneByteIndices(bytes, movedOffsets, moved, lastMoved, offset)) {
        // The common case: the old and the new index are one byte each, so the run is copied
        // whole and the indices are patched in place.
        const runStart = copied;
        const runTarget = at;
        at = copyRun(target, at, bytes, copied, offset, shift);
        copied = offset;
        while (nextMoved < offset) {
          target[runTarget + nextMoved - runStart] = movedLocal;
          nextMoved = ++moved < lastMoved ? movedOffsets[moved]! : body.end;
        }
      }
      while (nextMoved < offset) {
        at = copyRun(target, at, bytes, copied, nextMoved, shift);
        at = writeUnsigned(target, at, movedLocal);
        copied = nextMoved;
        while (bytes[copied++]! & 0x80);
        nextMoved = ++moved < lastMoved ? movedOffsets[moved]! : body.end;
      }
      if (edit === lastEdit) break;
      const kind = edits[edit + 1]!;
      const value = edits[edit + 2]!;
      at = copyRun(target, at, bytes, copied, offset, shift);
      const extra = edits[edit + 3]!;
      copied = offset;
      switch (kind) {
        case EDIT_FUEL_ENTRY: {
          target[at++] = 0x02; target[at++] = 0x40;
          target[at++] = 0x02;
          const blockType = layout.bodyBlockTypes[typeIndex]!;
          for (let index = 0; index < blockType.length; index++) target[at++] = blockType[index]!;
          at = writeCharge(target, at, fuelLocal, value);
          target[at++] = 0x0d; target[at++] = 0x01;
          break;
        }
        case EDIT_FUEL_LOOP:
          at = writeCharge(target, at, fuelLocal, value);
          target[at++] = 0x0d;
          at = writeUnsigned(target, at, extra);
          break;
        case EDIT_FUEL_EXIT:
          target[at++] = 0x0b;
          at = writeLocal(target, at, 0x20, fuelLocal);
          target[at++] = 0x0f;
          target[at++] = 0x0b;
          at = writeFlush(target, at, fuelLocal, fuelGlobal);
          target[at++] = 0x10;
          at = writeUnsigned(target, at, exhaustedIndex);
          target[at++] = 0x00;
          break;
        case EDIT_CALL:
          if (extra < imported) {
            // A kernel call may read or charge the global: it sees the true count, and the count comes back.
            at = writeFlush(target, at, fuelLocal, fuelGlobal);
            target[at++] = 0x10;
            at = writeUnsigned(target, at, extra);
            at = writeReload(target, at, fuelLocal, fuelGlobal);
          } else {
            at = writeLocal(target, at, 0x20, fuelLocal);
            target[at++] = 0x10;
            at = writeUnsigned(target, at, extra + 1);
            at = writeLocal(target, at, 0x21, fuelLocal);
          }
          copied = offset + value;
          break;
        case EDIT_RETURN_CALL:
          if (extra < imported) {
            // An import returns only its results: call it, then return them with the count.
            at = writeFlush(target, at, fuelLocal, fuelGlobal);
            target[at++] = 0x10;
            at = writeUnsigned(target, at, extra);
            target[at++] = 0x23;
            at = writeUnsigned(target, at, fuelGlobal);
            target[at++] = 0x0f;
          } else {
            at = writeLocal(target, at, 0x20, fuelLocal);
            target[at++] = 0x12;
            at = writeUnsigned(target, at, extra + 1);
          }
          copied = offset + value;
          break;
        case EDIT_REF_FUNC:
          target[at++] = 0xd2;
          at = writeUnsigned(target, at, layout.referenceIndex[extra]!);
          copied = offset + value;
          break;
        case EDIT_CALL_INDIRECT: {
          reader.offset = offset + 1;
          const calleeType = reader.u32();
          const tableIndex = reader.u32();
          if (layout.tablesHoldRewritten) {
            at = writeLocal(target, at, 0x21, slotLocal);
            at = writeLocal(target, at, 0x20, fuelLocal);
            at = writeLocal(target, at, 0x20, slotLocal);
            target[at++] = extra;
            at = writeUnsigned(target, at, layout.rewrittenTypes[calleeType]!);
            at = writeUnsigned(target, at, tableIndex);
            if (extra === 0x11) at = writeLocal(target, at, 0x21, fuelLocal);
          } else {
            // The callee is an entry wrapper, which reads the global and writes it back; a wrapper
            // returns only its results, so a tail call becomes a call and a return.
            at = writeFlush(target, at, fuelLocal, fuelGlobal);
            target[at++] = 0x11;
            at = writeUnsigned(target, at, calleeType);
            at = writeUnsigned(target, at, tableIndex);
            if (extra === 0x11) {
              at = writeReload(target, at, fuelLocal, fuelGlobal);
            } else {
              target[at++] = 0x23;
              at = writeUnsigned(target, at, fuelGlobal);
              target[at++] = 0x0f;
            }
          }
          copied = offset + value;
          break;
        }
        case EDIT_RETURN:
          at = writeLocal(target, at, 0x20, fuelLocal);
          break;
        case EDIT_BULK:
          at = writeLocal(target, at, 0x20, fuelLocal);
          target[at++] = 0x10;
          at = writeUnsigned(target, at, extra);
          at = writeLocal(target, at, 0x21, fuelLocal);
          copied = offset + value;
          break;
        default:
          throw new Error(`unknown edit kind ${kind}`);
      }
    }
    at = copyRun(target, at, bytes, copied, body.end, shift);
    writePaddedUnsigned(target, sizeAt, at - sizeAt - SIZE_SLOT_BYTES);
    // Past `worst` the writes would land on the input copy: a verifier bug, never a module's.
    if (at > worst) throw new Error(`rewritten code overran its room (${at} of ${worst} bytes)`);
  }
  output.length = claimedAt + at;
  writeAddedBodies(output, module, layout);
  writePaddedUnsigned(output.view(), sectionSizeAt, output.length - sectionSizeAt - SIZE_SLOT_BYTES);
}

/**
 * The bulk helpers and the entry wrappers, after the bodies. A function of its own: inline in
 * the body loop's function, its property loads deoptimised that function once per module.
 */
function writeAddedBodies(output: Writer, module: DecodedModule, layout: CodeLayout): void {
  for (const helper of layout.bulk.helpers) writeHelperBody(output, helper, layout.fuelGlobal, layout.exhaustedIndex);
  for (const entry of layout.entries) {
    const type = module.types[module.functionTypes[entry.functionIndex]!]!;
    writeEntryBody(output, type.parameters.length, layout.fuelGlobal, entry.functionIndex + 1);
  }
}

function hasIndirectCall(edits: Int32Array, firstEdit: number, lastEdit: number): boolean {
  for (let edit = firstEdit; edit < lastEdit; edit += EDIT_STRIDE) if (edits[edit + 1] === EDIT_CALL_INDIRECT) return true;
  return false;
}

/** Declared locals of the body at `start`. */
function countLocals(reader: Reader, start: number): number {
  reader.offset = start;
  let total = 0;
  for (let groups = reader.u32(); groups > 0; groups--) {
    total += reader.u32();
    reader.byte();
  }
  return total;
}

/**
 * Writes the local declarations of the body at `start` (they end at `end`) with one local of
 * the first non-empty group moved to a group of its own at the end: locals 1…L-1 keep their
 * indices, the moved one becomes index `parameters + L`, and the counter parameter takes index
 * `parameters`. Without declared locals nothing moves. With `slotLocal`, an i32 local follows.
 */
function redeclareLocals(reader: Reader, start: number, end: number, slotLocal: boolean, target: Uint8Array, at: number, shift: number): number {
  const bytes = reader.bytes;
  reader.offset = start;
  const groups = reader.u32();
  const groupsStart = reader.offset;
  let movedType = -1;
  let emptied = false;
  for (let group = 0; group < groups && movedType < 0; group++) {
    const size = reader.u32();
    const type = reader.byte();
    if (size > 0) {
      movedType = type;
      emptied = size === 1;
    }
  }
  if (movedType < 0) {
    if (!slotLocal) return copyRun(target, at, bytes, start, end, shift);
    at = writeUnsigned(target, at, groups + 1);
    at = copyRun(target, at, bytes, groupsStart, end, shift);
    target[at++] = 1;
    target[at++] = 0x7f;
    return at;
  }
  at = writeUnsigned(target, at, groups + (emptied ? 0 : 1) + (slotLocal ? 1 : 0));
  reader.offset = groupsStart;
  let moved = false;
  for (let group = 0; group < groups; group++) {
    let size = reader.u32();
    const type = reader.byte();
    if (!moved && size > 0) {
      moved = true;
      if (--size === 0) continue;
    }
    at = writeUnsigned(target, at, size);
    target[at++] = type;
  }
  target[at++] = 1;
  target[at++] = movedType;
  if (slotLocal) {
    target[at++] = 1;
    target[at++] = 0x7f;
  }
  return at;
}

/** Whether every moved-local immediate from `moved` up to `before` is a one-byte LEB128 (a padded one is not). */
function oneByteIndices(bytes: Uint8Array, movedOffsets: Int32Array, moved: number, lastMoved: number, before: number): boolean {
  for (; moved < lastMoved; moved++) {
    const offset = movedOffsets[moved]!;
    if (offset >= before) return true;
    if (bytes[offset]! & 0x80) return false;
  }
  return true;
}

/**
 * Copies input `source[start, end)` to `target[at]`: from its copy at `target[start + shift]`
 * by copyWithin, which allocates nothing, where a copy from the input needs a subarray per run
 * (half the time of the small module's copying); short runs byte by byte.
 */
function copyRun(target: Uint8Array, at: number, source: Uint8Array, start: number, end: number, shift: number): number {
  if (end - start < SHORT_RUN_BYTES) {
    for (let index = start; index < end; index++) target[at++] = source[index]!;
    return at;
  }
  if (shift === NO_MIRROR) target.set(source.subarray(start, end), at);
  else target.copyWithin(at, start + shift, end + shift);
  return at + end - start;
}

function writeLocal(target: Uint8Array, at: number, opcode: number, local: number): number {
  target[at++] = opcode;
  return writeUnsigned(target, at, local);
}

/** `local.get F  global.set $fuel`: the global holds the true count. */
function writeFlush(target: Uint8Array, at: number, fuelLocal: number, fuelGlobal: number): number {
  at = writeLocal(target, at, 0x20, fuelLocal);
  target[at++] = 0x24;
  return writeUnsigned(target, at, fuelGlobal);
}

/** `global.get $fuel  local.set F`: the count as the callee left it. */
function writeReload(target: Uint8Array, at: number, fuelLocal: number, fuelGlobal: number): number {
  target[at++] = 0x23;
  at = writeUnsigned(target, at, fuelGlobal);
  return writeLocal(target, at, 0x21, fuelLocal);
}

function writeCharge(target: Uint8Array, at: number, fuelLocal: number, cost: number): number {
  at = writeLocal(target, at, 0x20, fuelLocal);
  target[at++] = 0x42;
  // Signed LEB128 of the cost, a non-negative int32.
  for (;;) {
    const byte = cost & 0x7f;
    cost >>>= 7;
    if (cost === 0 && (byte & 0x40) === 0) {
      target[at++] = byte;
      break;
    }
    target[at++] = byte | 0x80;
  }
  target[at++] = 0x7d;
  at = writeLocal(target, at, 0x22, fuelLocal);
  target[at++] = 0x42; target[at++] = 0x00; target[at++] = 0x53;
  return at;
}

function writeUnsigned(target: Uint8Array, at: number, value: number): number {
  while (value >= 0x80) {
    target[at++] = (value & 0x7f) | 0x80;
    value = Math.floor(value / 128);
  }
  target[at++] = value;
  return at;
}

/** A u32 as a LEB128 of exactly SIZE_SLOT_BYTES bytes. */
function writePaddedUnsigned(target: Uint8Array, at: number, value: number): void {
  for (let index = 0; index < SIZE_SLOT_BYTES - 1; index++) {
    target[at++] = (value & 0x7f) | 0x80;
    value = Math.floor(value / 128);
  }
  target[at] = value;
}
