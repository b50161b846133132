// A module's entry points and their mode attributes, as the linker reads them: the manifest
// names entry points, the `singlet.modes` section (written by the mode transform) states the
// source's attributes, and the two must agree.
import type { AbiValueType, ModeAttribute } from "../../runtime/abi/index.js";
import { readModesSection } from "../../verifier/index.js";
import type { ModuleImage } from "../loader/index.js";
import { LinkError } from "./link-error.js";

export interface EntryPoint {
  readonly functionName: string;
  readonly attribute: ModeAttribute;
  /** Canonical-ABI parameter types when declared; undefined passes core values through. */
  readonly parameters: readonly AbiValueType[] | undefined;
}

const modesByImage = new WeakMap<ModuleImage, Readonly<Record<string, ModeAttribute>> | undefined>();

function sourceModes(image: ModuleImage): Readonly<Record<string, ModeAttribute>> | undefined {
  if (!modesByImage.has(image)) modesByImage.set(image, readModesSection(image.bytes));
  return modesByImage.get(image);
}

/** The entry point `functionName` of `image`, or undefined when the manifest does not declare it. */
export function entryPointOf(image: ModuleImage, functionName: string): EntryPoint | undefined {
  const declaration = image.manifest.entryPoints?.[functionName];
  if (!declaration) return undefined;
  const fromSource = sourceModes(image)?.[functionName];
  if (declaration.mode !== undefined && fromSource !== undefined && declaration.mode !== fromSource) {
    throw new LinkError(image.name, functionName, "attribute-mismatch", `manifest says '${declaration.mode}', the module's singlet.modes section says '${fromSource}'`);
  }
  return { functionName, attribute: declaration.mode ?? fromSource ?? "callers", parameters: declaration.parameters };
}

/** The attribute of `main` when the kernel starts the app (callers when undeclared). */
export function mainAttributeOf(image: ModuleImage): ModeAttribute {
  return entryPointOf(image, "main")?.attribute ?? sourceModes(image)?.main ?? "callers";
}

export function entryPointsOf(image: ModuleImage): EntryPoint[] {
  return Object.keys(image.manifest.entryPoints ?? {}).map((name) => entryPointOf(image, name)!);
}
