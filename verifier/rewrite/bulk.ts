// Charges for bulk memory and table instructions by their length operand. Each distinct bulk
// instruction (opcode and immediates) is replaced by a call to a helper function appended to
// the module: the helper charges length / BULK_BYTES_PER_FUEL, then runs the instruction. The
// helpers come after every existing function, so no existing index moves for them.
import type { DecodedModule } from "../binary/module.js";
import { Writer, pushUnsigned } from "../binary/writer.js";
import { EDIT_BULK, EDIT_STRIDE, type CodePlan } from "../checks/code-plan.js";
import { BULK_BYTES_PER_FUEL, FUEL_IMPORT_MODULE } from "../fuel-contract.js";

const OPERATION_NAMES: Readonly<Record<number, string>> = {
  8: "memory.init", 10: "memory.copy", 11: "memory.fill", 12: "table.init", 14: "table.copy", 17: "table.fill",
};
const VALUE_TYPE_CODES: Readonly<Record<string, number>> = { funcref: 0x70, externref: 0x6f };
const LENGTH_SHIFT = Math.log2(BULK_BYTES_PER_FUEL);

export interface BulkHelper {
  /** The original instruction bytes, run by the helper after charging. */
  readonly instruction: Uint8Array;
  readonly typeIndex: number;
  readonly functionIndex: number;
  readonly name: string;
}

export interface BulkHelpers {
  readonly helpers: BulkHelper[];
  /** Output function index by instruction bytes (as a string key). */
  readonly indexByInstruction: Map<string, number>;
  /** Function types to append to the type section, encoded. */
  readonly newTypes: number[][];
}

function instructionKey(instruction: Uint8Array): string {
  return String.fromCharCode(...instruction);
}

/**
 * Finds the distinct bulk instructions of the plan and assigns each a helper and a type; each
 * bulk edit's `extra` becomes the output index of the helper that replaces it.
 */
export function planBulkHelpers(module: DecodedModule, plan: CodePlan, firstFunctionIndex: number, firstTypeIndex: number): BulkHelpers {
  const result: BulkHelpers = { helpers: [], indexByInstruction: new Map(), newTypes: [] };
  const typeByEncoding = new Map<string, number>();
  const edits = plan.edits;
  for (let edit = 0; edit < edits.length; edit += EDIT_STRIDE) {
    if (edits[edit + 1] !== EDIT_BULK) continue;
    const instruction = module.bytes.subarray(edits[edit]!, edits[edit]! + edits[edit + 2]!);
    const key = instructionKey(instruction);
    const known = result.indexByInstruction.get(key);
    if (known !== undefined) {
      edits[edit + 3] = known;
      continue;
    }
    const sub = instruction[1]!;
    let middle = 0x7f;
    if (sub === 17) {
      let tableIndex = 0;
      for (let offset = 2, shift = 0; offset < instruction.length; offset++, shift += 7) tableIndex += (instruction[offset]! & 0x7f) * 2 ** shift;
      middle = VALUE_TYPE_CODES[module.tables[tableIndex]?.elementType ?? "funcref"] ?? 0x70;
    }
    const encoding = [0x60, 3, 0x7f, middle, 0x7f, 0];
    const encodingKey = encoding.join(",");
    let typeIndex = typeByEncoding.get(encodingKey);
    if (typeIndex === undefined) {
      typeIndex = firstTypeIndex + result.newTypes.length;
      typeByEncoding.set(encodingKey, typeIndex);
      result.newTypes.push(encoding);
    }
    const functionIndex = firstFunctionIndex + result.helpers.length;
    result.indexByInstruction.set(key, functionIndex);
    edits[edit + 3] = functionIndex;
    result.helpers.push({ instruction, typeIndex, functionIndex, name: `${FUEL_IMPORT_MODULE}.charge-${OPERATION_NAMES[sub] ?? sub}` });
  }
  return result;
}

/** A helper's body: charge length >> shift, check, then the instruction on its three operands. */
export function writeHelperBody(output: Writer, helper: BulkHelper, fuelGlobal: number, exhaustedIndex: number): void {
  const body: number[] = [0x00, 0x23];
  pushUnsigned(body, fuelGlobal);
  body.push(0x20, 0x02, 0xad, 0x42, LENGTH_SHIFT, 0x88, 0x7d, 0x24);
  pushUnsigned(body, fuelGlobal);
  body.push(0x23);
  pushUnsigned(body, fuelGlobal);
  body.push(0x42, 0x00, 0x53, 0x04, 0x40, 0x10);
  pushUnsigned(body, exhaustedIndex);
  body.push(0x00, 0x0b, 0x20, 0x00, 0x20, 0x01, 0x20, 0x02);
  for (const byte of helper.instruction) body.push(byte);
  body.push(0x0b);
  output.u32(body.length);
  output.bytes(body);
}
