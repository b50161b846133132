// The compiled module an instance runs: the image's code for its domain (the fuel-instrumented
// output in the kernel domain, the module as loaded in a user domain, whose running time the CPU
// budget bounds instead), with memory and table maximums bounded by the process's limits and its
// start function moved to an export that runs once the memory is bound (verifier/rewrite/
// resource-bounds.ts says why). Compiled once per (image, domain, bounds), kept while the image lives.
import { boundResources, KERNEL_START_EXPORT, type ResourceBounds } from "../../verifier/index.js";
import type { ModuleImage } from "../loader/index.js";
import type { Domain } from "../process/index.js";
import { LinkError } from "./link-error.js";

export interface BoundedModule {
  readonly module: WebAssembly.Module;
  /** The export that holds the module's start function, to run once the memory is bound; absent when it has none. */
  readonly startExport: string | undefined;
}

const compiled = new WeakMap<ModuleImage, Map<string, BoundedModule>>();

export function boundedModule(image: ModuleImage, domain: Domain, bounds: Omit<ResourceBounds, "startExport">): BoundedModule {
  const key = `${domain}:${bounds.memoryPages}:${bounds.tableElements}`;
  let byKey = compiled.get(image);
  const found = byKey?.get(key);
  if (found) return found;
  const source = domain === "kernel" ? image.bytes : image.originalBytes;
  const result = boundResources(source, { ...bounds, startExport: KERNEL_START_EXPORT });
  if (!result.ok) {
    throw new LinkError(image.name, "(module)", "limit-exceeded", `${result.message}, so it cannot run`, {
      kind: "faulted", fault: { kind: "out-of-memory", message: `${image.name}: ${result.message}` },
    });
  }
  let module: WebAssembly.Module;
  if (!result.changed) module = domain === "kernel" || image.bytes === image.originalBytes ? image.module : new WebAssembly.Module(source);
  else module = new WebAssembly.Module(result.bytes);
  const bounded = { module, startExport: result.startExported ? KERNEL_START_EXPORT : undefined };
  if (!byKey) compiled.set(image, byKey = new Map());
  byKey.set(key, bounded);
  return bounded;
}
