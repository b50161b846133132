// The built app modules, read from apps/*/build, and stub kernel imports to run them with.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { syscallDescriptors } from "../../../runtime/abi/index.js";
import { fuelImports } from "../../../verifier/index.js";

/** dist/test/verifier/support → the project root. */
export const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..", "..", "..");

export interface BuiltApp {
  readonly name: string;
  readonly bytes: Uint8Array<ArrayBuffer>;
}

export function builtApps(): BuiltApp[] {
  const appsDirectory = join(projectRoot, "apps");
  return readdirSync(appsDirectory).flatMap((name) => {
    const path = join(appsDirectory, name, "build", `${name}.wasm`);
    if (!existsSync(path)) return [];
    const buffer = readFileSync(path);
    const bytes = new Uint8Array(buffer.byteLength);
    bytes.set(buffer);
    return [{ name, bytes }];
  });
}

export function builtApp(name: string): Uint8Array<ArrayBuffer> {
  const app = builtApps().find((item) => item.name === name);
  if (app === undefined) throw new Error(`apps/${name} is not built; run npm run build:apps`);
  return app.bytes;
}

/** Thrown by the stub `exhausted` import: the test's stand-in for the kernel's FuelExhausted fault. */
export class FuelExhausted extends Error {
  constructor() {
    super("fuel exhausted");
    this.name = "FuelExhausted";
  }
}

/** Thrown by stub kernel calls that end the process (exit, abort). */
export class StubKernelExit extends Error {
  constructor(readonly call: string) {
    super(`stub kernel: ${call}`);
    this.name = "StubKernelExit";
  }
}

export interface StubCounters {
  exhausted: number;
  kernelCalls: number;
}

/** Harmless stand-ins for every kernel ABI call, plus the fuel import; counts what is called. */
export function stubKernelImports(counters: StubCounters = { exhausted: 0, kernelCalls: 0 }): WebAssembly.Imports {
  const imports: Record<string, Record<string, (...args: unknown[]) => unknown>> = {};
  for (const descriptor of syscallDescriptors) {
    const result = descriptor.coreResults[0];
    imports[descriptor.importModule] ??= {};
    imports[descriptor.importModule]![descriptor.functionName] = () => {
      counters.kernelCalls++;
      if (descriptor.functionName === "exit" || descriptor.functionName === "abort") throw new StubKernelExit(descriptor.qualifiedName);
      return result === "i64" ? 0n : result === undefined ? undefined : 0;
    };
  }
  return {
    ...imports,
    ...fuelImports(() => {
      counters.exhausted++;
      throw new FuelExhausted();
    }),
  };
}
