// The asc transform behind `@kernelMode`, `@userMode` and `@callersMode`: strips them after
// parsing, fails the build on unknown decorators, and records every exported function's mode
// in the `singlet.modes` custom section.
import { Transform as CompilerTransform } from "assemblyscript/transform";
import { MODES_SECTION_NAME, type ModeAttribute } from "../abi/manifest.js";
import { collectModeAttributes, type ParsedSource, type RecordedMode } from "./mode-attributes.js";

// The binaryen calls this pass uses; typed here to keep the compiler's declarations out.
interface BinaryenModule {
  getNumExports(): number;
  getExportByIndex(index: number): number;
  addCustomSection(name: string, contents: Uint8Array): void;
}
interface BinaryenApi {
  readonly ExternalFunction: number;
  getExportInfo(reference: number): { kind: number; name: string; value: string };
}

// asc fills `binaryen` (and friends) in on the prototype before constructing the transform.
const Transform = CompilerTransform as unknown as new () => { readonly binaryen: unknown };

export default class ModeTransform extends Transform {
  private recorded: RecordedMode[] = [];

  afterParse(parser: { sources: ParsedSource[] }): void {
    this.recorded = collectModeAttributes(parser.sources);
  }

  afterCompile(module: unknown): void {
    const binaryenModule = module as BinaryenModule;
    const binaryen = this.binaryen as unknown as BinaryenApi;
    const byInternalName = new Map(this.recorded.map((record) => [record.internalName, record.mode]));
    const modes: Record<string, ModeAttribute> = {};
    for (let index = 0; index < binaryenModule.getNumExports(); index++) {
      const info = binaryen.getExportInfo(binaryenModule.getExportByIndex(index));
      if (info.kind !== binaryen.ExternalFunction) continue;
      // Undecorated exports are UseCallersMode, the default; recording them too lets the
      // linker tell "callers by default" from "not a function of this module".
      modes[info.name] = byInternalName.get(info.value) ?? "callers";
    }
    binaryenModule.addCustomSection(MODES_SECTION_NAME, new TextEncoder().encode(JSON.stringify(modes)));
  }
}
