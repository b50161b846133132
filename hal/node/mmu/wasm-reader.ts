// Reads the few facts the memory layout needs from a module binary: memory limits, data
// segments, globals (the stack pointer, heap base), exports and the `name` section. It reads with
// the project's one Wasm binary reader (the verifier's `Reader` and name decoder).
import { Reader, decodeNames } from "../../../verifier/index.js";
import { readLimits, skipConstantExpression } from "../../../verifier/binary/decode.js";

export interface DataSegmentFact { readonly offset: number; readonly length: number }

export interface ModuleFacts {
  readonly memoryMinimumPages: number;
  readonly memoryMaximumPages: number | undefined;
  readonly dataSegments: readonly DataSegmentFact[];
  /** Initial values of i32 globals by global index (imports included); undefined when not a constant. */
  readonly globalInitialValues: readonly (number | undefined)[];
  readonly exportedGlobals: ReadonlyMap<string, number>;
  readonly globalNames: ReadonlyMap<number, string>;
  readonly functionNames: ReadonlyMap<number, string>;
  readonly codeBytes: number;
}

/** i32.const, the one constant expression whose value the layout reads. */
const I32_CONST = 0x41;
const END = 0x0b;

/** A constant expression's value when it is a single i32.const; skips any other (global.get, ref.func, …). */
function constantExpression(reader: Reader): number | undefined {
  const start = reader.offset;
  if (reader.byte() === I32_CONST) {
    const value = reader.s33() | 0;
    if (reader.byte() === END) return value;
  }
  reader.offset = start;
  skipConstantExpression(reader);
  return undefined;
}

export function readModuleFacts(binary: Uint8Array): ModuleFacts {
  const reader = new Reader(binary, 8);
  let memoryMinimumPages = 0;
  let memoryMaximumPages: number | undefined;
  const dataSegments: DataSegmentFact[] = [];
  const globalInitialValues: (number | undefined)[] = [];
  const exportedGlobals = new Map<string, number>();
  let functionNames = new Map<number, string>();
  let globalNames = new Map<number, string>();
  let codeBytes = 0;
  while (!reader.atEnd) {
    const id = reader.byte();
    const size = reader.u32();
    const end = reader.offset + size;
    if (id === 0) {
      if (reader.name() === "name") ({ functions: functionNames, globals: globalNames } = decodeNames(binary, reader.offset, end));
    } else if (id === 2) {
      const count = reader.u32();
      for (let index = 0; index < count; index++) {
        reader.name();
        reader.name();
        const kind = reader.byte();
        if (kind === 0) reader.u32();
        else if (kind === 1) { reader.byte(); readLimits(reader); }
        else if (kind === 2) ({ minimum: memoryMinimumPages, maximum: memoryMaximumPages } = readLimits(reader));
        else if (kind === 3) { reader.byte(); reader.byte(); globalInitialValues.push(undefined); }
        else reader.u32();
      }
    } else if (id === 5) {
      if (reader.u32() > 0) ({ minimum: memoryMinimumPages, maximum: memoryMaximumPages } = readLimits(reader));
    } else if (id === 6) {
      const count = reader.u32();
      for (let index = 0; index < count; index++) {
        const type = reader.byte();
        reader.byte();
        const value = constantExpression(reader);
        globalInitialValues.push(type === 0x7f ? value : undefined);
      }
    } else if (id === 7) {
      const count = reader.u32();
      for (let index = 0; index < count; index++) {
        const name = reader.name();
        const kind = reader.byte();
        const entityIndex = reader.u32();
        if (kind === 3) exportedGlobals.set(name, entityIndex);
      }
    } else if (id === 10) {
      codeBytes = size;
    } else if (id === 11) {
      const count = reader.u32();
      for (let index = 0; index < count; index++) {
        const flags = reader.u32();
        let offset: number | undefined;
        if (flags === 0) offset = constantExpression(reader);
        else if (flags === 2) { reader.u32(); offset = constantExpression(reader); }
        const length = reader.u32();
        reader.offset += length;
        if (offset !== undefined) dataSegments.push({ offset: offset >>> 0, length });
      }
    }
    reader.offset = end;
  }
  return {
    memoryMinimumPages, memoryMaximumPages, dataSegments, globalInitialValues, exportedGlobals,
    globalNames, functionNames, codeBytes,
  };
}

/** Function names from a compiled module's `name` section (for modules passed without their bytes). */
export { readFunctionNames } from "../../../verifier/index.js";
