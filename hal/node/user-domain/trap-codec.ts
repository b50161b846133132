// The kernel side of the trap page: lifts a request's arguments into AbiValues and lowers the
// kernel's outcome into the answer the user side reads.
import type { AbiValueType, SyscallDescriptor } from "../../../runtime/abi/index.js";
import type { AbiValue, TrapOutcome } from "../../hil/index.js";
import { TRAP_DATA_BYTES } from "../params.js";
import { OutcomeCode, TrapWord, type TrapPage } from "./trap-page.js";

/** Code units decoded per String.fromCharCode call: keeps the argument list short. */
const DECODE_CHUNK_UNITS = 4096;

export function decodeUnits(units: Uint16Array): string {
  if (units.length <= DECODE_CHUNK_UNITS) return String.fromCharCode.apply(null, units as unknown as number[]);
  let text = "";
  for (let start = 0; start < units.length; start += DECODE_CHUNK_UNITS) {
    text += String.fromCharCode.apply(null, units.subarray(start, start + DECODE_CHUNK_UNITS) as unknown as number[]);
  }
  return text;
}

function liftScalar(page: TrapPage, slot: number, type: AbiValueType): AbiValue {
  const word = page.argumentWords[slot * 2]!;
  switch (type) {
    case "u64": return BigInt.asUintN(64, page.argumentWides[slot]!);
    case "s64": return page.argumentWides[slot]!;
    case "f32": case "f64": return page.argumentFloats[slot]!;
    case "bool": return word !== 0 ? 1 : 0;
    case "u8": return word & 0xff;
    case "u16": return word & 0xffff;
    case "s8": return (word << 24) >> 24;
    case "s16": return (word << 16) >> 16;
    case "s32": return word;
    default: return word >>> 0;
  }
}

/** Shared by every call without parameters (most bootstrap calls); handlers get arguments read-only. */
const NO_ARGUMENTS: readonly AbiValue[] = [];

export function liftArguments(page: TrapPage, descriptor: SyscallDescriptor): readonly AbiValue[] {
  if (descriptor.parameters.length === 0) return NO_ARGUMENTS;
  return descriptor.parameters.map((parameter, slot) => {
    if (parameter.type === "string") {
      const offset = page.argumentWords[slot * 2]!;
      const length = page.argumentWords[slot * 2 + 1]!;
      return decodeUnits(page.dataUnits.subarray(offset / 2, offset / 2 + length));
    }
    if (parameter.type === "list<u8>") {
      const offset = page.argumentWords[slot * 2]!;
      const length = page.argumentWords[slot * 2 + 1]!;
      return page.data.slice(offset, offset + length);
    }
    return liftScalar(page, slot, parameter.type);
  });
}

export class ResultLoweringError extends Error {
  constructor(readonly callName: string, readonly detail: string) {
    super(`${callName}: ${detail}`);
    this.name = "ResultLoweringError";
  }
}

function lowerResult(page: TrapPage, descriptor: SyscallDescriptor, value: AbiValue | undefined): void {
  switch (descriptor.result) {
    case null: return;
    case "string": {
      const text = typeof value === "string" ? value : "";
      if (text.length * 2 > TRAP_DATA_BYTES) throw new ResultLoweringError(descriptor.qualifiedName, `result of ${text.length} code units exceeds the trap page`);
      for (let index = 0; index < text.length; index++) page.dataUnits[index] = text.charCodeAt(index);
      page.header[TrapWord.resultLength] = text.length;
      return;
    }
    case "list<u8>": {
      const bytes = value instanceof Uint8Array ? value : new Uint8Array(0);
      if (bytes.length > TRAP_DATA_BYTES) throw new ResultLoweringError(descriptor.qualifiedName, `result of ${bytes.length} bytes exceeds the trap page`);
      page.data.set(bytes);
      page.header[TrapWord.resultLength] = bytes.length;
      return;
    }
    case "u64": case "s64":
      page.resultWide[0] = BigInt.asIntN(64, typeof value === "bigint" ? value : BigInt(Math.trunc(Number(value ?? 0))));
      return;
    case "f32": case "f64":
      page.resultFloat[0] = Number(value ?? 0);
      return;
    default:
      page.resultWords[0] = typeof value === "bigint" ? Number(BigInt.asIntN(32, value)) : Number(value ?? 0) | 0;
  }
}

/** Writes the answer to a trap; the caller then bumps the response sequence. */
export function writeOutcome(page: TrapPage, descriptor: SyscallDescriptor | undefined, outcome: TrapOutcome): void {
  if (outcome.kind === "exit") {
    page.header[TrapWord.outcomeKind] = OutcomeCode.exit;
    page.header[TrapWord.outcomeCode] = outcome.code | 0;
    return;
  }
  if (outcome.kind === "fault" || outcome.kind === "wait") {
    page.header[TrapWord.outcomeKind] = OutcomeCode.fault;
    return;
  }
  page.header[TrapWord.outcomeKind] = OutcomeCode.return;
  if (descriptor) lowerResult(page, descriptor, outcome.value);
}
