// Error codes as apps print them: the text of each ABI code (generated from runtime/abi/errors.ts)
// and, where a program is not imitating a Unix tool's exact words, the number beside it.
import { errorMessage } from "./bindings/errors.generated";

export { errorMessage };

/** `code` (negated or not) as "Address already in use (error 98)": the words and the number a log reader greps for. */
export function describeError(code: i32): string {
  const positive = code < 0 ? -code : code;
  return errorMessage(positive) + " (error " + positive.toString() + ")";
}
