// The rewritten code section: every body with its fuel charges inserted and its immediates
// changed, as the code walk planned them (checks/code-plan.ts).
//
// A function without loops gets one charge at its entry, whose check calls `exhausted` in
// place. A function with loops is also wrapped in a block, so that each loop's check can leave
// the loop with a branch instead of holding a call (code-plan.ts says why):
//
//   <entry charge> block <body> return end call exhausted unreachable end
//
// where every loop header starts `<charge> br_if <the block>`, and branches that named the
// function now name it one label further out.
//
// Speed. Sizes are computed first, so the section is written once, straight into the output,
// byte by byte through an index; the untouched runs between edits are copied with
// TypedArray#set, or by a loop when short (the rewriter copies one run per edit, tens of
// thousands per module, and a call per short run costs more than the bytes).
import { SECTION, type DecodedModule } from "../binary/module.js";
import { Writer, pushUnsigned, signedLength, unsignedLength } from "../binary/writer.js";
import {
  EDIT_BRANCH_LABEL, EDIT_BULK, EDIT_FUEL_ENTRY, EDIT_FUEL_EXIT, EDIT_FUEL_LOOP, EDIT_STRIDE, type CodePlan,
} from "../checks/code-plan.js";
import { writeHelperBody, type BulkHelpers } from "./bulk.js";

/** Runs shorter than this are copied byte by byte. */
const SHORT_RUN_BYTES = 16;

export function writeCodeSection(output: Writer, module: DecodedModule, plan: CodePlan, fuelGlobal: number, exhaustedIndex: number, bulk: BulkHelpers): void {
  const bytes = module.bytes;
  const edits = plan.edits;
  const bodies = module.bodies;
  const bodyEditStarts = plan.bodyEditStarts;
  // global.get G; i64.const cost; i64.sub; global.set G; global.get G; i64.const 0; i64.lt_s; then
  // at an entry: if; call exhausted; unreachable; end (and `block` when wrapped)
  // at a loop header: br_if <wrapping block>
  const chargePrefix = new Uint8Array(pushUnsigned([0x23], fuelGlobal).concat(0x42));
  const chargeCompare = new Uint8Array(pushUnsigned(pushUnsigned([0x7d, 0x24], fuelGlobal).concat(0x23), fuelGlobal).concat(0x42, 0x00, 0x53));
  const entryCheck = new Uint8Array(pushUnsigned([0x04, 0x40, 0x10], exhaustedIndex).concat(0x00, 0x0b));
  const wrapOpen = Uint8Array.of(0x02, 0x40);
  const wrapClose = new Uint8Array(pushUnsigned([0x0f, 0x0b, 0x10], exhaustedIndex).concat(0x00));
  const chargeFixed = chargePrefix.length + chargeCompare.length;

  const sizes = new Float64Array(bodies.length);
  const functionCount = bodies.length + bulk.helpers.length;
  let sectionSize = unsignedLength(functionCount);
  for (let bodyNumber = 0; bodyNumber < bodies.length; bodyNumber++) {
    const body = bodies[bodyNumber]!;
    const last = bodyEditStarts[bodyNumber + 1]!;
    let size = body.end - body.start;
    for (let edit = bodyEditStarts[bodyNumber]!; edit < last; edit += EDIT_STRIDE) {
      const value = edits[edit + 2]!;
      const extra = edits[edit + 3]!;
      switch (edits[edit + 1]) {
        case EDIT_FUEL_ENTRY: size += chargeFixed + signedLength(value) + entryCheck.length + (extra === 1 ? wrapOpen.length : 0); break;
        case EDIT_FUEL_LOOP: size += chargeFixed + signedLength(value) + 1 + unsignedLength(extra); break;
        case EDIT_FUEL_EXIT: size += wrapClose.length; break;
        case EDIT_BULK: size += 1 + unsignedLength(extra) - value; break;
        default: size += unsignedLength(extra + (edits[edit + 1] === EDIT_BRANCH_LABEL ? 0 : 1)) - value;
      }
    }
    sizes[bodyNumber] = size;
    sectionSize += unsignedLength(size) + size;
  }
  const helpers = new Writer(bulk.helpers.length * 64 + 8);
  for (const helper of bulk.helpers) writeHelperBody(helpers, helper, fuelGlobal, exhaustedIndex);
  sectionSize += helpers.length;

  const target = output.claim(1 + unsignedLength(sectionSize) + sectionSize);
  target[0] = SECTION.code;
  let at = writeUnsigned(target, 1, sectionSize);
  at = writeUnsigned(target, at, functionCount);
  for (let bodyNumber = 0; bodyNumber < bodies.length; bodyNumber++) {
    const body = bodies[bodyNumber]!;
    const last = bodyEditStarts[bodyNumber + 1]!;
    at = writeUnsigned(target, at, sizes[bodyNumber]!);
    let copied = body.start;
    for (let edit = bodyEditStarts[bodyNumber]!; edit < last; edit += EDIT_STRIDE) {
      const offset = edits[edit]!;
      at = copyRun(target, at, bytes, copied, offset);
      const value = edits[edit + 2]!;
      const extra = edits[edit + 3]!;
      switch (edits[edit + 1]) {
        case EDIT_FUEL_ENTRY:
          at = writeCharge(target, at, chargePrefix, value, chargeCompare);
          at = writeBytes(target, at, entryCheck);
          if (extra === 1) at = writeBytes(target, at, wrapOpen);
          copied = offset;
          break;
        case EDIT_FUEL_LOOP:
          at = writeCharge(target, at, chargePrefix, value, chargeCompare);
          target[at++] = 0x0d;
          at = writeUnsigned(target, at, extra);
          copied = offset;
          break;
        case EDIT_FUEL_EXIT:
          at = writeBytes(target, at, wrapClose);
          copied = offset;
          break;
        case EDIT_BRANCH_LABEL:
          at = writeUnsigned(target, at, extra);
          copied = offset + value;
          break;
        case EDIT_BULK:
          target[at++] = 0x10;
          at = writeUnsigned(target, at, extra);
          copied = offset + value;
          break;
        default:
          // A function index: the fuel import comes before every defined function.
          at = writeUnsigned(target, at, extra + 1);
          copied = offset + value;
      }
    }
    at = copyRun(target, at, bytes, copied, body.end);
  }
  target.set(helpers.view(), at);
}

function copyRun(target: Uint8Array, at: number, source: Uint8Array, start: number, end: number): number {
  if (end - start < SHORT_RUN_BYTES) {
    for (let index = start; index < end; index++) target[at++] = source[index]!;
    return at;
  }
  target.set(source.subarray(start, end), at);
  return at + end - start;
}

function writeBytes(target: Uint8Array, at: number, values: Uint8Array): number {
  for (let index = 0; index < values.length; index++) target[at++] = values[index]!;
  return at;
}

function writeCharge(target: Uint8Array, at: number, prefix: Uint8Array, cost: number, compare: Uint8Array): number {
  at = writeBytes(target, at, prefix);
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
  return writeBytes(target, at, compare);
}

function writeUnsigned(target: Uint8Array, at: number, value: number): number {
  while (value >= 0x80) {
    target[at++] = (value & 0x7f) | 0x80;
    value = Math.floor(value / 128);
  }
  target[at++] = value;
  return at;
}
