// Charges for bulk memory and table instructions by their length operand. Each distinct bulk
// instruction (opcode and immediates) is replaced by a call to a helper function appended to
// the module. The helper takes the caller's counter and returns it charged:
//
//   if the instruction would trap (destination or source out of bounds): run it, so it traps
//     as the original does, having done no work and been charged none
//   counter -= length / BULK_BYTES_PER_FUEL; if negative: flush, call exhausted
//   run the instruction
//
// Checking the bounds first is what "charge for the work the instruction can do" means: an
// out-of-bounds instruction does nothing before it traps, so charging its length first would
// turn the original's trap into FuelExhausted (found by differential testing: a memory.fill
// with a huge length). In bounds, the length is at most the memory's or table's size, so one
// charge is bounded by MAX_BULK_CHARGE. A segment source (memory.init, table.init) is not
// checked here: its length is at most the segment's, which a data or element limit bounds.
import type { DecodedModule } from "../binary/module.js";
import { Reader } from "../binary/reader.js";
import { Writer, pushUnsigned } from "../binary/writer.js";
import type { CodePlan } from "../checks/code-plan.js";
import { BULK_BYTES_PER_FUEL, FUEL_IMPORT_MODULE } from "../fuel-contract.js";
import type { TypeAppender } from "./types.js";

const MEMORY_INIT = 8;
const MEMORY_COPY = 10;
const MEMORY_FILL = 11;
const TABLE_INIT = 12;
const TABLE_COPY = 14;
const TABLE_FILL = 17;
const OPERATION_NAMES: Readonly<Record<number, string>> = {
  [MEMORY_INIT]: "memory.init", [MEMORY_COPY]: "memory.copy", [MEMORY_FILL]: "memory.fill",
  [TABLE_INIT]: "table.init", [TABLE_COPY]: "table.copy", [TABLE_FILL]: "table.fill",
};
const LENGTH_SHIFT = Math.log2(BULK_BYTES_PER_FUEL);
/** Bytes of one memory page: memory.size counts pages. */
const PAGE_SHIFT = 16;

export interface BulkHelper {
  /** The original instruction bytes, run by the helper after charging. */
  readonly instruction: Uint8Array;
  /** The 0xfc sub-opcode, decoded (it is a LEB128 and may be padded). */
  readonly operation: number;
  /** Where the destination and (for copies) the source operand point: a memory or a table index. */
  readonly destination: BoundsTarget;
  readonly source: BoundsTarget | undefined;
  readonly typeIndex: number;
  readonly functionIndex: number;
  readonly name: string;
}

interface BoundsTarget {
  readonly kind: "memory" | "table";
  readonly index: number;
}

export interface BulkHelpers {
  readonly helpers: BulkHelper[];
}

/** The instruction's bytes as a string, a map key. Spreading the bytes into fromCharCode cost more than the rest of the planning. */
function instructionKey(instruction: Uint8Array): string {
  let key = "";
  for (let index = 0; index < instruction.length; index++) key += String.fromCharCode(instruction[index]!);
  return key;
}

/** Helper names by sub-opcode, made once: a name made per module is a new string to hash each time. */
const HELPER_NAMES: Readonly<Record<number, string>> = Object.fromEntries(
  Object.entries(OPERATION_NAMES).map(([operation, name]) => [operation, `${FUEL_IMPORT_MODULE}.charge-${name}`]),
);

/** The sub-opcode and immediates of a 0xfc bulk instruction, read as LEB128s. */
function decodeBulk(instruction: Uint8Array): { operation: number; immediates: number[] } {
  const reader = new Reader(instruction, 1);
  const operation = reader.u32();
  const immediates: number[] = [];
  while (!reader.atEnd) immediates.push(reader.u32());
  return { operation, immediates };
}

/**
 * Finds the distinct bulk instructions of the plan and assigns each a helper and a type; each
 * bulk edit's `extra` becomes the output index of the helper that replaces it.
 */
