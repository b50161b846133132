// The streaming section decoder: one pass over the binary, sections in order, bodies left as
// ranges. It runs after WebAssembly.validate accepted the bytes, so a failure here means either
// a feature the verifier does not support (UnsupportedFeature) or a verifier bug.
import { DecodeError, Reader } from "./reader.js";
import {
  SECTION, type DecodedModule, type ExternalKind, type FunctionType, type Limits, type ValueType,
} from "./module.js";

/** A construct V8 accepts but the verifier does not admit into the kernel (e.g. exceptions). */
export class UnsupportedFeature extends Error {
  constructor(readonly feature: string, readonly byteOffset: number) {
    super(`${feature} at byte ${byteOffset}`);
    this.name = "UnsupportedFeature";
  }
}

const VALUE_TYPES: Readonly<Record<number, ValueType>> = {
  0x7f: "i32", 0x7e: "i64", 0x7d: "f32", 0x7c: "f64", 0x7b: "v128", 0x70: "funcref", 0x6f: "externref",
};
const EXTERNAL_KINDS: readonly ExternalKind[] = ["function", "table", "memory", "global", "tag"];

export function readValueType(reader: Reader): ValueType {
  const offset = reader.offset;
  const code = reader.byte();
  const type = VALUE_TYPES[code];
  if (type === undefined) throw new UnsupportedFeature(`value type 0x${code.toString(16)}`, offset);
  return type;
}

/** Table or memory limits; 64-bit memories and custom page sizes are refused (UnsupportedFeature). */
export function readLimits(reader: Reader): Limits & { shared: boolean } {
  const offset = reader.offset;
  const flags = reader.byte();
  if (flags > 3) throw new UnsupportedFeature(`limits flags 0x${flags.toString(16)} (64-bit memory or custom page sizes)`, offset);
  const minimum = reader.u32();
  const maximum = flags & 1 ? reader.u32() : undefined;
  return { minimum, maximum, shared: (flags & 2) !== 0 };
}

/** Skips a constant expression (global initialisers, segment offsets) through its `end`. */
export function skipConstantExpression(reader: Reader): void {
  for (;;) {
    const offset = reader.offset;
    const opcode = reader.byte();
    switch (opcode) {
      case 0x0b: return;
      case 0x41: reader.skipLeb(5); break;
      case 0x42: reader.skipLeb(10); break;
      case 0x43: reader.skip(4); break;
      case 0x44: reader.skip(8); break;
      case 0x23: case 0xd2: reader.u32(); break;
      case 0xd0: reader.s33(); break;
      case 0x6a: case 0x6b: case 0x6c: case 0x7c: case 0x7d: case 0x7e: break;
      case 0xfd: {
        const sub = reader.u32();
        if (sub !== 12) throw new UnsupportedFeature(`constant instruction 0xfd ${sub}`, offset);
        reader.skip(16);
        break;
      }
      default: throw new UnsupportedFeature(`constant instruction 0x${opcode.toString(16)}`, offset);
    }
  }
}

/**
 * Tables and memories are built field by field: an object spread took a microsecond each in V8's
 * slow path, as much as decoding a small module's types.
 */
