// Small linked apps for the mode suites, written in WAT so each row controls exactly what a
// module imports, exports and declares.
import { bootKernel, loadApp, type AppImage, type Kernel, type ModuleImage } from "../../kernel/index.js";
import type { EntryPointDeclaration, Manifest } from "../../runtime/abi/index.js";
import { assembleWat } from "../helpers/wat.js";

export const MODE_IMPORT = `(import "singlet:kernel/mode@0.1.0" "current" (func $mode (result i32)))`;

/** A kernel whose console refuses writes: these apps print nothing. */
export function quietKernel(): Kernel {
  return bootKernel({ devices: { console: { write: () => undefined } } });
}

/** `probe(x) = x * 10 + mode.current()`: tells the caller its argument arrived and where it ran. */
export const probeModule = `(module
  ${MODE_IMPORT}
  (memory (export "memory") 1 1)
  (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32) (i32.const 1024))
  (func (export "probe") (param $x i32) (result i32)
    (i32.add (i32.mul (local.get $x) (i32.const 10)) (call $mode)))
  (func (export "hidden") (result i32) (i32.const 7)))`;

/** `main = mode.current() * 100 + probe(4)`, probe imported from module `callee`. */
export function callerModule(importedName = "probe", fromModule = "callee"): string {
  return `(module
  ${MODE_IMPORT}
  (import "${fromModule}" "${importedName}" (func $probe (param i32) (result i32)))
  (memory (export "memory") 1 1)
  (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32) (i32.const 1024))
  (func (export "main") (result i32)
    (i32.add (i32.mul (call $mode) (i32.const 100)) (call $probe (i32.const 4)))))`;
}

export function manifest(name: string, entryPoints: Record<string, EntryPointDeclaration>, links: string[] = []): Manifest {
  return { name, entryPoints, links };
}

/**
 * The v0 verifier accepts every module whose imports are all kernel ABI (or linked) functions,
 * so the "unverified callee" rows take a loaded image and mark it as a rejected one would be
 * marked: `verified` false, nothing else changed.
 */
export function markedUnverified(image: ModuleImage): ModuleImage {
  return { ...image, verified: false };
}

export async function twoModuleApp(
  kernel: Kernel,
  options: { callerMode: "kernel" | "user" | "callers"; calleeMode: "kernel" | "user" | "callers"; calleeVerified?: boolean; calleeEntries?: Record<string, EntryPointDeclaration>; importedName?: string },
): Promise<AppImage> {
  const loaded = loadApp(kernel.loader, "pair", "caller", [
    { name: "caller", bytes: await assembleWat(callerModule(options.importedName)), manifest: manifest("caller", { main: { mode: options.callerMode } }, ["callee"]) },
    { name: "callee", bytes: await assembleWat(probeModule), manifest: manifest("callee", options.calleeEntries ?? { probe: { mode: options.calleeMode } }) },
  ]);
  if (options.calleeVerified === false) {
    const modules = new Map(loaded.modules);
    modules.set("callee", markedUnverified(loaded.modules.get("callee")!));
    return { ...loaded, modules };
  }
  return loaded;
}
