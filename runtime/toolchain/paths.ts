// Where the toolchain finds the project: compiled files run from dist/, sources live beside it.
import { fileURLToPath } from "node:url";
import { dirname, resolve } from "node:path";

const here = dirname(fileURLToPath(import.meta.url));
/** dist/runtime/toolchain → the project root. */
export const projectRoot = resolve(here, "..", "..", "..");
export const witPath = resolve(projectRoot, "runtime", "wit", "singlet.wit");
export const generatedAbiPath = resolve(projectRoot, "runtime", "abi", "kernel-abi.generated.ts");
export const generatedBindingsDirectory = resolve(projectRoot, "runtime", "assembly", "bindings");
export const appsDirectory = resolve(projectRoot, "apps");
export const generatedReferenceDirectory = resolve(projectRoot, "docs", "abi", "calls");
