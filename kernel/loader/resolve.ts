// Turns what a person types (`apps/hello`, `hello`, `path/to/file.wasm`) into module bytes
// and an optional manifest file.
import { existsSync, readFileSync, statSync } from "node:fs";
import { basename, join, resolve } from "node:path";
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
