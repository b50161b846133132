// Turns what a person types (`apps/hello`, `hello`, `path/to/file.wasm`) into module bytes
// and an optional manifest file, or, for a folder with an app.json, into an app's modules.
import { existsSync, readFileSync, statSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { APP_DESCRIPTION_FILE, parseAppDescription, type AppDescription } from "../../runtime/abi/index.js";
import { LoadError } from "../errors.js";

export interface ModuleSource {
  readonly name: string;
  readonly bytes: Uint8Array<ArrayBuffer>;
  /** Path of the binary, for messages. */
  readonly path: string;
}

export function resolveModuleSource(target: string, appsDirectory: string): ModuleSource {
  let path: string;
  if (target.endsWith(".wasm")) {
    path = resolve(target);
  } else {
    const directory = existsSync(target) && statSync(target).isDirectory() ? resolve(target) : join(appsDirectory, target);
    if (!existsSync(directory)) throw new LoadError(`no app or module named '${target}'`);
    const name = basename(directory);
    path = join(directory, "build", `${name}.wasm`);
    if (!existsSync(path)) throw new LoadError(`app '${name}' is not built (expected ${path}); run 'npm run build:apps'`);
  }
  if (!existsSync(path)) throw new LoadError(`no such module file: ${path}`);
  const data = readFileSync(path);
  const bytes = new Uint8Array(data.byteLength);
  bytes.set(data);
  return { name: basename(path, ".wasm"), bytes, path };
}

/** A multi-module app on disk: the folder's app.json and each module's built binary. */
export interface AppSource {
  readonly name: string;
  readonly main: string;
  readonly modules: readonly ModuleSource[];
}

/** The multi-module app `target` names (a folder with app.json), or undefined when it is not one. */
export function resolveAppSource(target: string, appsDirectory: string): AppSource | undefined {
  if (target.endsWith(".wasm")) return undefined;
  const directory = existsSync(target) && statSync(target).isDirectory() ? resolve(target) : join(appsDirectory, target);
  const descriptionPath = join(directory, APP_DESCRIPTION_FILE);
  if (!existsSync(descriptionPath)) return undefined;
  let description: AppDescription;
  try {
    description = parseAppDescription(JSON.parse(readFileSync(descriptionPath, "utf8")), descriptionPath);
  } catch (error) {
    throw new LoadError(`cannot read ${descriptionPath}: ${(error as Error).message}`);
  }
  const name = basename(directory);
  const modules = description.modules.map((module) => {
    const path = join(directory, "build", `${module}.wasm`);
    if (!existsSync(path)) throw new LoadError(`app '${name}' is not built (expected ${path}); run 'npm run build:apps'`);
    const data = readFileSync(path);
    const bytes = new Uint8Array(data.byteLength);
    bytes.set(data);
    return { name: module, bytes, path };
  });
  return { name, main: description.main, modules };
}