export function planBulkHelpers(module: DecodedModule, plan: CodePlan, firstFunctionIndex: number, types: TypeAppender): BulkHelpers {
  const result: BulkHelpers = { helpers: [] };
  const indexByInstruction = new Map<string, number>();
  const edits = plan.edits;
  for (const edit of plan.bulkEdits) {
    const instruction = module.bytes.subarray(edits[edit]!, edits[edit]! + edits[edit + 2]!);
    const key = instructionKey(instruction);
    const known = indexByInstruction.get(key);
    if (known !== undefined) {
      edits[edit + 3] = known;
      continue;
    }
    const { operation, immediates } = decodeBulk(instruction);
    let middle = "i32";
    let destination: BoundsTarget = { kind: "memory", index: 0 };
    let source: BoundsTarget | undefined;
    switch (operation) {
      case MEMORY_COPY: source = { kind: "memory", index: immediates[1]! }; destination = { kind: "memory", index: immediates[0]! }; break;
      case MEMORY_FILL: destination = { kind: "memory", index: immediates[0]! }; break;
      case MEMORY_INIT: destination = { kind: "memory", index: immediates[1]! }; break;
      case TABLE_COPY: destination = { kind: "table", index: immediates[0]! }; source = { kind: "table", index: immediates[1]! }; break;
      case TABLE_INIT: destination = { kind: "table", index: immediates[1]! }; break;
      case TABLE_FILL:
        destination = { kind: "table", index: immediates[0]! };
        middle = module.tables[immediates[0]!]?.elementType ?? "funcref";
        break;
      default: throw new Error(`no bulk helper for 0xfc ${operation}`);
    }
    const typeIndex = types.bulkHelperType(middle);
    const functionIndex = firstFunctionIndex + result.helpers.length;
    indexByInstruction.set(key, functionIndex);
    edits[edit + 3] = functionIndex;
    result.helpers.push({
      instruction, operation, destination, source, typeIndex, functionIndex,
      name: HELPER_NAMES[operation]!,
    });
  }
  return result;
}

/** Pushes `(u64) local + (u64) length > size of target`: the operand at `local` would run out of bounds. */
function pushOutOfBounds(body: number[], local: number, target: BoundsTarget): void {
  body.push(0x20, local, 0xad, 0x20, 0x02, 0xad, 0x7c);
  if (target.kind === "memory") {
    body.push(0x3f);
    pushUnsigned(body, target.index);
    body.push(0xad, 0x42, PAGE_SHIFT, 0x86);
  } else {
    body.push(0xfc, 0x10);
    pushUnsigned(body, target.index);
    body.push(0xad);
  }
  body.push(0x56);
}

/** A helper's body, (destination, source or value, length, counter) -> counter; see the file's overview. */
export function writeHelperBody(output: Writer, helper: BulkHelper, fuelGlobal: number, exhaustedIndex: number): void {
  const body: number[] = [0x00];
  const runInstruction = (): void => {
    body.push(0x20, 0x00, 0x20, 0x01, 0x20, 0x02);
    for (const byte of helper.instruction) body.push(byte);
  };
  pushOutOfBounds(body, 0, helper.destination);
  if (helper.source !== undefined) {
    pushOutOfBounds(body, 1, helper.source);
    body.push(0x72);
  }
  body.push(0x04, 0x40);
  runInstruction();
  body.push(0x00, 0x0b);
  // counter -= length >> shift; if counter < 0: flush, exhausted
  body.push(0x20, 0x03, 0x20, 0x02, 0xad, 0x42, LENGTH_SHIFT, 0x88, 0x7d, 0x22, 0x03, 0x42, 0x00, 0x53, 0x04, 0x40, 0x20, 0x03, 0x24);
  pushUnsigned(body, fuelGlobal);
  body.push(0x10);
  pushUnsigned(body, exhaustedIndex);
  body.push(0x00, 0x0b);
  runInstruction();
  body.push(0x20, 0x03, 0x0b);
  output.u32(body.length);
  output.bytes(body);
}
