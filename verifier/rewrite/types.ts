// The function types of the output module: the input's, unchanged and at the same indices (so
// call_indirect and block type immediates keep their meaning), then the types the rewrite adds,
// each once.
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
  private readonly indexByKey = new Map<string, number>();
  /** Encoded types to append after the input's, in index order. */
  readonly added: number[][] = [];

  constructor(private readonly existing: readonly FunctionType[]) {
    existing.forEach((type, index) => {
      const key = String.fromCharCode(...encode(type.parameters, type.results));
      if (!this.indexByKey.has(key)) this.indexByKey.set(key, index);
    });
  }

  /** The index of the type `(parameters) -> (results)`, added if the module has none. */
  indexOf(parameters: readonly string[], results: readonly string[]): number {
    const encoded = encode(parameters, results);
    const key = String.fromCharCode(...encoded);
    let index = this.indexByKey.get(key);
    if (index === undefined) {
      index = this.existing.length + this.added.length;
      this.indexByKey.set(key, index);
      this.added.push(encoded);
    }
    return index;
  }
}
