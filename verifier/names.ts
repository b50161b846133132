// Reads function names from the `name` custom section so findings and faults can name code.
import { Reader } from "./binary/reader.js";

/** Names from a `name` section: functions (subsection 1) and globals (subsection 7), by index. */
export interface ModuleNames {
  readonly functions: Map<number, string>;
  readonly globals: Map<number, string>;
}

const FUNCTION_NAMES = 1;
const GLOBAL_NAMES = 7;

/** The names in the content of a `name` section; a damaged section yields what was read. */
export function decodeNames(bytes: Uint8Array, start = 0, end = bytes.length): ModuleNames {
  const names: ModuleNames = { functions: new Map(), globals: new Map() };
  readNameMaps(bytes, start, end, names.functions, names.globals);
  return names;
}

/**
 * Function names from the content of a `name` section. The other subsections are skipped, not
 * decoded: the verifier asks for these on every module, and a name costs a UTF-8 decode.
 */
export function decodeFunctionNames(bytes: Uint8Array, start = 0, end = bytes.length): Map<number, string> {
  const functions = new Map<number, string>();
  readNameMaps(bytes, start, end, functions, undefined);
  return functions;
}

function readNameMaps(bytes: Uint8Array, start: number, end: number, functions: Map<number, string>, globals: Map<number, string> | undefined): void {
  const reader = new Reader(bytes, start, end);
  try {
    while (!reader.atEnd) {
      const subsection = reader.byte();
      const size = reader.u32();
      const subsectionEnd = reader.offset + size;
      const target = subsection === FUNCTION_NAMES ? functions : subsection === GLOBAL_NAMES ? globals : undefined;
      if (target) {
        for (let count = reader.u32(); count > 0; count--) {
          const index = reader.u32();
          target.set(index, reader.name());
        }
      }
      reader.offset = subsectionEnd;
    }
  } catch {
    // A damaged name section only costs us names; the module itself was validated.
  }
}

export function readFunctionNames(module: WebAssembly.Module): Map<number, string> {
  const section = WebAssembly.Module.customSections(module, "name")[0];
  return section ? decodeFunctionNames(new Uint8Array(section)) : new Map();
}
