// Decides each entry point's mode from the two places it can be written: the manifest names the
// entry points (the reviewable list of ways into a module) and the source's decorators give
// their modes. The build fills modes the manifest leaves out and fails on any disagreement.
import type { EntryPointDeclaration, Manifest, ModeAttribute } from "../abi/manifest.js";

export class ModeMismatchError extends Error {
  constructor(readonly moduleName: string, readonly functionName: string, readonly detail: string) {
    super(`${moduleName}: ${functionName}: ${detail}`);
    this.name = "ModeMismatchError";
  }
}

/**
 * The manifest with every entry point's mode set from `modes` (the `singlet.modes` section).
 * Throws ModeMismatchError when an entry point is not an exported function, when the manifest
 * states a mode the source does not, or when an export carries `@kernelMode`/`@userMode`
 * without being an entry point (an attribute nobody can reach across a boundary is a mistake).
 */
export function reconcileModes(manifest: Manifest, modes: Readonly<Record<string, ModeAttribute>>): Manifest {
  const entryPoints: Record<string, EntryPointDeclaration> = {};
  for (const [name, declaration] of Object.entries(manifest.entryPoints ?? {})) {
    const sourceMode = modes[name];
    if (sourceMode === undefined) throw new ModeMismatchError(manifest.name, name, "declared as an entry point but not an exported function");
    if (declaration.mode !== undefined && declaration.mode !== sourceMode) {
      throw new ModeMismatchError(manifest.name, name,
        `manifest says mode '${declaration.mode}' but the source says '${sourceMode}' (${sourceMode === "callers" ? "no attribute" : `@${sourceMode}Mode`}); make them agree or drop the mode from the manifest`);
    }
    entryPoints[name] = { ...declaration, mode: sourceMode };
  }
  for (const [name, mode] of Object.entries(modes)) {
    if (mode !== "callers" && entryPoints[name] === undefined) {
      throw new ModeMismatchError(manifest.name, name, `@${mode}Mode on an export that is not an entry point in the manifest; add it to 'entryPoints'`);
    }
  }
  return { ...manifest, entryPoints };
}
