// The function types of the output module: the input's, unchanged and at the same indices (so
// call_indirect and block type immediates keep their meaning), then the types the rewrite adds.
import type { FunctionType, ValueType } from "../binary/module.js";
import { pushUnsigned } from "../binary/writer.js";

const VALUE_TYPE_CODES: Readonly<Record<ValueType, number>> = {
  i32: 0x7f, i64: 0x7e, f32: 0x7d, f64: 0x7c, v128: 0x7b, funcref: 0x70, externref: 0x6f,
};

export function valueTypeCode(type: ValueType): number {
  return VALUE_TYPE_CODES[type];
}

function encode(parameters: readonly string[], results: readonly string[]): number[] {
  const encoded = pushUnsigned([0x60], parameters.length);
  for (const type of parameters) encoded.push(VALUE_TYPE_CODES[type as ValueType]);
  pushUnsigned(encoded, results.length);
  for (const type of results) encoded.push(VALUE_TYPE_CODES[type as ValueType]);
  return encoded;
}

export class TypeAppender {
  /** Encoded types to append after the input's, in index order. */
  readonly added: number[][] = [];
  private emptyTypeIndex = -1;
  private readonly bulkTypes = new Map<string, number>();

  constructor(private readonly existing: readonly FunctionType[]) {}

  /**
   * Appends `(parameters) -> (results)` and returns its index. No search for an equal type:
   * function types are equal by structure, so a duplicate is valid and means the same, and
   * keying every type of the module to find one cost more than the rewrite of a small module.
   */
  append(parameters: readonly string[], results: readonly string[]): number {
    this.added.push(encode(parameters, results));
    return this.existing.length + this.added.length - 1;
  }

  /** The rewritten form of `type`: the counter appended to its parameters and to its results. */
  appendWithCounter(type: FunctionType): number {
    const encoded = pushUnsigned([0x60], type.parameters.length + 1);
    for (const value of type.parameters) encoded.push(VALUE_TYPE_CODES[value]);
    encoded.push(VALUE_TYPE_CODES.i64);
    pushUnsigned(encoded, type.results.length + 1);
    for (const value of type.results) encoded.push(VALUE_TYPE_CODES[value]);
    encoded.push(VALUE_TYPE_CODES.i64);
    this.added.push(encoded);
    return this.existing.length + this.added.length - 1;
  }

  /** `() -> ()`: the module's own if it has one (the exhausted import's type). */
  emptyType(): number {
    if (this.emptyTypeIndex < 0) {
      this.emptyTypeIndex = this.existing.findIndex((type) => type.parameters.length === 0 && type.results.length === 0);
      if (this.emptyTypeIndex < 0) this.emptyTypeIndex = this.append([], []);
    }
    return this.emptyTypeIndex;
  }

  /** A bulk helper's type, `(i32, middle, i32, i64) -> (i64)`, once per middle operand type. */
  bulkHelperType(middle: string): number {
    let index = this.bulkTypes.get(middle);
    if (index === undefined) {
      index = this.append(["i32", middle, "i32", "i64"], ["i64"]);
      this.bulkTypes.set(middle, index);
    }
    return index;
  }
}
