// Entry wrappers: how code outside a function's own module-internal calls reaches it. A rewritten
// function takes the fuel counter as its last parameter and returns it as its last result, so a
// caller that has only the original type (the kernel calling an export, call_indirect through a
// table, the start function, a ref.func) calls a wrapper of the original type instead:
//
//   local.get 0 … local.get n-1  global.get $fuel  call $f  global.set $fuel
//
// Only functions whose index escapes the code get one: exports, the start function, element
// segments and global initialisers (a ref.func in a body must name one of those, by validation).
import { SECTION, type DecodedModule } from "../binary/module.js";
import { Reader } from "../binary/reader.js";
import { Writer, pushUnsigned } from "../binary/writer.js";
import { rewriteElementSection, rewriteGlobalSection } from "./renumber.js";

/** Defined functions whose index escapes the code, ascending. */
export function escapingFunctions(module: DecodedModule): number[] {
  const escaping = new Set<number>();
  const record = (index: number): number => {
    if (index >= module.importedFunctionCount) escaping.add(index);
    return index;
  };
  for (const entry of module.exports) if (entry.kind === "function") record(entry.index);
  if (module.startFunction !== undefined) record(module.startFunction);
  const scratch = new Writer(256);
  for (const range of module.sections) {
    if (range.id === SECTION.element) rewriteElementSection(new Reader(module.bytes, range.contentStart, range.end), record, scratch.reset());
    if (range.id === SECTION.global) rewriteGlobalSection(new Reader(module.bytes, range.contentStart, range.end), record, [], scratch.reset());
  }
  return [...escaping].sort((left, right) => left - right);
}

/** A wrapper's body: pass the parameters and the global's counter to the rewritten function, store what it returns. */
export function writeEntryBody(output: Writer, parameterCount: number, fuelGlobal: number, rewrittenIndex: number): void {
  const body: number[] = [0x00];
  for (let parameter = 0; parameter < parameterCount; parameter++) {
    body.push(0x20);
    pushUnsigned(body, parameter);
  }
  body.push(0x23);
  pushUnsigned(body, fuelGlobal);
  body.push(0x10);
  pushUnsigned(body, rewrittenIndex);
  body.push(0x24);
  pushUnsigned(body, fuelGlobal);
  body.push(0x0b);
  output.u32(body.length);
  output.bytes(body);
}
