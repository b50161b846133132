// Entry wrappers: how code that has only a function's original type reaches the rewritten
// function, which takes the fuel counter as its last parameter and returns it as its last
// result. A wrapper has the original type:
//
//   local.get 0 … local.get n-1  global.get $fuel  call $f  global.set $fuel
//
// The kernel calls exports and the engine calls the start function, so those always go through
// a wrapper. Function references (tables, ref.func, funcref globals) hold the rewritten
// functions themselves, so call_indirect passes the counter in a register as a direct call does,
// unless a reference can leave the module: an exported table or funcref global, a funcref in an
// exported or imported signature, or a reference to an import (whose type is the original).
// Then every reference names a wrapper instead, and call_indirect flushes and reloads.
import { SECTION, type DecodedModule } from "../binary/module.js";
import { Reader } from "../binary/reader.js";
import { Writer, pushUnsigned } from "../binary/writer.js";
import { rewriteElementSection, rewriteGlobalSection } from "./renumber.js";

export interface FunctionReferences {
  /** Defined functions the kernel or the engine calls by their original type: exports and the start function. */
  readonly entered: ReadonlySet<number>;
  /** Defined functions named in element segments or global initialisers. */
  readonly referenced: ReadonlySet<number>;
  /** Whether some function reference may be called from outside, or may name an import. */
  readonly referencesEscape: boolean;
}

/** `scratch` receives the rewritten sections this reads through, and is left to the caller to reuse. */
export function findFunctionReferences(module: DecodedModule, scratch: Writer): FunctionReferences {
  const imported = module.importedFunctionCount;
  const entered = new Set<number>();
  const referenced = new Set<number>();
  let referencesEscape = false;
  for (const entry of module.exports) {
    if (entry.kind === "table") referencesEscape = true;
    if (entry.kind === "global" && module.globals[entry.index]?.type === "funcref") referencesEscape = true;
    if (entry.kind !== "function") continue;
    if (entry.index < imported) referencesEscape = true;
    else entered.add(entry.index);
  }
  if (module.startFunction !== undefined) entered.add(module.startFunction);
  for (const type of module.types) {
    if (type.parameters.includes("funcref") || type.results.includes("funcref")) referencesEscape = true;
  }
  const record = (index: number): number => {
    if (index < imported) referencesEscape = true;
    else referenced.add(index);
    return index;
  };
  for (const range of module.sections) {
    if (range.id === SECTION.element) rewriteElementSection(new Reader(module.bytes, range.contentStart, range.end), record, scratch.reset());
    if (range.id === SECTION.global) rewriteGlobalSection(new Reader(module.bytes, range.contentStart, range.end), record, [], scratch.reset());
  }
  return { entered, referenced, referencesEscape };
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