export function decodeModule(bytes: Uint8Array<ArrayBuffer>): DecodedModule {
  const reader = new Reader(bytes);
  if (bytes.length < 8 || bytes[0] !== 0 || bytes[1] !== 0x61 || bytes[2] !== 0x73 || bytes[3] !== 0x6d) {
    throw new DecodeError("bad magic", 0);
  }
  const version = bytes[4]! | (bytes[5]! << 8) | (bytes[6]! << 16) | (bytes[7]! << 24);
  if (version !== 1) throw new UnsupportedFeature(`binary version ${version} (components are not core modules)`, 4);
  reader.offset = 8;
  const module: DecodedModule = {
    bytes, sections: [], types: [], imports: [], functionTypes: [], importedFunctionCount: 0,
    tables: [], memories: [], globals: [], exports: [], startFunction: undefined,
    elementSegmentCount: 0, dataSegmentCount: 0, dataBytes: 0, tagCount: 0, bodies: [], customSections: [],
  };
  let importedFunctionCount = 0;
  while (!reader.atEnd) {
    const start = reader.offset;
    const id = reader.byte();
    const size = reader.u32();
    const contentStart = reader.offset;
    const end = contentStart + size;
    if (end > bytes.length) throw new DecodeError(`section ${id} runs past the end`, start);
    const section = new Reader(bytes, contentStart, end);
    if (id === SECTION.custom) {
      const name = section.name();
      const range = { id, start, contentStart: section.offset, end, name };
      module.sections.push(range);
      module.customSections.push(range);
      reader.offset = end;
      continue;
    }
    module.sections.push({ id, start, contentStart, end });
    switch (id) {
      case SECTION.type: {
        const count = section.u32();
        for (let index = 0; index < count; index++) {
          const form = section.byte();
          if (form !== 0x60) throw new UnsupportedFeature(`type form 0x${form.toString(16)} (garbage-collected types)`, section.offset - 1);
          const parameters: ValueType[] = [];
          for (let remaining = section.u32(); remaining > 0; remaining--) parameters.push(readValueType(section));
          const results: ValueType[] = [];
          for (let remaining = section.u32(); remaining > 0; remaining--) results.push(readValueType(section));
          module.types.push({ parameters, results } satisfies FunctionType);
        }
        break;
      }
      case SECTION.import: {
        const count = section.u32();
        for (let index = 0; index < count; index++) {
          const byteOffset = section.offset;
          const moduleName = section.name();
          const name = section.name();
          const kindCode = section.byte();
          const kind = EXTERNAL_KINDS[kindCode];
          if (kind === undefined) throw new UnsupportedFeature(`import kind ${kindCode}`, section.offset - 1);
          let typeIndex = -1;
          if (kind === "function") {
            typeIndex = section.u32();
            module.functionTypes.push(typeIndex);
            importedFunctionCount++;
          } else if (kind === "table") {
            const elementType = readValueType(section);
            const limits = readLimits(section);
            module.tables.push({ elementType, minimum: limits.minimum, maximum: limits.maximum, imported: true, byteOffset });
          } else if (kind === "memory") {
            const limits = readLimits(section);
            module.memories.push({ minimum: limits.minimum, maximum: limits.maximum, shared: limits.shared, imported: true, byteOffset });
          } else if (kind === "global") {
            const type = readValueType(section);
            module.globals.push({ type, mutable: section.byte() === 1, imported: true, byteOffset });
          } else {
            section.byte();
            typeIndex = section.u32();
            module.tagCount++;
          }
          module.imports.push({ module: moduleName, name, kind, typeIndex, byteOffset });
        }
        (module as { importedFunctionCount: number }).importedFunctionCount = importedFunctionCount;
        break;
      }
      case SECTION.function: {
        for (let count = section.u32(); count > 0; count--) module.functionTypes.push(section.u32());
        break;
      }
      case SECTION.table: {
        for (let count = section.u32(); count > 0; count--) {
          const byteOffset = section.offset;
          if (bytes[byteOffset] === 0x40) throw new UnsupportedFeature("table with an initialiser expression", byteOffset);
          const elementType = readValueType(section);
          const limits = readLimits(section);
          module.tables.push({ elementType, minimum: limits.minimum, maximum: limits.maximum, imported: false, byteOffset });
        }
        break;
      }
      case SECTION.memory: {
        for (let count = section.u32(); count > 0; count--) {
          const byteOffset = section.offset;
          const limits = readLimits(section);
          module.memories.push({ minimum: limits.minimum, maximum: limits.maximum, shared: limits.shared, imported: false, byteOffset });
        }
        break;
      }
      case SECTION.global: {
        for (let count = section.u32(); count > 0; count--) {
          const byteOffset = section.offset;
          const type = readValueType(section);
          const mutable = section.byte() === 1;
          skipConstantExpression(section);
          module.globals.push({ type, mutable, imported: false, byteOffset });
        }
        break;
      }
      case SECTION.export: {
        for (let count = section.u32(); count > 0; count--) {
          const byteOffset = section.offset;
          const name = section.name();
          const kindCode = section.byte();
          const kind = EXTERNAL_KINDS[kindCode];
          if (kind === undefined) throw new UnsupportedFeature(`export kind ${kindCode}`, section.offset - 1);
          module.exports.push({ name, kind, index: section.u32(), byteOffset });
        }
        break;
      }
      case SECTION.start:
        module.startFunction = section.u32();
        break;
      case SECTION.element:
        module.elementSegmentCount = section.u32();
        break;
      case SECTION.code: {
        const count = section.u32();
        for (let index = 0; index < count; index++) {
          const byteOffset = section.offset;
          const bodySize = section.u32();
          const bodyStart = section.offset;
          section.skip(bodySize);
          module.bodies.push({ functionIndex: importedFunctionCount + index, byteOffset, start: bodyStart, end: bodyStart + bodySize });
        }
        break;
      }
      case SECTION.data: {
        const count = section.u32();
        module.dataSegmentCount = count;
        for (let index = 0; index < count; index++) {
          const flags = section.u32();
          if (flags === 2) section.u32();
          if (flags !== 1) skipConstantExpression(section);
          const length = section.u32();
          section.skip(length);
          module.dataBytes += length;
        }
        break;
      }
      case SECTION.dataCount:
        break;
      case SECTION.tag:
        module.tagCount += section.u32();
        break;
      default:
        throw new UnsupportedFeature(`section id ${id}`, start);
    }
    reader.offset = end;
  }
  return module;
}
