// An app as the linker sees it: several loaded module images, one of which holds `main`.
import { syscallDescriptors, type Manifest } from "../../runtime/abi/index.js";
import { readManifestSection } from "../../verifier/index.js";
import type { Loader, ModuleImage } from "../loader/index.js";

export interface AppImage {
  readonly name: string;
  /** The module whose `main` starts the app. */
  readonly main: string;
  /** Module images by the name other modules import them under. */
  readonly modules: ReadonlyMap<string, ModuleImage>;
}

export interface AppModuleSource {
  readonly name: string;
  readonly bytes: Uint8Array<ArrayBuffer>;
  /** Overrides the embedded manifest. */
  readonly manifest?: Manifest;
}

const kernelAbiModules: ReadonlySet<string> = new Set(syscallDescriptors.map((descriptor) => descriptor.importModule));

/**
 * The sibling modules whose imports the verifier should leave to the linker: the manifest's
 * `links`, minus any name of a kernel ABI interface — listing one there must not let a module
 * skip the verifier's checks of its kernel calls.
 */
export function linkedModulesOf(manifest: Manifest | undefined): string[] {
  return (manifest?.links ?? []).filter((name) => !kernelAbiModules.has(name));
}

/**
 * Loads every module of an app. Each is verified with its manifest's `links` named as linked
 * modules: the verifier leaves those imports to the linker, which checks them at link time.
 */
export function loadApp(loader: Loader, name: string, main: string, sources: readonly AppModuleSource[]): AppImage {
  const modules = new Map<string, ModuleImage>();
  for (const source of sources) {
    const manifest = source.manifest ?? readManifestSection(source.bytes) ?? { name: source.name };
    modules.set(source.name, loader.load(source.bytes, { name: source.name, manifest, linkedModules: linkedModulesOf(manifest) }));
  }
  return { name, main, modules };
}

const singleModuleApps = new WeakMap<ModuleImage, AppImage>();

/** The app of one module, made once per image: every spawn of a module is the same app. */
export function singleModuleApp(image: ModuleImage): AppImage {
  let app = singleModuleApps.get(image);
  if (!app) singleModuleApps.set(image, app = { name: image.name, main: image.name, modules: new Map([[image.name, image]]) });
  return app;
}
