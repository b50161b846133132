// Canonical-ABI flattening for the types the kernel ABI allows. Strings and byte lists are
// (pointer, length); a result that does not fit one core value is returned through a
// pointer the caller passes last (MAX_FLAT_RESULTS = 1 in the canonical ABI).
import type { AbiValueType, CoreValueType } from "./descriptor.js";

/** The canonical ABI passes at most one flat result; larger results go through memory. */
export const MAX_FLAT_RESULTS = 1;

export function flattenType(type: AbiValueType): CoreValueType[] {
  switch (type) {
    case "u64": case "s64": return ["i64"];
    case "f32": return ["f32"];
    case "f64": return ["f64"];
    case "string": case "list<u8>": return ["i32", "i32"];
    default: return ["i32"];
  }
}

export function flattenImportSignature(
  parameters: readonly { readonly type: AbiValueType }[],
  result: AbiValueType | null,
): { coreParameters: CoreValueType[]; coreResults: CoreValueType[] } {
  const coreParameters = parameters.flatMap((parameter) => flattenType(parameter.type));
  if (result === null) return { coreParameters, coreResults: [] };
  const flatResult = flattenType(result);
  if (flatResult.length <= MAX_FLAT_RESULTS) return { coreParameters, coreResults: flatResult };
  return { coreParameters: [...coreParameters, "i32"], coreResults: [] };
}

/** Whether a result travels through a return-area pointer rather than as a core value. */
export function resultUsesReturnArea(result: AbiValueType | null): boolean {
  return result !== null && flattenType(result).length > MAX_FLAT_RESULTS;
}
