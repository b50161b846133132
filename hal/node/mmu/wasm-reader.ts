// Reads the few facts the memory layout needs from a module binary: memory limits, data
// segments, globals (the stack pointer, heap base), exports and the `name` section.

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

class ByteReader {
  offset = 0;
  constructor(readonly bytes: Uint8Array) {}
  byte(): number {
    const value = this.bytes[this.offset++];
    if (value === undefined) throw new RangeError("truncated module");
    return value;
  }
  unsigned(): number {
    let result = 0;
    let scale = 1;
    for (;;) {
      const byte = this.byte();
      result += (byte & 0x7f) * scale;
      if ((byte & 0x80) === 0) return result;
      scale *= 128;
    }
  }
  signed32(): number {
    let result = 0;
    let shift = 0;
    let byte: number;
    do {
      byte = this.byte();
      if (shift < 32) result |= (byte & 0x7f) << shift;
      shift += 7;
    } while (byte & 0x80);
    if (shift < 32 && (byte & 0x40)) result |= -1 << shift;
    return result | 0;
  }
  skipSigned(): void { while (this.byte() & 0x80) { /* continuation bytes */ } }
  name(): string {
    const length = this.unsigned();
    const text = new TextDecoder().decode(this.bytes.subarray(this.offset, this.offset + length));
    this.offset += length;
    return text;
  }
  limits(): { minimum: number; maximum: number | undefined } {
    const flags = this.unsigned();
    const minimum = this.unsigned();
    const maximum = flags & 1 ? this.unsigned() : undefined;
    return { minimum, maximum };
  }
  /** A constant expression; returns its value when it is a single i32.const. */
  constantExpression(): number | undefined {
    let value: number | undefined;
    let instructions = 0;
    for (;;) {
      const opcode = this.byte();
      if (opcode === 0x0b) return instructions === 1 ? value : undefined;
      instructions++;
      switch (opcode) {
        case 0x41: value = this.signed32(); break;
        case 0x42: this.skipSigned(); value = undefined; break;
        case 0x43: this.offset += 4; value = undefined; break;
        case 0x44: this.offset += 8; value = undefined; break;
        case 0x23: case 0xd2: this.unsigned(); value = undefined; break;
        case 0xd0: this.byte(); value = undefined; break;
        default: throw new RangeError(`unsupported constant expression opcode 0x${opcode.toString(16)}`);
      }
    }
  }
}

function readNameSection(bytes: Uint8Array, functionNames: Map<number, string>, globalNames: Map<number, string>): void {
  const reader = new ByteReader(bytes);
  try {
    while (reader.offset < bytes.length) {
      const subsection = reader.byte();
      const size = reader.unsigned();
      const end = reader.offset + size;
      const target = subsection === 1 ? functionNames : subsection === 7 ? globalNames : undefined;
      if (target) {
        const count = reader.unsigned();
        for (let index = 0; index < count; index++) {
          const entityIndex = reader.unsigned();
          target.set(entityIndex, reader.name());
        }
      }
      reader.offset = end;
    }
  } catch {
    // A damaged name section only costs names; the module itself validated.
  }
}

export function readModuleFacts(binary: Uint8Array): ModuleFacts {
  const reader = new ByteReader(binary);
  reader.offset = 8;
  let memoryMinimumPages = 0;
  let memoryMaximumPages: number | undefined;
  const dataSegments: DataSegmentFact[] = [];
  const globalInitialValues: (number | undefined)[] = [];
  const exportedGlobals = new Map<string, number>();
  const functionNames = new Map<number, string>();
  const globalNames = new Map<number, string>();
  let codeBytes = 0;
  while (reader.offset < binary.length) {
    const id = reader.byte();
    const size = reader.unsigned();
    const end = reader.offset + size;
    if (id === 0) {
      if (reader.name() === "name") readNameSection(binary.subarray(reader.offset, end), functionNames, globalNames);
    } else if (id === 2) {
      const count = reader.unsigned();
      for (let index = 0; index < count; index++) {
        reader.name();
        reader.name();
        const kind = reader.byte();
        if (kind === 0) reader.unsigned();
        else if (kind === 1) { reader.byte(); reader.limits(); }
        else if (kind === 2) ({ minimum: memoryMinimumPages, maximum: memoryMaximumPages } = reader.limits());
        else if (kind === 3) { reader.byte(); reader.byte(); globalInitialValues.push(undefined); }
        else reader.unsigned();
      }
    } else if (id === 5) {
      if (reader.unsigned() > 0) ({ minimum: memoryMinimumPages, maximum: memoryMaximumPages } = reader.limits());
    } else if (id === 6) {
      const count = reader.unsigned();
      for (let index = 0; index < count; index++) {
        const type = reader.byte();
        reader.byte();
        const value = reader.constantExpression();
        globalInitialValues.push(type === 0x7f ? value : undefined);
      }
    } else if (id === 7) {
      const count = reader.unsigned();
      for (let index = 0; index < count; index++) {
        const name = reader.name();
        const kind = reader.byte();
        const entityIndex = reader.unsigned();
        if (kind === 3) exportedGlobals.set(name, entityIndex);
      }
    } else if (id === 10) {
      codeBytes = size;
    } else if (id === 11) {
      const count = reader.unsigned();
      for (let index = 0; index < count; index++) {
        const flags = reader.unsigned();
        let offset: number | undefined;
        if (flags === 0) offset = reader.constantExpression();
        else if (flags === 2) { reader.unsigned(); offset = reader.constantExpression(); }
        const length = reader.unsigned();
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
export function readFunctionNames(module: WebAssembly.Module): Map<number, string> {
  const functionNames = new Map<number, string>();
  const section = WebAssembly.Module.customSections(module, "name")[0];
  if (section) readNameSection(new Uint8Array(section), functionNames, new Map());
  return functionNames;
}
